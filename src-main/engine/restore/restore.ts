// The one public engine API: restore a photo file into a new file. Used by the worker, the CLI
// and the tests alike. Loaded models are kept between calls (loading x4plus takes ~1 s).
import { dirname } from 'node:path';
import * as v from 'valibot';
import { EngineError, throwIfAborted } from '../common/errors';
import { EtaEstimator } from '../common/eta';
import { decodeImage } from '../image/decode';
import { writeImage } from '../image/encode';
import { joinAlpha, rgbToGrey, to8Bit } from '../image/raster';
import { vqLqRgb8 } from '../pure/vq/vq-lq-rgb8';
import { resizeRaster } from '../image/resize';
import type { DecodedImage, RasterImage } from '../image/types';
import { catalogEntry } from '../models/catalog';
import { locateModel } from '../models/model-store';
import { studioHome } from '../models/paths';
import { decoderGraphFiles, readPureManifest } from '../pure/package/pure-manifest';
import { decoderPlanFor, PURE_PROVIDER_PREFERENCE } from '../pure/pipeline/decoder-runner-choice';
import { PureEngine } from '../pure/pipeline/pure-engine';
import { perceive, withEngineLevels } from '../quality/perception';
import { isGpuProvider, resolveProvidersHere, type ConcreteProvider } from '../runtime/resolve-providers';
import type { ProviderAttempt } from '../runtime/worker-messages';
import { RestoreOptionsSchema, type RestoreOptions, type RestoreEstimate, type RestoreOptionsInput, type RestoreProgress, type RestoreResult } from '../../protocol/restore';
import { checkOutput, defaultOutputPath } from './output-path';
import { entropyMapPath, pureInfo, pureModelDir, runPure, writeEntropyMap, type PureRun, type PureTiling } from './pure-restore';
import { assumedSpeed, estimatePure, stepCost, tokensPerTile } from './pure-tile-estimate';
import { resolveThreads } from '../runtime/thread-count';
import { planPureTiles, pureFactor, pureTileGeometry } from './pure-tile-plan';
import { PureTileCheckpoint } from './pure-tile-checkpoint';
import { tileCheckpointKey } from './pure-tile-checkpoint-key';
import { PureTilePreview } from './pure-tile-preview';
import { measuredSpeed, recordSpeed } from './pure-tile-speed';
import { PhotoSizes } from './photo-sizes';
import { checkRoi, cropDecoded } from './roi';
import { realesrganTileSettings } from './realesrgan-tiling';
import { Upscaler } from './upscaler';

export const SOFTWARE = 'PURE Studio';

export interface RestoreContext {
  signal?: AbortSignal;
  onProgress?: (progress: RestoreProgress) => void;
  /**
   * PURE: write live previews (small PNGs in a folder beside the output, removed a few seconds
   * after the end) and name them in the progress. Off by default: only a page has somewhere to
   * show them.
   */
  previews?: boolean;
  /** How long the previews outlive the job (default PREVIEW_LINGER_MS; 0: removed at the end). */
  previewLingerMs?: number;
  /**
   * PURE: keep each finished tile in this folder, and take the tiles already there, so that a
   * restoration interrupted by a kill or a crash resumes at its first unfinished tile. The folder
   * is removed once the output is written. Tiles of another input or other settings are ignored.
   */
  resumeTiles?: string;
}

/** What `restore --estimate` prints: the work a PURE restoration would do, nothing run. */
/** The up-front estimate of a PURE restoration (the protocol's shape, shared with the page). */
export type EstimateResult = RestoreEstimate;

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

/** Options whose providers are concrete onnxruntime providers (no 'auto' or 'gpu'). */
type ResolvedOptions = RestoreOptions & { providers: ConcreteProvider[] };

export class Restorer {
  private readonly loaded = new Map<string, Promise<Upscaler>>();
  private pure: { key: string; engine: Promise<PureEngine> } | undefined;
  private readonly photoSizes = new PhotoSizes();

  constructor(private readonly home: string = studioHome()) {}

