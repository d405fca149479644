// Upscaling through a model split in two (realesrgan-split.ts): the body (input -> a 64-channel
// feature map at input resolution; x4plus's 23 RRDB blocks, ~92% of the work) runs on big tiles
// with context and a blend, and the head (feature -> RGB at x4: two nearest-x2 upsamplings and
// four 3x3 convolutions, whose tensors are 16x larger) runs on small tiles of the feature map.
//
// The head's receptive field is exact and small: an output pixel of a feature span [a, b) needs
// feature pixels [a - 2, b + 2) (HEAD_PAD), so its tiles give the untiled head's result up to
// float rounding; all the approximation is in the body's tiling (its context and blend).
//
// The feature map is never held whole: feature rows live from the body tile row that makes them
// until the last head tile row that reads them (for a 2000x1500 photo with 512 px body tiles, at
// most ~0.7 of ~3,000 rows of 64 x 2000 floats instead of 768 MB).
import { throwIfAborted } from '../common/errors';
import { rasterRectToNCHW } from '../common/raster-ops';
import { TileAccumulator, tileReadRect } from '../common/tile-accumulator';
import { planTiles, spanWeights, type TileSettings } from '../common/tiling';
import type { RasterImage } from '../image/types';
import type { InferenceOutput } from '../runtime/inference-worker';

/**
 * Feature pixels of context the head needs on each side: conv_last, conv_hr and conv_up2 (3x3 at
 * x4) reach 3 output pixels, i.e. 2 pixels at x2 after the nearest upsampling (floor), conv_up1
 * (3x3 at x2) one more, which is 2 feature pixels after the first upsampling.
 */
export const HEAD_PAD = 2;
/** Head tile edge in feature pixels: 64 channels at x4 of 132 px is ~71 MB per tensor. */
export const HEAD_TILE = 128;

export type RunModel = (data: Float32Array, dims: number[]) => Promise<InferenceOutput>;

export interface SplitUpscaleOptions {
  /** The body's tiles: edge, blend (in feature pixels) and context, in input pixels. */
  body: TileSettings;
  /** The head's tile edge in feature pixels (default HEAD_TILE). */
  headTile?: number;
  /** The head's context in feature pixels (default HEAD_PAD, exact; less only to test that it is needed). */
  headPad?: number;
  scale: number;
  bitDepth: 8 | 16;
  signal?: AbortSignal;
  /** After each body tile (the head's work is counted with the body tile row that allows it). */
  onTile?: (progress: { tilesDone: number; tilesTotal: number }) => void;
}

export async function upscaleSplit(rgb: RasterImage, runBody: RunModel, runHead: RunModel, options: SplitUpscaleOptions): Promise<RasterImage & { channels: 3 }> {
  const { width, height } = rgb;
  const bodyPlan = planTiles(width, height, options.body);
  const headPlan = planTiles(width, height, { tile: options.headTile ?? HEAD_TILE, overlap: 0, pad: options.headPad ?? HEAD_PAD });
  const acc = new TileAccumulator(headPlan, options.scale, width, height, options.bitDepth);
  const xWeights = bodyPlan.xs.map((_, i) => spanWeights(bodyPlan.xs, i, 1));
  // rows[y]: feature row y as (channels, width), summed over the body tiles that cover it.
  const rows: (Float32Array | undefined)[] = new Array<Float32Array | undefined>(height);
  let channels = 0;
  let headRow = 0;
  let done = 0;

  for (let row = 0; row < bodyPlan.ys.length; row++) {
    const ys = bodyPlan.ys[row];
    const wy = spanWeights(bodyPlan.ys, row, 1);
    for (let col = 0; col < bodyPlan.xs.length; col++) {
      throwIfAborted(options.signal);
      const xs = bodyPlan.xs[col];
      const r = tileReadRect(bodyPlan, row, col);
      const out = await runBody(rasterRectToNCHW(rgb, r.x, r.y, r.width, r.height), [1, 3, r.height, r.width]);
      const [, c, h, w] = out.dims;
      if (h !== r.height || w !== r.width) throw new Error(`body tile (${row},${col}) is ${w}x${h}, expected ${r.width}x${r.height}`);
      channels ||= c;
      const wx = xWeights[col];
      const spanW = xs.end - xs.start;
      const offX = xs.start - xs.readStart;
      const offY = ys.start - ys.readStart;
      for (let y = 0; y < ys.end - ys.start; y++) {
        const dstRow = (rows[ys.start + y] ??= new Float32Array(channels * width));
        const weight = wy[y];
        for (let ch = 0; ch < channels; ch++) {
          const src = (ch * h + offY + y) * w + offX;
          const dst = ch * width + xs.start;
          for (let x = 0; x < spanW; x++) dstRow[dst + x] += weight * wx[x] * out.data[src + x];
        }
      }
      const lastOfRow = col === bodyPlan.xs.length - 1;
      if (!lastOfRow) options.onTile?.({ tilesDone: ++done, tilesTotal: bodyPlan.count });
    }

    // Rows above the next body tile row are final: run every head tile row that reads only them.
    const final = row + 1 < bodyPlan.ys.length ? bodyPlan.ys[row + 1].start : height;
    for (; headRow < headPlan.ys.length && headPlan.ys[headRow].readEnd <= final; headRow++) {
      for (let col = 0; col < headPlan.xs.length; col++) {
        throwIfAborted(options.signal);
        const r = tileReadRect(headPlan, headRow, col);
        const input = new Float32Array(channels * r.height * r.width);
        for (let ch = 0; ch < channels; ch++) {
          for (let y = 0; y < r.height; y++) {
            const from = ch * width + r.x;
            input.set(rows[r.y + y]!.subarray(from, from + r.width), (ch * r.height + y) * r.width);
          }
        }
        const out = await runHead(input, [1, channels, r.height, r.width]);
        acc.add(headRow, col, { data: out.data, width: out.dims[3], height: out.dims[2] });
      }
      // Feature rows no later head tile reads are dropped.
      const keepFrom = headRow + 1 < headPlan.ys.length ? headPlan.ys[headRow + 1].readStart : height;
      for (let y = headPlan.ys[headRow].readStart; y < keepFrom; y++) rows[y] = undefined;
    }
    options.onTile?.({ tilesDone: ++done, tilesTotal: bodyPlan.count });
  }
  return { width: acc.outWidth, height: acc.outHeight, channels: 3, bitDepth: options.bitDepth, data: acc.finish() };
}
