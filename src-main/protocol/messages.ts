// The messages between main and the utility worker (and, for job events, on to the renderer).
// Everything crossing a process boundary is checked at runtime: a structured clone keeps the
// shape of whatever was sent, not the shape TypeScript promised.
import * as v from 'valibot';
import { ERROR_CODES, EngineError } from '../engine/common/errors';
import type { ErrorCode, ErrorPayload } from '../engine/common/errors';
import { DEGRADATION_LEVELS, ENGINE_IDS, RestoreOptionsSchema } from './restore';
import type { RestoreEstimate, RestoreProgress, RestoreResult } from './restore';
import { MODEL_PHASES, MODEL_TASKS, ModelIdSchema } from './api';
import type { ModelTaskProgress } from './api';

// Re-exported so the renderer, which may import only from protocol/, can name them.
export type { ErrorCode, ErrorPayload } from '../engine/common/errors';

const JobIdSchema = v.pipe(v.string(), v.minLength(1), v.maxLength(128));
/** Names one estimate request, so that its answer finds the caller waiting for it. */
const RequestIdSchema = v.pipe(v.string(), v.minLength(1), v.maxLength(128));
// Paths come from a file dialog or the command line; the engine checks that they exist.
const PathSchema = v.pipe(v.string(), v.minLength(1), v.maxLength(4096));
const Fraction = v.pipe(v.number(), v.minValue(0), v.maxValue(1));
const Count = v.pipe(v.number(), v.integer(), v.minValue(0));
const Size = v.object({ width: Count, height: Count });

export const RestoreProgressSchema = v.object({
  stage: v.picklist(['loading-model', 'decoding', 'restoring', 'resizing', 'encoding', 'done'] as const),
  fraction: Fraction,
  tilesDone: v.optional(Count),
  tilesTotal: v.optional(Count),
  etaSeconds: v.optional(v.pipe(v.number(), v.minValue(0))),
  phase: v.optional(v.picklist(['perceive', 'understand', 'restore'] as const)),
  token: v.optional(Count),
  totalTokens: v.optional(Count),
  rowsDone: v.optional(Count),
  rows: v.optional(Count),
  tokensPerSecond: v.optional(v.number()),
  preview: v.optional(PathSchema),
});

const RegionSchema = v.object({ x: Count, y: Count, width: Count, height: Count });

const PureEstimateSchema = v.object({
  tiles: Count,
  columns: Count,
  rows: Count,
  tileSize: Count,
  factor: Count,
  tokensPerTile: Count,
  tokensPerSecond: v.pipe(v.number(), v.minValue(0)),
  overheadSecondsPerTile: v.pipe(v.number(), v.minValue(0)),
  seconds: v.pipe(v.number(), v.minValue(0)),
  source: v.picklist(['measured', 'assumed'] as const),
});

export const RestoreResultSchema = v.object({
  input: v.string(),
  output: v.string(),
  engine: v.picklist(ENGINE_IDS),
  provider: v.string(),
  threads: v.optional(Count),
  inputSize: Size,
  roi: v.optional(RegionSchema),
  outputSize: Size,
  tiles: Count,
  timings: v.object({
    decodeMs: v.number(),
    loadModelMs: v.number(),
    inferenceMs: v.number(),
    encodeMs: v.number(),
    totalMs: v.number(),
  }),
  workerPeakRssBytes: v.number(),
  perception: v.optional(
    v.object({
      noise: v.picklist(DEGRADATION_LEVELS),
      blur: v.picklist(DEGRADATION_LEVELS),
      estimates: v.object({ noiseSigma: v.number(), blurSigma: v.number() }),
      source: v.picklist(['estimated', 'model'] as const),
    }),
  ),
  pure: v.optional(
    v.object({
      model: v.string(),
      testModel: v.boolean(),
      text: v.string(),
      caption: v.string(),
      parsed: v.boolean(),
      entropyMap: v.string(),
      imageComplete: v.boolean(),
      tokensPerSecond: v.number(),
      kvCache: v.picklist(['device', 'host-static', 'host-concat'] as const),
      estimate: PureEstimateSchema,
    }),
  ),
});