  async restore(input: string, output: string | undefined, optionsInput: RestoreOptionsInput, ctx: RestoreContext = {}): Promise<RestoreResult> {
    const parsed = parseRestoreOptions(optionsInput);
    // 'auto' and 'gpu' become this machine's providers here, once, before the engine caches are
    // keyed on them: the engines and onnxruntime only ever see concrete providers. PURE takes the
    // cards that keep its KV cache on the device first (decoder-runner-choice.ts).
    const options: ResolvedOptions = { ...parsed, providers: await resolveProvidersHere(parsed.providers, parsed.engine === 'pure' ? PURE_PROVIDER_PREFERENCE : {}) };
    const t0 = performance.now();
    // The latest preview goes with every later report, so a page never loses it between two.
    let preview: string | undefined;
    let last: RestoreProgress = { stage: 'decoding', fraction: 0 };
    const report = (stage: RestoreProgress['stage'], fraction: number, extra: Partial<RestoreProgress> = {}): void => {
      last = { stage, fraction, ...extra, ...(preview && stage !== 'done' && { preview }) };
      ctx.onProgress?.(last);
    };
    let previews: PureTilePreview | undefined;
    try {
      return await this.run(input, output, options, ctx, t0, report, async (source, tiling, folder) => {
        previews = await PureTilePreview.create(
          folder,
          source,
          tiling.plan,
          tiling.geometry.factor,
          (path) => {
            preview = path;
            report(last.stage, last.fraction, { ...last, preview: path });
          },
          { ...(ctx.previewLingerMs !== undefined && { lingerMs: ctx.previewLingerMs }) },
        );
        return previews;
      });
    } finally {
      await previews?.close();
    }
  }

  /** The up-front estimate of a PURE restoration: tiles and time, without loading the model. */
  async estimate(input: string, optionsInput: RestoreOptionsInput): Promise<EstimateResult> {
    const parsed = parseRestoreOptions(optionsInput);
    const options: ResolvedOptions = { ...parsed, providers: await resolveProvidersHere(parsed.providers, parsed.engine === 'pure' ? PURE_PROVIDER_PREFERENCE : {}) };
    if (options.engine !== 'pure') {
      throw new EngineError('INVALID_OPTION', '--estimate is for the PURE engine (Real-ESRGAN takes seconds, not hours).', 'Add --engine pure.', {
        gui: { message: 'Only a PURE restoration has an estimate: Real-ESRGAN takes seconds, not hours.', hint: 'Choose PURE as the engine.' },
      });
    }
    const full = await this.photoSizes.of(input, options.maxInputPixels);
    if (options.roi) checkRoi(options.roi, full.width, full.height);
    const { width, height } = options.roi ?? full;
    const tiling = await this.pureTiling(options, width, height);
    return {
      input,
      engine: 'pure',
      inputSize: { width: full.width, height: full.height },
      ...(options.roi && { roi: options.roi }),
      outputSize: targetSize(width, height, options),
      estimate: tiling.estimate,
      testModel: tiling.testModel,
    };
  }

  private async pureTiling(options: ResolvedOptions, width: number, height: number): Promise<PureTiling> {
    const dir = pureModelDir(options, this.home);
    const manifest = await readPureManifest(dir);
    const geometry = pureTileGeometry(manifest.config.imageSize, pureFactor(options, width));
    const plan = planPureTiles(width, height, geometry);
    // Unmeasured: guessed for where the chain starts (a GPU first is expected to load; if it does
    // not, the first run records the CPU's real figure).
    const first = options.providers[0] ?? 'cpu';
    const device = isGpuProvider(first) ? 'gpu' : 'cpu';
    const design = decoderPlanFor(first, decoderGraphFiles(manifest)).kvCache;
    const speed = (await measuredSpeed(this.home, dir, options.threads, options.providers)) ?? assumedSpeed(manifest.config, manifest.dtype, device, design, resolveThreads(options.threads));
    const estimate = estimatePure(plan, geometry, tokensPerTile(manifest.config, options.maxNewTokens), speed);
    return { plan, geometry, estimate, stepCost: stepCost(manifest.config, manifest.dtype, device, design), testModel: manifest.testModel === true };
  }

