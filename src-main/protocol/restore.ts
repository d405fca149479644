// The restore contract shared by the engine, the worker, the CLI and the renderer.
// Types plus runtime validation (valibot), so messages crossing a process boundary are checked.
import * as v from 'valibot';

export const ENGINE_IDS = ['realesrgan-x4plus', 'realesrgan-x4fast', 'pure'] as const;
export type EngineId = (typeof ENGINE_IDS)[number];
export const DEFAULT_ENGINE: EngineId = 'realesrgan-x4plus';

export const PROVIDER_IDS = ['auto', 'gpu', 'cpu', 'webgpu', 'cuda', 'dml'] as const;
export type ProviderId = (typeof PROVIDER_IDS)[number];

export const RestoreOptionsSchema = v.object({
  engine: v.optional(v.picklist(ENGINE_IDS), DEFAULT_ENGINE),
  /** Output scale relative to the input: 4 is native, 2 and 1 downscale the x4 result. */
  scale: v.optional(v.picklist([1, 2, 4] as const), 4),
  /** Target output width in pixels (height follows the aspect ratio); overrides scale. */
  width: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(65535))),
  /**
   * Input tile size in pixels; smaller uses less memory. Unset: each engine's measured default
   * (engine/restore/realesrgan-tiling.ts: x4plus 512 for its body's tiles, the head's are fixed; x4fast 512; docs/tiling.md).
   */
  tile: v.optional(v.pipe(v.number(), v.integer(), v.minValue(32), v.maxValue(2048))),
  /** Inference threads (0 = one per physical core this process may use: engine/runtime/thread-count.ts). */
  threads: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(256)), 0),
  /**
   * Execution providers in order of preference; the first that loads is used. Two words stand for
   * a list the engine process works out on this machine: 'gpu' = the graphics-card providers this
   * platform has (CUDA where its libraries are installed, DirectML on Windows, WebGPU), and 'auto'
   * = those followed by the CPU when a graphics card is detected, else just the CPU.
   */
  providers: v.optional(v.pipe(v.array(v.picklist(PROVIDER_IDS)), v.minLength(1)), ['auto']),
  /** Largest accepted input in pixels (decompression-bomb guard). */
  maxInputPixels: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1)), 40_000_000),
  /** Lossy output quality 1..100. */
  quality: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(100))),
  overwrite: v.optional(v.boolean(), false),
  /** Give the output the original's modification time (photo managers sort by it). */
  keepModifiedTime: v.optional(v.boolean(), true),
  /**
   * Region of interest in input pixels (upright, after EXIF rotation): only this part of the photo
   * is restored and written, so the output is the region upscaled. Checked against the photo.
   */
  roi: v.optional(
    v.object({
      x: v.pipe(v.number(), v.integer(), v.minValue(0)),
      y: v.pipe(v.number(), v.integer(), v.minValue(0)),
      width: v.pipe(v.number(), v.integer(), v.minValue(1)),
      height: v.pipe(v.number(), v.integer(), v.minValue(1)),
    }),
  ),
  // --- PURE only ---
  /** Folder of a converted PURE package; default: the store's `pure-7b`. */
  model: v.optional(v.pipe(v.string(), v.minLength(1))),
  /** The same seed and input give the same restoration. */
  seed: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(2 ** 53 - 1)), 0),
  /** Replaces the generated degradation + caption text (forced token by token). */
  caption: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(2000))),
  guidance: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(10))),
  temperature: v.optional(v.pipe(v.number(), v.gtValue(0), v.maxValue(5))),
  kMin: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
  kMax: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
  entropyMu: v.optional(v.number()),
  /** Stop after this many generated tokens (LQ codes fill the rest): quick previews and tests. */
  maxNewTokens: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
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
  /** PURE: which of its three steps is running, and where in the token stream it is. */
  phase?: 'perceive' | 'understand' | 'restore';
  token?: number;
  totalTokens?: number;
  rowsDone?: number;
  rows?: number;
  tokensPerSecond?: number;
  /**
   * PURE: absolute path of a small PNG of the whole picture so far (finished tiles, the current
   * tile's rows over the bicubic upscale). Sent again with every later report of the job; the file
   * lives in a folder beside the output and is gone once the job ends.
   */
  preview?: string;
}

