// Seconds per input megapixel as measured on this machine, per engine, provider and threads, kept
// in a small JSON file in the app's state folder (beside settings.json), so that the library's ETA
// is right from the first photo of the next session (batch-eta.ts). Read leniently (a missing or
// damaged file is an empty one) and written atomically; losing it only costs a rougher first ETA.
import { availableParallelism } from 'node:os';
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { probeImage } from '../image/thumbnail';
import { writeFileAtomic } from '../models/atomic-write';
import { DEFAULT_ENGINE } from '../../protocol/restore';
import type { RestoreOptionsInput, RestoreResult } from '../../protocol/restore';

export interface RateKey {
  engine: string;
  provider: string;
  threads: number;
}

interface StoredRate extends RateKey {
  secondsPerMegapixel: number;
  /** Photos behind the mean (capped, so that the machine's present speed soon outweighs the past). */
  photos: number;
  /** When it was last measured (ms since the epoch). */
  at: number;
}

/** Older measurements count as at most this many photos against a new one. */
const MAX_WEIGHT = 9;

/**
 * CPU seconds per input megapixel of the Real-ESRGAN engines at their default tiles, measured on
 * the project's 2-core machine (docs/tiling.md: x4plus 170 x 2.25, x4fast 14.6 x 1.06), spread over
 * the threads: the first guess before anything was measured here.
 */
const ESTIMATED_CPU_SECONDS_PER_MEGAPIXEL: Record<string, number> = {
  'realesrgan-x4plus': 380,
  'realesrgan-x4fast': 16,
};

/** The estimate for `engine` with `threads` intra-op threads (0: the machine's default), if there is one. */
export function estimatedSecondsPerMegapixel(engine: string, threads = 0): number | undefined {
  const cpu = ESTIMATED_CPU_SECONDS_PER_MEGAPIXEL[engine];
  return cpu === undefined ? undefined : cpu / (threads > 0 ? threads : Math.max(1, Math.floor(availableParallelism() / 2)));
}

/** What a batch's photos will run with, as far as the options say before a photo ran. */
export interface RateRequest {
  engine: string;
  /** A concrete provider named alone ('cpu'); undefined for 'auto', 'gpu' or a list. */
  provider?: string;
  /** Threads asked for; undefined for the machine's default. */
  threads?: number;
}

export function rateRequest(options: RestoreOptionsInput): RateRequest {
  const providers = options.providers ?? [];
  const provider = providers.length === 1 && providers[0] !== 'auto' && providers[0] !== 'gpu' ? providers[0] : undefined;
  return { engine: options.engine ?? DEFAULT_ENGINE, ...(provider && { provider }), ...(options.threads ? { threads: options.threads } : {}) };
}

/** The input megapixels a restore of `path` will work on (the region's when one is given); undefined if its header cannot be read. */
export async function inputMegapixels(path: string, roi?: { width: number; height: number }): Promise<number | undefined> {
  if (roi) return (roi.width * roi.height) / 1e6;
  const header = await probeImage(path).catch(() => undefined);
  return header?.width && header.height ? (header.width * header.height) / 1e6 : undefined;
}

/** Seconds a restore of `path` should take by the rate measured on this machine (else the estimate). */
export async function priorSeconds(rates: MeasuredRates, options: RestoreOptionsInput, path: string): Promise<number | undefined> {
  const request = rateRequest(options);
  const rate = rates.lookup(request.engine, request) ?? estimatedSecondsPerMegapixel(request.engine, request.threads);
  const megapixels = rate === undefined ? undefined : await inputMegapixels(path, options.roi);
  return rate !== undefined && megapixels !== undefined ? rate * megapixels : undefined;
}

/** The megapixels a result's rate counts: its region's when it restored one, else the photo's. */
export function resultMegapixels(result: RestoreResult): number {
  const area = result.roi ?? result.inputSize;
  return (area.width * area.height) / 1e6;
}

/**
 * Folds a finished restore into the rates: `seconds` it took (the caller's clock, or the result's
 * own total) less the model's load, which happens once a batch, not per pixel.
 */
export function recordResult(rates: MeasuredRates, result: RestoreResult, seconds = result.timings.totalMs / 1000): Promise<void> {
  const work = Math.max(0, seconds - result.timings.loadModelMs / 1000);
  return rates.record({ engine: result.engine, provider: result.provider, threads: result.threads ?? 0 }, work, resultMegapixels(result));
}

const keyOf = (k: RateKey): string => `${k.engine}|${k.provider}|${k.threads}`;

export class MeasuredRates {
  private readonly rates = new Map<string, StoredRate>();
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly file: string,
    private readonly clock: () => number = Date.now,
  ) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      return; // none yet, or damaged: measured again as photos finish
    }
    const list = (raw as { rates?: unknown })?.rates;
    if (!Array.isArray(list)) return;
    for (const r of list as Partial<StoredRate>[]) {
      const valid = typeof r?.engine === 'string' && typeof r.provider === 'string' && Number.isInteger(r.threads) && Number.isFinite(r.secondsPerMegapixel) && r.secondsPerMegapixel! > 0;
      if (valid) this.rates.set(keyOf(r as RateKey), { ...(r as StoredRate), photos: Math.max(1, Math.min(MAX_WEIGHT, Number(r.photos) || 1)), at: Number(r.at) || 0 });
    }
  }

  /**
   * The rate measured for `engine`: for this provider and threads when the request names them
   * (a concrete provider such as 'cpu', a thread count above 0), else the most recent for the engine.
   */
  lookup(engine: string, want: { provider?: string; threads?: number } = {}): number | undefined {
    let best: StoredRate | undefined;
    for (const r of this.rates.values()) {
      if (r.engine !== engine || (want.provider !== undefined && r.provider !== want.provider) || (want.threads && r.threads !== want.threads)) continue;
      if (!best || r.at > best.at) best = r;
    }
    return best?.secondsPerMegapixel;
  }

  /** Resolves when every rate recorded so far is on disk. */
  saved(): Promise<void> {
    return this.writing;
  }

  /** A photo of `megapixels` took `seconds` of inference (model load left out): folded into the mean, then saved. */
  record(key: RateKey, seconds: number, megapixels: number): Promise<void> {
    if (!(seconds > 0 && megapixels > 0)) return this.writing;
    const rate = seconds / megapixels;
    const old = this.rates.get(keyOf(key));
    const photos = old ? Math.min(MAX_WEIGHT, old.photos) : 0;
    const mean = old ? (old.secondsPerMegapixel * photos + rate) / (photos + 1) : rate;
    this.rates.set(keyOf(key), { ...key, secondsPerMegapixel: mean, photos: photos + 1, at: this.clock() });
    const text = `${JSON.stringify({ version: 1, rates: [...this.rates.values()] }, null, 1)}\n`;
    // One write at a time, in order: the last one holds every rate.
    this.writing = this.writing
      .then(async () => {
        await mkdir(dirname(this.file), { recursive: true }); // a first run: its folder may not be there yet
        await writeFileAtomic(this.file, text);
      })
      .catch(() => undefined);
    return this.writing;
  }
}