  private async run(
    input: string,
    output: string | undefined,
    options: ResolvedOptions,
    ctx: RestoreContext,
    t0: number,
    report: (stage: RestoreProgress['stage'], fraction: number, extra?: Partial<RestoreProgress>) => void,
    startPreviews: (source: { rgb: Uint8Array; width: number; height: number }, tiling: PureTiling, folder: string) => Promise<PureTilePreview>,
  ): Promise<RestoreResult> {
    const { signal } = ctx;
    const outPath = output ?? (await defaultOutputPath(input));
    const format = await checkOutput(outPath, input, options.overwrite);
    throwIfAborted(signal);

    // Decode first: a bad file is refused before a model is loaded for it.
    report('decoding', SPAN.decode[0]);
    const full = await decodeImage(input, { maxPixels: options.maxInputPixels, signal });
    // A region is cut out before anything else sees the pixels: every engine restores just it.
    const decoded: DecodedImage = options.roi ? cropDecoded(full, options.roi) : full;
    // Noise and blur as measured on the input, for every engine (a few ms per megapixel).
    const perception = perceive(decoded.rgb);
    const t1 = performance.now();

    report('loading-model', SPAN.load[0]);
    const restoreFraction = (f: number): number => SPAN.restore[0] + f * (SPAN.restore[1] - SPAN.restore[0]);
    let rgb: RasterImage;
    let provider: string;
    let providerAttempts: readonly ProviderAttempt[];
    let threads: number;
    let tiles = 0;
    let workerPeakRssBytes: number;
    let pure: (PureRun & { engine: PureEngine; tiling: PureTiling; checkpoint?: PureTileCheckpoint }) | undefined;
    let t2: number;
    if (options.engine === 'pure') {
      const tiling = await this.pureTiling(options, decoded.rgb.width, decoded.rgb.height);
      const engine = await this.pureEngine(options);
      t2 = performance.now();
      const rgb8 = vqLqRgb8(decoded.rgb, decoded.alpha); // transparent pixels onto white, as upstream
      const previews = ctx.previews ? await startPreviews({ rgb: rgb8.data as Uint8Array, width: rgb8.width, height: rgb8.height }, tiling, dirname(outPath)) : undefined;
      const checkpoint = ctx.resumeTiles ? new PureTileCheckpoint(ctx.resumeTiles, await tileCheckpointKey(input, options, tiling)) : undefined;
      const run = await runPure(engine, rgb8, options, tiling, (f, extra) => report('restoring', restoreFraction(f), extra), signal, previews, checkpoint).catch((error: unknown) => {
        this.forgetPure(); // a cancelled or crashed process is gone: load afresh next time
        throw error;
      });
      await recordSpeed(this.home, pureModelDir(options, this.home), options.threads, engine.provider, run.speed);
      pure = { ...run, engine, tiling, checkpoint };
      rgb = pure.rgb;
      provider = engine.provider;
      providerAttempts = engine.providerAttempts;
      threads = engine.threads;
      tiles = tiling.plan.count;
      workerPeakRssBytes = engine.peakRssBytes;
    } else {
      const upscaler = await this.upscaler(options);
      t2 = performance.now();
      const eta = new EtaEstimator(() => performance.now());
      report('restoring', restoreFraction(0), { tilesDone: 0 });
      const bitDepth = decoded.highBitDepth && (format === 'png' || format === 'tiff') ? 16 : 8;
      // Each engine's measured tile and blend unless --tile is given (realesrgan-tiling.ts).
      const { tile, overlap, pad } = realesrganTileSettings(options.engine, upscaler.pad, options.tile);
      rgb = await upscaler
        .upscale(decoded.rgb, {
          tile,
          overlap,
          pad,
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
      providerAttempts = upscaler.providerAttempts;
      threads = upscaler.threads;
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
    const warnings: string[] = [];
    await writeImage(outPath, final, {
      format,
      quality: options.quality,
      overwrite: options.overwrite,
      protectedPaths: [input],
      metadata: decoded.metadata,
      software: SOFTWARE,
      keepModifiedTimeOf: options.keepModifiedTime ? input : undefined,
      onWarning: (message) => warnings.push(message),
      signal,
    });
    const entropyMap = pure ? await writeEntropyMap(entropyMapPath(outPath), pure.entropy, size, input) : undefined;
    await pure?.checkpoint?.clear(); // written: the saved tiles have served
    const t4 = performance.now();
    report('done', 1);
    return {
      input,
      output: outPath,
      engine: options.engine,
      provider,
      providerAttempts: providerAttempts.map((a) => ({ ...a })),
      threads,
      inputSize: { width: full.rgb.width, height: full.rgb.height },
      ...(options.roi && { roi: options.roi }),
      outputSize: { width: final.width, height: final.height },
      tiles,
      workerPeakRssBytes,
      timings: { decodeMs: t1 - t0, loadModelMs: t2 - t1, inferenceMs: t3 - t2, encodeMs: t4 - t3, totalMs: t4 - t0 },
      ...(perception && { perception: pure ? withEngineLevels(perception, pure.done.perception) : perception }),
      ...(pure && entropyMap && { pure: pureInfo(pure, pure.engine, entropyMap, pure.tiling.estimate) }),
      ...(warnings.length > 0 && { warnings }),
    };
  }

  /** Ends all worker processes; call before the process exits. */
  async close(): Promise<void> {
    const all = [...this.loaded.values()];
    this.loaded.clear();
    this.forgetPure();
    await Promise.all(all.map((p) => p.then((u) => u.close(), () => undefined)));
  }

  private key(options: ResolvedOptions): string {
    return `${options.engine}|${options.providers.join(',')}|${options.threads}`;
  }

  private forget(options: ResolvedOptions): void {
    const key = this.key(options);
    const entry = this.loaded.get(key);
    this.loaded.delete(key);
    void entry?.then((u) => u.close(), () => undefined);
  }

  private pureEngine(options: ResolvedOptions): Promise<PureEngine> {
    const dir = pureModelDir(options, this.home);
    const key = `${dir}|${options.providers.join(',')}|${options.threads}`;
    if (this.pure?.key !== key) {
      this.forgetPure();
      const engine = PureEngine.load(dir, options.threads, options.providers);
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

  private upscaler(options: ResolvedOptions): Promise<Upscaler> {
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
