// The one public engine API: restore a photo file into a new file. Used by the worker, the CLI
// and the tests alike. Loaded models are kept between calls (loading x4plus takes ~1 s).
import * as v from 'valibot';
import { EngineError, throwIfAborted } from '../common/errors';
import { EtaEstimator } from '../common/eta';
import { decodeImage } from '../image/decode';
import { writeImage } from '../image/encode';
import { joinAlpha, rgbToGrey, to8Bit } from '../image/raster';
import { resizeRaster } from '../image/resize';
import type { RasterImage } from '../image/types';
import { catalogEntry } from '../models/catalog';
import { locateModel } from '../models/model-store';
import { studioHome } from '../models/paths';
import { PureEngine } from '../pure/pipeline/pure-engine';
import { perceive, withEngineLevels } from '../quality/perception';
import { RestoreOptionsSchema, type RestoreOptions, type RestoreOptionsInput, type RestoreProgress, type RestoreResult } from '../../protocol/restore';
import { checkOutput, defaultOutputPath } from './output-path';
import { entropyMapPath, pureInfo, pureModelDir, runPure, writeEntropyMap, type PureRun } from './pure-restore';
import { Upscaler } from './upscaler';

export const SOFTWARE = 'PURE Studio';

export interface RestoreContext {
  signal?: AbortSignal;
  onProgress?: (progress: RestoreProgress) => void;
}

/** Share of the whole job given to each stage, for one progress bar. */
const SPAN = { decode: [0, 0.03], load: [0.03, 0.08], restore: [0.08, 0.94], resize: [0.94, 0.96], encode: [0.96, 1] } as const;

export function parseRestoreOptions(input: RestoreOptionsInput): RestoreOptions {
  const parsed = v.safeParse(RestoreOptionsSchema, input);
  if (parsed.success) return parsed.output;
  const issue = parsed.issues[0];
  throw new EngineError('INVALID_OPTION', `Invalid option ${v.getDotPath(issue) ?? ''}: ${issue.message}.`);
}

/** Final size for the options: x4 natively, x2/x1 by downscaling the x4 result, or a width. */
export function targetSize(width: number, height: number, options: Pick<RestoreOptions, 'scale' | 'width'>): { width: number; height: number } {
  if (options.width) return { width: options.width, height: Math.max(1, Math.round((height * options.width) / width)) };
  return { width: width * options.scale, height: height * options.scale };
}

export class Restorer {
  private readonly loaded = new Map<string, Promise<Upscaler>>();
  private pure: { key: string; engine: Promise<PureEngine> } | undefined;

  constructor(private readonly home: string = studioHome()) {}

