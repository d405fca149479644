// PURE's part of a restoration: the photo in tiles of the model's LQ size (pure-tile-plan.ts),
// each restored in the PURE child process with its own seed, blended into the output and into an
// entropy mosaic of the same size, with progress, an ETA that learns from the finished tiles, and
// live previews of the whole picture. The text of the centre tile stands for the photo.
import { join } from 'node:path';
import { throwIfAborted } from '../common/errors';
import { TileAccumulator, tileReadRect } from '../common/tile-accumulator';
import type { TilePlan } from '../common/tiling';
import { writeImage } from '../image/encode';
import { resizeRaster } from '../image/resize';
import type { RasterImage } from '../image/types';
import { modelsDir } from '../models/paths';
import type { PureDone } from '../pure/pipeline/pure-messages';
import type { PureEngine } from '../pure/pipeline/pure-engine';
import { ENTROPY_MAP_MAX_NATS } from '../../protocol/entropy-scale';
import type { PureEstimate, PureResultInfo, RestoreOptions, RestoreProgress } from '../../protocol/restore';
import { PureTileEta } from './pure-tile-estimate';
import type { PureSpeed, StepCost } from './pure-tile-estimate';
import type { PureTileCheckpoint, SavedTile } from './pure-tile-checkpoint';
import type { PureTilePreview } from './pure-tile-preview';
import { tileSeed } from './pure-tile-plan';
import type { PureTileGeometry } from './pure-tile-plan';
import { cropRaster } from './roi';

export const DEFAULT_PURE_MODEL = 'pure-7b';

/** Image rows between two previews of the tile being generated (each costs a VQ decode). */
export const PREVIEW_EVERY_ROWS = 8;

export const pureModelDir = (options: RestoreOptions, home: string): string => options.model ?? join(modelsDir(home), DEFAULT_PURE_MODEL);

/** `photo-restored.png` -> `photo-restored.entropy.png`. */
export const entropyMapPath = (output: string): string => output.replace(/\.[^./\\]+$/, '') + '.entropy.png';

/** What one tile's generation said, kept for the result (its pixels are in the mosaic by then). */
export type PureTileText = Omit<PureDone, 'rgb' | 'size' | 'entropy'>;

export interface PureRun {
  /** (width * factor, height * factor) of the input given. */
  rgb: RasterImage & { channels: 3 };
  /** Per-token entropy at the same size, 0..10 nats -> 0..255 (unmeasured tokens are 0). */
  entropy: RasterImage & { channels: 1 };
  /** The centre tile's text, perception and timings. */
  done: PureTileText;
  /** Every tile completed its image (no --max-new-tokens cut). */
  imageComplete: boolean;
  /** Mean image-token speed over the tiles. */
  tokensPerSecond: number;
  /** This run's speed, for the next estimate. */
  speed: Omit<PureSpeed, 'source'>;
}

export interface PureTiling {
  plan: TilePlan;
  geometry: PureTileGeometry;
  estimate: PureEstimate;
  /** How a step's cost grows with the context (for the running ETA); absent: held flat. */
  stepCost?: StepCost;
  /** The package is a TEST MODEL (random weights). */
  testModel: boolean;
}

/** (h, w, 3) RGB8 -> planar (3, h, w) float in [0, 1]: the TileAccumulator's input. */
function rgb8ToPlanarUnit(rgb: Uint8Array, width: number, height: number): Float32Array {
  const plane = width * height;
  const out = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) for (let c = 0; c < 3; c++) out[c * plane + i] = rgb[i * 3 + c] / 255;
  return out;
}

/** (side, side) entropy in nats -> planar (3, h, w) in [0, 1] (10 nats = 1), nearest neighbour. */
function entropyToPlanar(entropy: Float32Array, width: number, height: number): Float32Array {
  const side = Math.round(Math.sqrt(entropy.length));
  const plane = width * height;
  const out = new Float32Array(3 * plane);
  for (let y = 0; y < height; y++) {
    const row = Math.min(side - 1, Math.floor(((y + 0.5) * side) / height)) * side;
    for (let x = 0; x < width; x++) {
      const h = entropy[row + Math.min(side - 1, Math.floor(((x + 0.5) * side) / width))];
      const v = Number.isFinite(h) ? Math.min(ENTROPY_MAP_MAX_NATS, Math.max(0, h)) / ENTROPY_MAP_MAX_NATS : 0;
      const i = y * width + x;
      out[i] = out[plane + i] = out[2 * plane + i] = v;
    }
  }
  return out;
}

