// The eval loop: for each ground-truth photo, make the x4 low-quality input (seeded degradation),
// restore it with each engine, and measure PSNR / SSIM against the ground truth and NIQE.
import { mkdir, readdir } from 'node:fs/promises';
import { extname, join, parse } from 'node:path';
import sharp from 'sharp';
import { EngineError, throwIfAborted } from '../engine/common/errors';
import { EtaEstimator } from '../engine/common/eta';
import { decodeImage } from '../engine/image/decode';
import { to8Bit } from '../engine/image/raster';
import type { RasterImage } from '../engine/image/types';
import { degrade, deriveSeed } from '../engine/quality/degrade';
import type { DegradationStep } from '../engine/quality/degrade';
import { metricsFor } from '../engine/quality/metrics';
import type { Metric } from '../engine/quality/metrics';
import { loadNiqeModel } from '../engine/quality/niqe';
import { toFloatImage, toRaster8 } from '../engine/quality/plane';
import type { EvalCommand } from './eval-args';
import { makeEngines } from './eval-engines';

export const SCALE = 4;
/** Pixels left out on each side for every metric: the scale, the Real-ISR convention. */
export const CROP_BORDER = SCALE;
const PHOTO_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.webp', '.tif', '.tiff', '.avif', '.gif', '.heic', '.heif']);

/** Metric id -> value (null: no finite value, e.g. PSNR of identical images, NIQE under 96x96). */
export type MetricValues = Record<string, number | null>;

export interface EvalRow {
  image: string;
  engine: string;
  metrics: MetricValues;
  seconds: number;
}

export interface MetricInfo {
  id: string;
  label: string;
  better: 'higher' | 'lower';
  digits: number;
}

export interface EvalImage {
  name: string;
  stem: string;
  seed: number;
  hq: { width: number; height: number };
  lq: { width: number; height: number };
  /** No-reference metrics of the ground truth itself, for scale. */
  groundTruth: MetricValues;
  steps: DegradationStep[];
}

export interface EvalMean {
  engine: string;
  images: number;
  /** Means over the images; null when some image had no value. */
  metrics: MetricValues;
  seconds: number | null;
}

export interface EvalResults {
  dataset: string;
  degradation: string;
  seed: number;
  scale: number;
  cropBorder: number;
  crop: number | null;
  engines: string[];
  metrics: MetricInfo[];
  images: EvalImage[];
  rows: EvalRow[];
  means: EvalMean[];
  groundTruthMeans: MetricValues;
}

export interface EvalProgress {
  done: number;
  total: number;
  label: string;
  etaSeconds?: number;
}

async function listPhotos(dir: string, limit?: number): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    throw new EngineError('INPUT_NOT_FOUND', `Dataset folder not found: "${dir}".`, 'Give a folder of ground-truth photos.', { cause: error });
  }
  const photos = names.filter((n) => PHOTO_EXTENSIONS.has(extname(n).toLowerCase())).sort();
  if (photos.length === 0) throw new EngineError('INPUT_NOT_FOUND', `No photos in "${dir}".`, `Put ${[...PHOTO_EXTENSIONS].join(' ')} files there.`);
  return photos.slice(0, limit);
}

/** Centre crop to `side` (if given and smaller), then trimmed to multiples of the scale. */
function groundTruth(rgb: RasterImage, side: number | undefined): RasterImage {
  const img = to8Bit(rgb);
  const w = Math.floor(Math.min(img.width, side ?? Infinity) / SCALE) * SCALE;
  const h = Math.floor(Math.min(img.height, side ?? Infinity) / SCALE) * SCALE;
  const x0 = Math.floor((img.width - w) / 2);
  const y0 = Math.floor((img.height - h) / 2);
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) data.set(img.data.subarray(((y0 + y) * img.width + x0) * 3, ((y0 + y) * img.width + x0 + w) * 3), y * w * 3);
  return { width: w, height: h, channels: 3, bitDepth: 8, data };
}

