// A batch of photos restored as one job: found from files and folders, mirrored into an output
// folder, its state in the library database so that a rerun after a finish, a Ctrl-C, a crash or
// a SIGKILL does only what is left, and leaves exactly one output per photo. Used by the CLI;
// the engine does the restoring (one Restorer: one model load for the whole batch).
import { mkdir, realpath } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { EngineError, toErrorPayload, type ErrorPayload } from '../common/errors';
import type { Restorer } from '../restore/restore';
import { parseRestoreOptions } from '../restore/restore';
import type { RestoreOptionsInput, RestoreProgress, RestoreResult } from '../../protocol/restore';
import { BatchEta } from './batch-eta';
import { decide } from './batch-plan';
import { fingerprintFile } from './fingerprint';
import { findInputs, type IgnoredInput } from './find-inputs';
import type { LibraryStore, PhotoRecord } from './library-types';
import { estimatedSecondsPerMegapixel, inputMegapixels, rateRequest, recordResult, resultMegapixels, type MeasuredRates } from './measured-rates';
import { outputExtension, outputFolder, planOutputPath } from './output-plan';
import { settingsHash } from './settings-hash';
import { removeLeftoverTemps } from './temp-cleanup';

export interface BatchSpec {
  /** Files and folders as the person named them. */
  inputs: readonly string[];
  /** Relative inputs and --out-dir are resolved against this (the caller's folder). */
  cwd: string;
  /** Mirror the tree under this folder (created if missing); absent: outputs beside the inputs. */
  outDir?: string;
  recursive: boolean;
  /** Restore everything again, replacing the batch's own outputs in place. */
  redo: boolean;
  options: RestoreOptionsInput;
  /** PURE: folder for finished tiles of the photo being restored (resume at tile level). */
  tilesDir?: string;
  /**
   * Seconds per input megapixel measured on this machine before (the CLI keeps them in its home):
   * the batch's ETA is right from its first photo, and this run's photos are added to them.
   */
  rates?: MeasuredRates;
}

export type PhotoStatus = 'restored' | 'done-before' | 'failed' | 'cancelled';

export interface PhotoOutcome {
  input: string;
  status: PhotoStatus;
  output?: string;
  error?: ErrorPayload;
  result?: RestoreResult;
}

export interface BatchProgress {
  /** 1-based index of the photo being restored among those this run restores. */
  photo: number;
  /** Photos this run restores (done-before ones excluded). */
  photos: number;
  input: string;
  /** The running photo's own progress. */
  progress: RestoreProgress;
  etaSeconds?: number;
}

export interface BatchSummary {
  total: number;
  restored: number;
  doneBefore: number;
  failed: number;
  failures: { input: string; code: ErrorPayload['code'] }[];
  ignored: IgnoredInput[];
  /** Temporary files of an earlier killed run that were removed. */
  cleaned: number;
  cancelled: boolean;
  seconds: number;
}

export interface BatchEvents {
  /** After finding and planning, before the first restore. */
  onPlanned?: (plan: { total: number; toRestore: number; doneBefore: number; ignored: IgnoredInput[] }) => void;
  onProgress?: (progress: BatchProgress) => void;
  onPhoto?: (outcome: PhotoOutcome) => void;
}

/** The library scope of a batch: one per output root, so that two batches never share outputs. */
export function batchScope(outRoot: string | undefined): string {
  return outRoot ? `cli:${outRoot}` : 'cli:beside';
}

/** Errors after which no other photo can succeed: stop instead of failing each in turn. */
const FATAL = new Set(['CANCELLED', 'MODEL_MISSING', 'DIGEST_MISMATCH', 'MODEL_FORMAT', 'PROVIDER_UNAVAILABLE', 'INVALID_OPTION', 'LIBRARY_BUSY', 'DISK_FULL']);