type TileStats = SavedTile['stats'];

function addStats(into: { imageTokens: number; imageSeconds: number; tileSeconds: number; tokens: number; ipsSum: number }, tile: TileStats): void {
  into.imageTokens += tile.imageTokens;
  into.imageSeconds += tile.imageSeconds;
  into.tileSeconds += tile.tileSeconds;
  into.tokens += tile.tokens;
  into.ipsSum += tile.ips;
}

export async function runPure(
  engine: PureEngine,
  rgb8: RasterImage,
  options: RestoreOptions,
  tiling: PureTiling,
  report: (fraction: number, extra: Partial<RestoreProgress>) => void,
  signal?: AbortSignal,
  preview?: PureTilePreview,
  checkpoint?: PureTileCheckpoint,
): Promise<PureRun> {
  const { plan, geometry, estimate } = tiling;
  const f = geometry.factor;
  const sampling = {
    ...(options.guidance !== undefined && { guidanceScale: options.guidance }),
    ...(options.temperature !== undefined && { temperature: options.temperature }),
    ...(options.kMin !== undefined && { kMin: options.kMin }),
    ...(options.kMax !== undefined && { kMax: options.kMax }),
    ...(options.entropyMu !== undefined && { entropyMu: options.entropyMu }),
  };
  const image = new TileAccumulator(plan, f, rgb8.width, rgb8.height, 8);
  const entropy = new TileAccumulator(plan, f, rgb8.width, rgb8.height, 8);
  const eta = new PureTileEta(estimate, () => performance.now(), tiling.stepCost);
  const centre = Math.floor(plan.ys.length / 2) * plan.xs.length + Math.floor(plan.xs.length / 2);
  const tilesTotal = plan.count;
  let representative: PureTileText | undefined;
  let imageComplete = true;
  const measured = { imageTokens: 0, imageSeconds: 0, tileSeconds: 0, tokens: 0, ipsSum: 0 };
  report(0, { tilesDone: 0, tilesTotal, etaSeconds: estimate.seconds });

  for (let row = 0, index = 0; row < plan.ys.length; row++) {
    for (let col = 0; col < plan.xs.length; col++, index++) {
      throwIfAborted(signal);
      const r = tileReadRect(plan, row, col);
      const tw = r.width * f;
      const th = r.height * f;
      const saved = await checkpoint?.load(index);
      if (saved && saved.width === tw && saved.height === th) {
        // Finished before an interruption: the same bytes as generating it again with its seed.
        image.add(row, col, { data: rgb8ToPlanarUnit(saved.rgb, tw, th), width: tw, height: th });
        entropy.add(row, col, { data: entropyToPlanar(saved.entropy, tw, th), width: tw, height: th });
        if (index === centre) representative = saved.text;
        imageComplete &&= saved.text.imageComplete;
        addStats(measured, saved.stats);
        eta.tileDone();
        report((index + 1) / tilesTotal, { tilesDone: index + 1, tilesTotal, etaSeconds: eta.secondsLeft() });
        await preview?.tileDone(index, saved.rgb, tw, th);
        continue;
      }
      const tile = r.width === rgb8.width && r.height === rgb8.height ? rgb8 : cropRaster(rgb8, r);
      const started = performance.now();
      let tokens = 0;
      let imageStart: number | undefined; // the new token the image began at: where the live speed counts from
      const done = await engine.restore(
        tile,
        {
          seed: tileSeed(options.seed, index),
          sampling,
          previewEveryRows: preview ? PREVIEW_EVERY_ROWS : 0,
          ...(options.caption && { text: options.caption }),
          ...(options.maxNewTokens && { maxNewTokens: options.maxNewTokens }),
        },
        {
          signal,
          onProgress: (p) => {
            tokens = p.token;
            if (p.phase === 'restore') imageStart ??= p.token;
            const inTile = p.totalTokens > 0 ? Math.min(1, p.token / p.totalTokens) : 0;
            report((index + inTile) / tilesTotal, {
              phase: p.phase,
              token: p.token,
              totalTokens: p.totalTokens,
              rowsDone: p.rowsDone,
              rows: p.rows,
              tilesDone: index,
              tilesTotal,
              ...(p.tokensPerSecond !== undefined && { tokensPerSecond: p.tokensPerSecond }),
              etaSeconds: eta.secondsLeft(p.token, p.phase === 'restore' ? p.tokensPerSecond : undefined, imageStart),
            });
          },
          ...(preview && { onPreview: (rgb: Uint8Array, size: number) => void preview.tileRows(index, rgb, size) }),
        },
      );
      // The model's square output back to the tile's shape (a no-op for full tiles: 512 = 128 x 4).
      let out: Uint8Array = done.rgb;
      if (tw !== done.size || th !== done.size) {
        out = (await resizeRaster({ width: done.size, height: done.size, channels: 3, bitDepth: 8, data: done.rgb }, tw, th)).data as Uint8Array;
      }
      image.add(row, col, { data: rgb8ToPlanarUnit(out, tw, th), width: tw, height: th });
      entropy.add(row, col, { data: entropyToPlanar(done.entropy, tw, th), width: tw, height: th });

      const seconds = (performance.now() - started) / 1000;
      const text: PureTileText = { text: done.text, textForced: done.textForced, perception: done.perception, stopReason: done.stopReason, imageComplete: done.imageComplete, warnings: done.warnings, timings: done.timings };
      if (index === centre) representative = text;
      imageComplete &&= done.imageComplete;
      const ips = done.timings.imageTokensPerSecond;
      const stats = { imageTokens: (ips * done.timings.imageMs) / 1000, imageSeconds: done.timings.imageMs / 1000, tileSeconds: seconds, tokens, ips };
      addStats(measured, stats);
      await checkpoint?.save(index, { rgb: out, width: tw, height: th, entropy: done.entropy, text, stats });
      eta.tileDone();
      report((index + 1) / tilesTotal, { tilesDone: index + 1, tilesTotal, etaSeconds: eta.secondsLeft() });
      await preview?.tileDone(index, out, tw, th);
    }
  }

  const tokensPerSecond = measured.imageSeconds > 0 ? measured.imageTokens / measured.imageSeconds : 0;
  const grey = entropy.finish();
  const map = new Uint8Array(grey.length / 3);
  for (let i = 0; i < map.length; i++) map[i] = grey[i * 3];
  return {
    rgb: { width: image.outWidth, height: image.outHeight, channels: 3, bitDepth: 8, data: image.finish() },
    entropy: { width: entropy.outWidth, height: entropy.outHeight, channels: 1, bitDepth: 8, data: map },
    done: representative!,
    imageComplete,
    tokensPerSecond: measured.ipsSum / tilesTotal,
    speed: {
      tokensPerSecond,
      overheadSecondsPerTile: tokensPerSecond > 0 ? (measured.tileSeconds - measured.tokens / tokensPerSecond) / tilesTotal : 0,
    },
  };
}

/** The entropy mosaic as a greyscale PNG at the output's size. */
export async function writeEntropyMap(path: string, map: RasterImage, size: { width: number; height: number }, input: string): Promise<string> {
  const sized = map.width === size.width && map.height === size.height ? map : await resizeRaster(map, size.width, size.height);
  await writeImage(path, sized, { format: 'png', overwrite: true, protectedPaths: [input], software: 'PURE Studio' });
  return path;
}

export function pureInfo(run: PureRun, engine: PureEngine, entropyMap: string, estimate: PureEstimate): PureResultInfo {
  return {
    model: engine.modelName,
    testModel: engine.testModel,
    text: run.done.text,
    caption: run.done.perception.caption,
    parsed: run.done.perception.parsed,
    entropyMap,
    imageComplete: run.imageComplete,
    tokensPerSecond: run.tokensPerSecond,
    kvCache: engine.kvCache,
    estimate,
  };
}
