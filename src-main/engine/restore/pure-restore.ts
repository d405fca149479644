// PURE's part of a restoration: run the photo through the PURE child process, write the entropy
// map beside the output, and turn its text into perception levels and a caption.
import { join } from 'node:path';
import { EtaEstimator } from '../common/eta';
import { writeImage } from '../image/encode';
import { resizeRaster } from '../image/resize';
import type { RasterImage } from '../image/types';
import { modelsDir } from '../models/paths';
import type { PureDone } from '../pure/pipeline/pure-messages';
import type { PureEngine } from '../pure/pipeline/pure-engine';
import type { PureResultInfo, RestoreOptions, RestoreProgress } from '../../protocol/restore';

export const DEFAULT_PURE_MODEL = 'pure-7b';

export const pureModelDir = (options: RestoreOptions, home: string): string => options.model ?? join(modelsDir(home), DEFAULT_PURE_MODEL);

/** `photo-restored.png` -> `photo-restored.entropy.png`. */
export const entropyMapPath = (output: string): string => output.replace(/\.[^./\\]+$/, '') + '.entropy.png';

export interface PureRun {
  rgb: RasterImage & { channels: 3 };
  done: PureDone;
}

export async function runPure(
  engine: PureEngine,
  rgb8: RasterImage,
  options: RestoreOptions,
  report: (fraction: number, extra: Partial<RestoreProgress>) => void,
  signal?: AbortSignal,
): Promise<PureRun> {
  const eta = new EtaEstimator(() => performance.now());
  const sampling = {
    ...(options.guidance !== undefined && { guidanceScale: options.guidance }),
    ...(options.temperature !== undefined && { temperature: options.temperature }),
    ...(options.kMin !== undefined && { kMin: options.kMin }),
    ...(options.kMax !== undefined && { kMax: options.kMax }),
    ...(options.entropyMu !== undefined && { entropyMu: options.entropyMu }),
  };
  const done = await engine.restore(
    rgb8,
    { seed: options.seed, sampling, previewEveryRows: 0, ...(options.caption && { text: options.caption }), ...(options.maxNewTokens && { maxNewTokens: options.maxNewTokens }) },
    {
      signal,
      onProgress: (p) => {
        const f = p.totalTokens > 0 ? Math.min(1, p.token / p.totalTokens) : 0;
        report(f, { phase: p.phase, token: p.token, totalTokens: p.totalTokens, rowsDone: p.rowsDone, rows: p.rows, ...(p.tokensPerSecond !== undefined && { tokensPerSecond: p.tokensPerSecond }), ...(p.etaSeconds !== undefined ? { etaSeconds: p.etaSeconds } : { etaSeconds: eta.update(f) }) });
      },
    },
  );
  return { rgb: { width: done.size, height: done.size, channels: 3, bitDepth: 8, data: done.rgb }, done };
}

/** The 64x64 entropy map as a greyscale PNG at the image's size (nearest), 0..10 nats -> 0..255. */
export async function writeEntropyMap(path: string, done: PureDone, input: string): Promise<string> {
  const side = Math.round(Math.sqrt(done.entropy.length));
  const grey = new Uint8Array(done.entropy.length);
  done.entropy.forEach((h, i) => (grey[i] = Number.isFinite(h) ? Math.round((Math.min(10, Math.max(0, h)) / 10) * 255) : 0));
  const small: RasterImage = { width: side, height: side, channels: 1, bitDepth: 8, data: grey };
  const map = await resizeRaster(small, done.size, done.size);
  await writeImage(path, map, { format: 'png', overwrite: true, protectedPaths: [input], software: 'PURE Studio' });
  return path;
}

export function pureInfo(done: PureDone, engine: PureEngine, entropyMap: string): PureResultInfo {
  return {
    model: engine.modelName,
    testModel: engine.testModel,
    text: done.text,
    caption: done.perception.caption,
    parsed: done.perception.parsed,
    entropyMap,
    imageComplete: done.imageComplete,
    tokensPerSecond: done.timings.imageTokensPerSecond,
  };
}