export async function runBatch(spec: BatchSpec, store: LibraryStore, restorer: Restorer, events: BatchEvents = {}, signal?: AbortSignal): Promise<BatchSummary> {
  const started = performance.now();
  const options = parseRestoreOptions(spec.options); // a bad option fails before anything is read
  let outRoot: string | undefined;
  if (spec.outDir) {
    const wanted = resolve(spec.cwd, spec.outDir);
    await mkdir(wanted, { recursive: true }).catch((error: unknown) => {
      throw new EngineError('OUTPUT_UNWRITABLE', `Cannot create the output folder "${wanted}": ${(error as Error).message}.`, 'Choose a folder you can write to.');
    });
    outRoot = await realpath(wanted);
  }
  const scope = batchScope(outRoot);
  store.recoverInterrupted(scope);

  const { found, ignored } = await findInputs(spec.inputs, spec.cwd, {
    recursive: spec.recursive,
    exclude: outRoot ? [outRoot] : [],
    isOutput: (path) => store.isOutput(path),
  });
  const records = store.add(scope, found);
  // An earlier run killed mid-write left hidden temporary files beside its planned outputs.
  const cleaned = await removeLeftoverTemps(records.flatMap((r) => (r.output ? [r.output] : [])));

  const summary: BatchSummary = { total: records.length, restored: 0, doneBefore: 0, failed: 0, failures: [], ignored, cleaned: cleaned.length, cancelled: false, seconds: 0 };
  const todo: { record: PhotoRecord; hash: string; ext: string }[] = [];
  for (const record of records) {
    const ext = outputExtension(record.input);
    const hash = settingsHash(options, ext);
    const decision = await decide(record, hash, spec.redo);
    if (decision.action === 'done-before') {
      summary.doneBefore += 1;
      events.onPhoto?.({ input: record.input, status: 'done-before', output: record.output });
    } else {
      todo.push({ record, hash, ext });
    }
  }
  events.onPlanned?.({ total: records.length, toRestore: todo.length, doneBefore: summary.doneBefore, ignored });

  const eta = batchEta(spec);
  // Header reads still under way stop with the batch (a fatal error may end it early).
  const sizing = new AbortController();
  const stopSizing = (): void => sizing.abort();
  signal?.addEventListener('abort', stopSizing, { once: true });
  const sizes = await megapixelsOf(todo.map((t) => t.record.input), spec.options.roi, sizing.signal);
  for (const [i, { record, hash, ext }] of todo.entries()) {
    if (signal?.aborted) {
      summary.cancelled = true;
      break;
    }
    const photoStarted = performance.now();
    const outcome = await restoreOne(record, hash, ext, { spec, store, restorer, outRoot, signal }, (progress) => {
      const seconds = (performance.now() - photoStarted) / 1000;
      const etaSeconds = eta.secondsLeftBySize(sizes.slice(i + 1), { megapixels: sizes[i], fraction: progress.fraction, seconds });
      events.onProgress?.({ photo: i + 1, photos: todo.length, input: record.input, progress, ...(etaSeconds !== undefined && { etaSeconds }) });
    });
    events.onPhoto?.(outcome);
    if (outcome.status === 'restored') {
      summary.restored += 1;
      const result = outcome.result!;
      const seconds = (performance.now() - photoStarted) / 1000;
      // The model's load happens once a batch, not per pixel: left out of the rate.
      eta.photoDone(Math.max(0, seconds - result.timings.loadModelMs / 1000), resultMegapixels(result));
      if (spec.rates) void recordResult(spec.rates, result, seconds);
    } else if (outcome.error?.code === 'CANCELLED') {
      summary.cancelled = true; // the photo is pending again: a rerun does it
      break;
    } else {
      summary.failed += 1;
      summary.failures.push({ input: record.input, code: outcome.error!.code });
    }
    if (outcome.error && FATAL.has(outcome.error.code)) break;
  }
  stopSizing();
  signal?.removeEventListener('abort', stopSizing);
  summary.seconds = (performance.now() - started) / 1000;
  await spec.rates?.saved();
  return summary;
}

