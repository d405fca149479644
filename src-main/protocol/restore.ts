// The restore contract shared by the engine, the worker, the CLI and the renderer.
// Types plus runtime validation (valibot), so messages crossing a process boundary are checked.
import * as v from 'valibot';

export const ENGINE_IDS = ['realesrgan-x4plus', 'realesrgan-x4fast'] as const;
export type EngineId = (typeof ENGINE_IDS)[number];
export const DEFAULT_ENGINE: EngineId = 'realesrgan-x4plus';

export const RestoreOptionsSchema = v.object({
  engine: v.optional(v.picklist(ENGINE_IDS), DEFAULT_ENGINE),
  /** Output scale relative to the input: 4 is native, 2 and 1 downscale the x4 result. */
  scale: v.optional(v.picklist([1, 2, 4] as const), 4),
  /** Target output width in pixels (height follows the aspect ratio); overrides scale. */
  width: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(65535))),
  /** Input tile size in pixels; smaller uses less memory. */
  tile: v.optional(v.pipe(v.number(), v.integer(), v.minValue(32), v.maxValue(2048)), 256),
  /** Inference threads (0 = let onnxruntime choose). */
  threads: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(256)), 0),
  /** Execution providers in order of preference; the first that loads is used. */
  providers: v.optional(v.array(v.picklist(['cpu', 'webgpu', 'cuda', 'dml'] as const)), ['cpu']),
  /** Largest accepted input in pixels (decompression-bomb guard). */
  maxInputPixels: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1)), 40_000_000),
  /** Lossy output quality 1..100. */
  quality: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(100))),
  overwrite: v.optional(v.boolean(), false),
});
export type RestoreOptionsInput = v.InferInput<typeof RestoreOptionsSchema>;
export type RestoreOptions = v.InferOutput<typeof RestoreOptionsSchema>;

export type RestoreStage = 'loading-model' | 'decoding' | 'restoring' | 'resizing' | 'encoding' | 'done';

export interface RestoreProgress {
  stage: RestoreStage;
  /** 0..1 over the whole job. */
  fraction: number;
  /** Tiles done / total during 'restoring'. */
  tilesDone?: number;
  tilesTotal?: number;
  /** Seconds left, once there is enough to estimate from. */
  etaSeconds?: number;
}

export interface RestoreResult {
  input: string;
  output: string;
  engine: EngineId;
  provider: string;
  inputSize: { width: number; height: number };
  outputSize: { width: number; height: number };
  tiles: number;
  timings: { decodeMs: number; loadModelMs: number; inferenceMs: number; encodeMs: number; totalMs: number };
  /** Peak resident memory of the inference process so far (not included in the caller's own RSS). */
  workerPeakRssBytes: number;
}