export const RestoreEstimateSchema = v.object({
  input: v.string(),
  engine: v.literal('pure'),
  inputSize: Size,
  roi: v.optional(RegionSchema),
  outputSize: Size,
  estimate: PureEstimateSchema,
  testModel: v.boolean(),
});

export const ErrorPayloadSchema = v.object({
  code: v.picklist(ERROR_CODES),
  message: v.string(),
  hint: v.optional(v.string()),
  /** The same error worded for the app's window (errors.ts, GuiWording). */
  gui: v.optional(v.object({ message: v.optional(v.string()), hint: v.optional(v.string()) })),
});

// The interfaces in restore.ts and errors.ts are the contract; these checks fail to compile the
// moment a schema and its interface drift apart.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const schemasMatchContract: [
  Same<v.InferOutput<typeof RestoreProgressSchema>, RestoreProgress>,
  Same<v.InferOutput<typeof RestoreResultSchema>, RestoreResult>,
  Same<v.InferOutput<typeof ErrorPayloadSchema>, ErrorPayload>,
  Same<v.InferOutput<typeof RestoreEstimateSchema>, RestoreEstimate>,
] = [true, true, true, true];
void schemasMatchContract;

// ---- main -> worker ----

export const RestoreRequestSchema = v.object({
  type: v.literal('restore'),
  jobId: JobIdSchema,
  input: PathSchema,
  /** Absent: the engine picks a name next to the input. */
  output: v.optional(PathSchema),
  options: RestoreOptionsSchema,
  /**
   * PURE: a folder where finished tiles are kept, so that a run interrupted by a kill, a crash or
   * closing the app resumes at its first unfinished tile (the engine removes it once the output
   * is written). The library gives each photo its own.
   */
  resumeTiles: v.optional(PathSchema),
});

/**
 * PURE's up-front estimate for a photo (tiles and time, no model loaded). Answered at once with
 * 'estimated' or 'estimate-failed', never queued behind a running restore.
 */
export const EstimateRequestSchema = v.object({
  type: v.literal('estimate'),
  requestId: RequestIdSchema,
  input: PathSchema,
  options: RestoreOptionsSchema,
});

export const WorkerRequestSchema = v.variant('type', [
  RestoreRequestSchema,
  EstimateRequestSchema,
  v.object({ type: v.literal('cancel'), jobId: JobIdSchema }),
  /** Liveness check: the worker answers with 'pong'. */
  v.object({ type: v.literal('ping') }),
  /** Cancel everything and exit; main kills the process if this takes too long. */
  v.object({ type: v.literal('shutdown') }),
  /** Carries a MessagePort (in the message's ports) on which to stream progress to a page. */
  v.object({ type: v.literal('attach-progress-port') }),
]);

/** A request as received: options have their defaults filled in. */
export type WorkerRequest = v.InferOutput<typeof WorkerRequestSchema>;
/** A request as sent: options may leave fields out. */
export type WorkerRequestInput = v.InferInput<typeof WorkerRequestSchema>;
export type RestoreRequest = v.InferOutput<typeof RestoreRequestSchema>;
export type EstimateRequest = v.InferOutput<typeof EstimateRequestSchema>;

// ---- worker -> main (job events continue on to the renderer) ----

export const JobEventSchema = v.variant('type', [
  v.object({ type: v.literal('progress'), jobId: JobIdSchema, progress: RestoreProgressSchema }),
  v.object({ type: v.literal('done'), jobId: JobIdSchema, result: RestoreResultSchema }),
  v.object({ type: v.literal('failed'), jobId: JobIdSchema, error: ErrorPayloadSchema }),
]);

/** The answers to an 'estimate' request; they stay between main and the worker. */
export const EstimateEventSchema = v.variant('type', [
  v.object({ type: v.literal('estimated'), requestId: RequestIdSchema, result: RestoreEstimateSchema }),
  v.object({ type: v.literal('estimate-failed'), requestId: RequestIdSchema, error: ErrorPayloadSchema }),
]);

export const WorkerEventSchema = v.variant('type', [...JobEventSchema.options, ...EstimateEventSchema.options, v.object({ type: v.literal('pong') })]);