/** The batch's ETA, with the rate measured before on this machine for its engine, else the estimate. */
function batchEta(spec: BatchSpec): BatchEta {
  const request = rateRequest(spec.options);
  const measured = spec.rates?.lookup(request.engine, request);
  const estimated = estimatedSecondsPerMegapixel(request.engine, request.threads);
  return new BatchEta({ ...(measured !== undefined && { measured }), ...(estimated !== undefined && { estimated }) });
}

/** Header reads before the first photo: enough for the first ETAs; the rest are read meanwhile. */
const SIZES_FIRST = 64;

/**
 * Each photo's input megapixels for the ETA (the region's when one is given), from its header:
 * the first SIZES_FIRST before this resolves, the others filled in while the batch runs. A photo
 * whose header cannot be read stays undefined (the ETA counts it as the mean); its restore says why.
 */
async function megapixelsOf(inputs: readonly string[], roi: { width: number; height: number } | undefined, signal?: AbortSignal): Promise<(number | undefined)[]> {
  const sizes = new Array<number | undefined>(inputs.length).fill(roi ? (roi.width * roi.height) / 1e6 : undefined);
  if (roi) return sizes;
  const read = async (from: number, to: number): Promise<void> => {
    for (let i = from; i < to && !signal?.aborted; i++) sizes[i] = await inputMegapixels(inputs[i]);
  };
  await read(0, Math.min(SIZES_FIRST, inputs.length));
  void read(SIZES_FIRST, inputs.length);
  return sizes;
}

interface RunContext {
  spec: BatchSpec;
  store: LibraryStore;
  restorer: Restorer;
  outRoot: string | undefined;
  signal?: AbortSignal;
}

async function restoreOne(record: PhotoRecord, hash: string, ext: string, ctx: RunContext, onProgress: (p: RestoreProgress) => void): Promise<PhotoOutcome> {
  const { store, spec } = ctx;
  try {
    // The name is fixed before anything is written, so a rerun after a kill replaces this
    // photo's own file instead of adding "-restored-2".
    let output = record.output;
    if (!output) {
      const folder = outputFolder(record, ctx.outRoot);
      await mkdir(folder, { recursive: true });
      const own = store.outputsIn(folder);
      output = await planOutputPath(record, folder, ext, { plannedByOthers: (p) => own.has(p), overwrite: spec.options.overwrite === true });
      store.planOutput(record.id, output);
    } else {
      await mkdir(outputFolder(record, ctx.outRoot), { recursive: true });
    }
    const fingerprint = await fingerprintFile(record.input, ctx.signal);
    store.markRunning(record.id, hash);
    const tiles = spec.tilesDir ? join(spec.tilesDir, createHash('sha256').update(`${record.scope}\0${record.input}`).digest('hex').slice(0, 24)) : undefined;
    // The planned output is this photo's own: replacing it is never overwriting someone's file.
    const result = await ctx.restorer.restore(record.input, output, { ...spec.options, overwrite: true }, { signal: ctx.signal, onProgress, ...(tiles && { resumeTiles: tiles }) });
    store.markDone(record.id, { output: result.output, settingsHash: hash, fingerprint, result: summarise(result) });
    return { input: record.input, status: 'restored', output: result.output, result };
  } catch (error) {
    const payload = toErrorPayload(error);
    if (payload.code === 'CANCELLED') store.markPending([record.id]);
    else store.markFailed(record.id, payload);
    return { input: record.input, status: payload.code === 'CANCELLED' ? 'cancelled' : 'failed', error: payload, ...(record.output && { output: record.output }) };
  }
}

/** What the library keeps of a result: enough to show it again, not the engine's whole report. */
function summarise(result: RestoreResult): Record<string, unknown> {
  return {
    engine: result.engine,
    provider: result.provider,
    inputSize: result.inputSize,
    outputSize: result.outputSize,
    seconds: result.timings.totalMs / 1000,
    ...(result.perception && { perception: result.perception }),
    ...(result.pure && { pure: { caption: result.pure.caption, text: result.pure.text, model: result.pure.model, testModel: result.pure.testModel, entropyMap: result.pure.entropyMap } }),
  };
}