export function writePng(image: RasterImage, path: string): Promise<unknown> {
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels } }).png().toFile(path);
}

async function measure(metrics: Metric[], image: RasterImage, reference: RasterImage, withReference: boolean): Promise<MetricValues> {
  const out: MetricValues = {};
  for (const m of metrics) if (withReference || !m.needsReference) out[m.id] = await m.measure(image, reference, CROP_BORDER);
  return out;
}

function meansOf(values: MetricValues[], ids: string[]): MetricValues {
  return Object.fromEntries(ids.map((id) => [id, mean(values.map((v) => v[id] ?? null))]));
}

function mean(values: (number | null)[]): number | null {
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v));
  return finite.length === values.length && finite.length > 0 ? finite.reduce((a, b) => a + b, 0) / finite.length : null;
}

export async function runEval(cmd: EvalCommand, ctx: { signal?: AbortSignal; onProgress?: (p: EvalProgress) => void } = {}): Promise<EvalResults> {
  const signal = ctx.signal ?? new AbortController().signal;
  const engines = makeEngines(cmd.engines, cmd.threads); // refuses unavailable engines before any work
  const photos = await listPhotos(cmd.dataset, cmd.limit);
  const metrics = metricsFor(await loadNiqeModel());
  const images: EvalImage[] = [];
  const rows: EvalRow[] = [];
  const total = photos.length * (1 + engines.length);
  let done = 0;
  const eta = new EtaEstimator(() => performance.now());
  const report = (label: string): void => ctx.onProgress?.({ done, total, label, etaSeconds: eta.update(done / total) });
  try {
    for (const name of photos) {
      const stem = parse(name).name.replace(/[^\w.-]+/g, '_');
      const dir = join(cmd.out, 'images', stem);
      await mkdir(dir, { recursive: true });
      report(`${name}: degrading`);
      const hq = groundTruth((await decodeImage(join(cmd.dataset, name), { maxPixels: 40_000_000, signal })).rgb, cmd.crop);
      const seed = deriveSeed(cmd.seed, name);
      const degraded = await degrade(toFloatImage(hq), cmd.degradation, { seed, scale: SCALE });
      const lq = toRaster8(degraded.image);
      await writePng(hq, join(dir, 'hq.png'));
      await writePng(lq, join(dir, 'lq.png'));
      images.push({ name, stem, seed, hq: { width: hq.width, height: hq.height }, lq: { width: lq.width, height: lq.height }, groundTruth: await measure(metrics, hq, hq, false), steps: degraded.steps });
      done++;
      for (const engine of engines) {
        throwIfAborted(signal);
        report(`${name}: ${engine.id}`);
        const out = join(dir, `${engine.id}.png`);
        const seconds = await engine.restore(join(dir, 'lq.png'), out, signal);
        const sr = to8Bit((await decodeImage(out, { maxPixels: 40_000_000 })).rgb);
        rows.push({ image: name, engine: engine.id, metrics: await measure(metrics, sr, hq, true), seconds });
        done++;
      }
    }
    report('done');
  } finally {
    await Promise.all(engines.map((e) => e.close()));
  }
  const ids = metrics.map((m) => m.id);
  const means = cmd.engines.map((engine): EvalMean => {
    const r = rows.filter((x) => x.engine === engine);
    return { engine, images: r.length, metrics: meansOf(r.map((x) => x.metrics), ids), seconds: mean(r.map((x) => x.seconds)) };
  });
  return {
    dataset: cmd.dataset,
    degradation: cmd.degradationText,
    seed: cmd.seed,
    scale: SCALE,
    cropBorder: CROP_BORDER,
    crop: cmd.crop ?? null,
    engines: cmd.engines,
    metrics: metrics.map(({ id, label, better, digits }) => ({ id, label, better, digits })),
    images,
    rows,
    means,
    groundTruthMeans: meansOf(images.map((i) => i.groundTruth), metrics.filter((m) => !m.needsReference).map((m) => m.id)),
  };
}