/** A rectangle in input pixels. */
export interface Region {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** PURE's up-front work estimate: tiles, and time at a tokens-per-second figure. */
export interface PureEstimate {
  tiles: number;
  /** Tiles across and down. */
  columns: number;
  rows: number;
  /** Input pixels per tile side (the model's LQ size: 128 at x4, 256 at x2). */
  tileSize: number;
  /** Upscaling factor the model runs at (4 or 2); the output is resized after for other sizes. */
  factor: number;
  /** New tokens generated per tile (text + image, or the --max-new-tokens budget). */
  tokensPerTile: number;
  tokensPerSecond: number;
  /** Fixed cost per tile besides the generated tokens (prefill, VQ encode and decode). */
  overheadSecondsPerTile: number;
  seconds: number;
  /** 'measured': from an earlier run of this model on this machine; 'assumed': a rough guess from the model's size. */
  source: 'measured' | 'assumed';
}

/**
 * What a PURE restoration of a photo would take, worked out before anything runs (the engine's
 * Restorer.estimate; `restore --estimate` prints it, the page shows it beside Restore).
 */
export interface RestoreEstimate {
  input: string;
  engine: 'pure';
  inputSize: { width: number; height: number };
  /** The region the estimate is for, when one was given (outputSize is then that region upscaled). */
  roi?: Region;
  outputSize: { width: number; height: number };
  estimate: PureEstimate;
  /** The installed package is a TEST MODEL (random weights): its time says nothing about PURE's. */
  testModel: boolean;
}

export const DEGRADATION_LEVELS = ['small', 'medium', 'large'] as const;
export type DegradationLevel = (typeof DEGRADATION_LEVELS)[number];

/** Noise and blur of the input as perceived before restoring (docs/quality/perception.md). */
export interface Perception {
  noise: DegradationLevel;
  blur: DegradationLevel;
  /** The measurements behind the levels: noise sigma (0..255 scale), Gaussian blur sigma (input pixels). */
  estimates: { noiseSigma: number; blurSigma: number };
  /** 'model': the levels are the engine's own (PURE's generated text); 'estimated': measured from the pixels. */
  source: 'estimated' | 'model';
}

export interface RestoreResult {
  input: string;
  output: string;
  engine: EngineId;
  provider: string;
  /** Every provider tried, in order; the ones before `provider` carry why they could not be used. */
  providerAttempts?: { provider: string; error?: string }[];
  /** onnxruntime's intra-op threads the engine ran with: the `threads` option, or the default chosen for this machine. */
  threads?: number;
  inputSize: { width: number; height: number };
  /** The region restored, when one was asked for (outputSize is then that region upscaled). */
  roi?: Region;
  outputSize: { width: number; height: number };
  tiles: number;
  timings: { decodeMs: number; loadModelMs: number; inferenceMs: number; encodeMs: number; totalMs: number };
  /** Peak resident memory of the inference process so far (not included in the caller's own RSS). */
  workerPeakRssBytes: number;
  /** Absent when the input is too small or too flat to measure. */
  perception?: Perception;
  /** What PURE perceived and understood, when the engine is PURE. */
  pure?: PureResultInfo;
  /** What the output could not keep, in plain words (e.g. a colour profile that was cut short). */
  warnings?: string[];
}

/**
 * Where PURE's KV cache lived while it generated: 'device' (on the graphics card between steps),
 * 'host-static' (JS-owned buffers read in place), 'host-concat' (copied through JS every step).
 */
export type KvCacheDesign = 'device' | 'host-static' | 'host-concat';

export interface PureResultInfo {
  /** The model's name; test models say "TEST MODEL" in it. */
  model: string;
  testModel: boolean;
  /** The generated (or forced) degradation + description text, as written. */
  text: string;
  caption: string;
  /** False when no degradation level could be read from the text: show `text` as it is. */
  parsed: boolean;
  /** A PNG of the 64x64 per-token entropy (nats, 0..10 mapped to 0..255) beside the output. */
  entropyMap: string;
  imageComplete: boolean;
  tokensPerSecond: number;
  kvCache: KvCacheDesign;
  /** What was estimated before the first tile; timings.inferenceMs says what it took. */
  estimate: PureEstimate;
}