  async restore(input: string, output: string | undefined, optionsInput: RestoreOptionsInput, ctx: RestoreContext = {}): Promise<RestoreResult> {
    const options = parseRestoreOptions(optionsInput);
    const { signal } = ctx;
    const t0 = performance.now();
    const report = (stage: RestoreProgress['stage'], fraction: number, extra: Partial<RestoreProgress> = {}): void =>
      ctx.onProgress?.({ stage, fraction, ...extra });
    const outPath = output ?? (await defaultOutputPath(input));
    const format = await checkOutput(outPath, input, options.overwrite);
    throwIfAborted(signal);

    // Decode first: a bad file is refused before a model is loaded for it.
    report('decoding', SPAN.decode[0]);
    const decoded = await decodeImage(input, { maxPixels: options.maxInputPixels, signal });
    // Noise and blur as measured on the input, for every engine (a few ms per megapixel).
    const perception = perceive(decoded.rgb);
    const t1 = performance.now();

    report('loading-model', SPAN.load[0]);
    const restoreFraction = (f: number): number => SPAN.restore[0] + f * (SPAN.restore[1] - SPAN.restore[0]);
    let rgb: RasterImage;
    let provider: string;
    let tiles = 0;
    let workerPeakRssBytes: number;
    let pure: (PureRun & { engine: PureEngine }) | undefined;
    let t2: number;
    if (options.engine === 'pure') {
      const engine = await this.pureEngine(options);
      t2 = performance.now();
      report('restoring', restoreFraction(0));
      const run = await runPure(engine, to8Bit(decoded.rgb), options, (f, extra) => report('restoring', restoreFraction(f), extra), signal).catch((error: unknown) => {
        this.forgetPure(); // a cancelled or crashed process is gone: load afresh next time
        throw error;
      });
      pure = { ...run, engine };
      rgb = pure.rgb;
      provider = 'cpu';
      tiles = 1;
      workerPeakRssBytes = engine.peakRssBytes;
    } else {
      const upscaler = await this.upscaler(options);
      t2 = performance.now();
      const eta = new EtaEstimator(() => performance.now());
      report('restoring', restoreFraction(0), { tilesDone: 0 });
      const bitDepth = decoded.highBitDepth && (format === 'png' || format === 'tiff') ? 16 : 8;
      rgb = await upscaler
        .upscale(decoded.rgb, {
          tile: options.tile,
          bitDepth,
          signal,
          onTile: ({ tilesDone, tilesTotal }) => {
            tiles = tilesTotal;
            const f = tilesDone / tilesTotal;
            report('restoring', restoreFraction(f), { tilesDone, tilesTotal, etaSeconds: eta.update(f) });
          },
        })
        .catch((error: unknown) => {
          this.forget(options); // a cancelled or crashed worker process is gone: load afresh next time
          throw error;
        });
      provider = upscaler.provider;
      workerPeakRssBytes = upscaler.peakRssBytes;
    }
    const t3 = performance.now();

    report('resizing', SPAN.resize[0]);
    const size = targetSize(decoded.rgb.width, decoded.rgb.height, options);
    if (size.width !== rgb.width || size.height !== rgb.height) rgb = await resizeRaster(rgb, size.width, size.height);
    let final: RasterImage = rgb;
    if (decoded.alpha) {
      // Alpha is not photographic content: upscaled on its own (Lanczos), then re-attached.
      const alpha = await resizeRaster(decoded.alpha, size.width, size.height);
      final = joinAlpha(rgb, rgb.bitDepth === 8 ? to8Bit(alpha) : alpha);
    } else if (decoded.grey) {
      final = rgbToGrey(rgb);
    }
    throwIfAborted(signal);

    report('encoding', SPAN.encode[0]);
    await writeImage(outPath, final, {
      format,
      quality: options.quality,
      overwrite: options.overwrite,
      protectedPaths: [input],
      metadata: decoded.metadata,
      software: SOFTWARE,
      signal,
    });
    const entropyMap = pure ? await writeEntropyMap(entropyMapPath(outPath), pure.done, input) : undefined;
    const t4 = performance.now();
    report('done', 1);
    return {
      input,
      output: outPath,
      engine: options.engine,
      provider,
      inputSize: { width: decoded.rgb.width, height: decoded.rgb.height },
      outputSize: { width: final.width, height: final.height },
      tiles,
      workerPeakRssBytes,
      timings: { decodeMs: t1 - t0, loadModelMs: t2 - t1, inferenceMs: t3 - t2, encodeMs: t4 - t3, totalMs: t4 - t0 },
      ...(perception && { perception: pure ? withEngineLevels(perception, pure.done.perception) : perception }),
      ...(pure && entropyMap && { pure: pureInfo(pure.done, pure.engine, entropyMap) }),
    };
  }

  /** Ends all worker processes; call before the process exits. */
  async close(): Promise<void> {
    const all = [...this.loaded.values()];
    this.loaded.clear();
    this.forgetPure();
    await Promise.all(all.map((p) => p.then((u) => u.close(), () => undefined)));
  }

  private key(options: RestoreOptions): string {
    return `${options.engine}|${options.providers.join(',')}|${options.threads}`;
  }

  private forget(options: RestoreOptions): void {
    const key = this.key(options);
    const entry = this.loaded.get(key);
    this.loaded.delete(key);
    void entry?.then((u) => u.close(), () => undefined);
  }

  private pureEngine(options: RestoreOptions): Promise<PureEngine> {
    const dir = pureModelDir(options, this.home);
    const key = `${dir}|${options.threads}`;
    if (this.pure?.key !== key) {
      this.forgetPure();
      const engine = PureEngine.load(dir, options.threads);
      engine.catch(() => {
        if (this.pure?.engine === engine) this.pure = undefined;
      });
      this.pure = { key, engine };
    }
    return this.pure.engine;
  }

  private forgetPure(): void {
    const entry = this.pure;
    this.pure = undefined;
    void entry?.engine.then((e) => e.close(), () => undefined);
  }

  private upscaler(options: RestoreOptions): Promise<Upscaler> {
    const key = this.key(options);
    let entry = this.loaded.get(key);
    if (!entry) {
      entry = (async () => {
        const model = await locateModel(options.engine, this.home);
        const entry = catalogEntry(options.engine);
        return Upscaler.load(model.onnxPath, { scale: entry.scale, pad: entry.tilePad }, options.providers, options.threads);
      })();
      entry.catch(() => this.loaded.delete(key));
      this.loaded.set(key, entry);
    }
    return entry;
  }
}

let shared: Restorer | undefined;

/** Restores `input` into `output` (or `<name>-restored.<ext>` beside it). */
export function restoreImage(input: string, output: string | undefined, options: RestoreOptionsInput, ctx?: RestoreContext): Promise<RestoreResult> {
  shared ??= new Restorer();
  return shared.restore(input, output, options, ctx);
}

export async function closeEngines(): Promise<void> {
  await shared?.close();
  shared = undefined;
}