/** What the renderer sees: everything about one job. */
export type JobEvent = v.InferOutput<typeof JobEventSchema>;
export type WorkerEvent = v.InferOutput<typeof WorkerEventSchema>;
export type EstimateEvent = v.InferOutput<typeof EstimateEventSchema>;

// ---- host -> page: model tasks (the Models page) ----

const Bytes = v.pipe(v.number(), v.minValue(0));

export const ModelTaskProgressSchema = v.object({
  phase: v.picklist(MODEL_PHASES),
  file: v.optional(v.string()),
  bytesDone: v.optional(Bytes),
  bytesTotal: v.optional(Bytes),
  bytesPerSecond: v.optional(Bytes),
  etaSeconds: v.optional(v.pipe(v.number(), v.minValue(0))),
  fraction: v.optional(Fraction),
  message: v.optional(v.string()),
});

const modelTask = { id: ModelIdSchema, task: v.picklist(MODEL_TASKS) };

export const ModelEventSchema = v.variant('type', [
  v.object({ type: v.literal('progress'), ...modelTask, progress: ModelTaskProgressSchema }),
  /** done: the task finished; paused: a download stopped, its bytes kept; cancelled: stopped, downloads deleted. */
  v.object({ type: v.literal('ended'), ...modelTask, outcome: v.picklist(['done', 'paused', 'cancelled'] as const) }),
  v.object({ type: v.literal('failed'), ...modelTask, error: ErrorPayloadSchema }),
  /** Models changed without a task of this page (removed, the folder moved): list them again. */
  v.object({ type: v.literal('changed') }),
]);

export type ModelEvent = v.InferOutput<typeof ModelEventSchema>;

const modelProgressMatchesContract: Same<v.InferOutput<typeof ModelTaskProgressSchema>, ModelTaskProgress> = true;
void modelProgressMatchesContract;

// ---- parsing ----

/**
 * A message that does not match the protocol. Issues under `options` are the user's to fix
 * (INVALID_OPTION); any other mismatch means the two sides disagree, which is a bug (INTERNAL).
 */
export class ProtocolError extends EngineError {
  constructor(what: string, issues: readonly v.BaseIssue<unknown>[]) {
    const details = issues.map((issue) => `${v.getDotPath(issue) ?? '(message)'}: ${issue.message}`).join('; ');
    const code: ErrorCode = issues.every((issue) => v.getDotPath(issue)?.startsWith('options.')) ? 'INVALID_OPTION' : 'INTERNAL';
    super(code, `Invalid ${what}: ${details}`);
    this.name = 'ProtocolError';
  }
}

function parseWith<S extends v.GenericSchema>(schema: S, what: string, value: unknown): v.InferOutput<S> {
  const result = v.safeParse(schema, value);
  if (!result.success) throw new ProtocolError(what, result.issues);
  return result.output;
}

/** Checks a message arriving at the worker; throws ProtocolError when it does not fit. */
export function parseWorkerRequest(value: unknown): WorkerRequest {
  return parseWith(WorkerRequestSchema, 'worker request', value);
}

/** Checks a message arriving from the worker; throws ProtocolError when it does not fit. */
export function parseWorkerEvent(value: unknown): WorkerEvent {
  return parseWith(WorkerEventSchema, 'worker event', value);
}

/** Checks a job event arriving in the page's preload (from main or the progress port). */
export function parseJobEvent(value: unknown): JobEvent {
  return parseWith(JobEventSchema, 'job event', value);
}

/** The jobId of a message that failed validation, when one can be read, so its job can fail. */
export function jobIdOf(value: unknown): string | undefined {
  const result = v.safeParse(v.object({ jobId: JobIdSchema }), value);
  return result.success ? result.output.jobId : undefined;
}

/** The requestId of an estimate request that failed validation, so that it can be answered. */
export function requestIdOf(value: unknown): string | undefined {
  const result = v.safeParse(v.object({ type: v.literal('estimate'), requestId: RequestIdSchema }), value);
  return result.success ? result.output.requestId : undefined;
}

/** Checks a model event arriving in the page's preload. */
export function parseModelEvent(value: unknown): ModelEvent {
  return parseWith(ModelEventSchema, 'model event', value);
}
