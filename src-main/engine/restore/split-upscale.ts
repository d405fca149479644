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
// most ~0.6 of its 1,500 rows of 64 x 2000 floats, instead of 768 MB for the whole map).
import { throwIfAborted } from '../common/errors';
import { rasterRectToNCHW } from '../common/raster-ops';
import { TileAccumulator, tileReadRect } from '../common/tile-accumulator';
import { planSpans, planTiles, spanWeights, type Span, type TilePlan, type TileSettings } from '../common/tiling';
import type { RasterImage } from '../image/types';
import type { InferenceOutput } from '../runtime/inference-worker';

/**
 * Feature pixels of context the head needs on each side: conv_last, conv_hr and conv_up2 (3x3 at
 * x4) reach 3 output pixels, i.e. 2 pixels at x2 after the nearest upsampling (floor), conv_up1
 * (3x3 at x2) one more, which is 2 feature pixels after the first upsampling.
 */
export const HEAD_PAD = 2;
/**
 * Head tile edge in feature pixels: 64 channels at x4 of 68 px is ~19 MB per tensor; the head's
 * process peaks at ~160 MB (~300 MB with 128 px), and its 2 px of context cost ~1% of the total.
 */
export const HEAD_TILE = 64;

/**
 * The body's spans along one axis: as many as planSpans gives (tiles of at most `tile`), but of
 * equal size, so the largest read, which sets the inference process's memory (~3 KB per read
 * pixel for x4plus), is as small as that count allows: 2000 px in 768 px tiles is 3 of ~688,
 * not 768 + 768 + 528. Neighbours still share exactly `overlap` pixels.
 *
 * Every read has the same length (the largest span plus `pad` on both sides, within the image):
 * a tile at an edge reads more context on its inner side instead of a shorter read. onnxruntime's
 * CPU arena (as the inference process configures it) keeps the blocks of every input shape it has
 * run, so each distinct read shape adds its own ~2-3 KB per pixel: a 2000x1500 photo in 768 px
 * tiles of two shapes took the body's process to 2.65 GB after two tiles, in 512 px tiles of
 * several shapes to 2.4 GB after three. One shape costs the edge tiles' extra context instead.
 */
export function planBalancedSpans(length: number, settings: TileSettings): Span[] {
  const count = planSpans(length, settings).length;
  if (count === 1) return planSpans(length, settings);
  const overlap = Math.min(Math.max(0, Math.floor(settings.overlap)), Math.floor(Math.floor(settings.tile) / 4));
  const bounds: { start: number; end: number }[] = [];
  for (let i = 0; i < count; i++) {
    // Tile i covers [start, end); starts are spread evenly so the last one ends at `length`.
    const start = Math.round((i * (length - overlap)) / count);
    const end = i === count - 1 ? length : Math.round(((i + 1) * (length - overlap)) / count) + overlap;
    bounds.push({ start, end });
  }
  const read = Math.min(length, Math.max(...bounds.map((b) => b.end - b.start)) + 2 * settings.pad);
  return bounds.map(({ start, end }) => {
    const readStart = Math.min(Math.max(0, start - settings.pad), length - read);
    return { start, end, readStart, readEnd: readStart + read };
  });
}

function planBalancedTiles(width: number, height: number, settings: TileSettings): TilePlan {
  const xs = planBalancedSpans(width, settings);
  const ys = planBalancedSpans(height, settings);
  return { xs, ys, count: xs.length * ys.length };
}

export type RunModel = (data: Float32Array, dims: number[]) => Promise<InferenceOutput>;

export interface SplitUpscaleOptions {
  /** The body's tiles (at most this edge, balanced: planBalancedSpans), blend (in feature pixels) and context, in input pixels. */
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
  const bodyPlan = planBalancedTiles(width, height, options.body);
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
      if (col < bodyPlan.xs.length - 1) options.onTile?.({ tilesDone: ++done, tilesTotal: bodyPlan.count });
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
