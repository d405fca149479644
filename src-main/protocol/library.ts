// The app's persistent photo library as the page sees it: the items, the queue, the output folder
// and the events that keep a page in step. Re-exported by api.ts; the renderer imports types only.
// The schemas check every request from the page (the hosts parse with them): ids are numbers the
// host gave out, options are checked like a single restore's, paths are checked again by the host.
import * as v from 'valibot';
import type { ErrorPayload } from '../engine/common/errors';
import { ENGINE_IDS, RestoreOptionsSchema } from './restore';
import type { DegradationLevel, EngineId, Perception, RestoreOptionsInput } from './restore';

const OUTPUT_FORMATS = ['jpeg', 'png', 'webp', 'tiff', 'avif'] as const;

/**
 * A photo's state in the library. idle: in the library, never queued (or taken out of the
 * queue); pending: queued, waiting its turn (see queuePos); running: being restored now; done:
 * restored (output says where); failed: the last try failed (error says why; retryFailed queues
 * it again); skipped: left out on purpose (error says why).
 */
export const LIBRARY_STATES = ['idle', 'pending', 'running', 'done', 'failed', 'skipped'] as const;
export type LibraryState = (typeof LIBRARY_STATES)[number];

/** Per-photo settings, merged over the queue call's options when that photo runs. */
export interface PhotoOverrides {
  engine?: EngineId;
  scale?: 1 | 2 | 4;
  /** PURE: this photo's own caption (never shared with other photos). */
  caption?: string;
  /** PURE: this photo's seed. */
  seed?: number;
}

/** What the last restoration of a photo reported, trimmed to what the page shows. */
export interface LibraryResult {
  engine: EngineId;
  provider?: string;
  inputSize?: { width: number; height: number };
  outputSize: { width: number; height: number };
  /** Seconds the restoration took in the worker. */
  seconds?: number;
  perception?: Perception;
  /** PURE only: the caption it used or generated for this photo, its full text, its entropy map. */
  pure?: { caption: string; text?: string; model?: string; testModel?: boolean; entropyMap?: string };
}

/** The fast degradation estimate made in the background after opening (no model involved). */
export interface PhotoTriage {
  noise: DegradationLevel;
  blur: DegradationLevel;
  /** The measurements: noise sigma (0..255 scale), blur sigma (pixels of the small decode). */
  noiseSigma?: number;
  blurSigma?: number;
  /** Large degradation: PURE is worth its time here. */
  suggestPure: boolean;
}

export interface LibraryPhoto {
  /** The host's id for the photo; stable across restarts. */
  id: number;
  /** Absolute path of the original, allowed in the media scope (mediaUrl works with it). */
  path: string;
  name: string;
  /** The opened folder it was found in (for a file opened by itself: its folder). */
  folder?: string;
  /** '/'-separated path relative to `folder`: the mirrored place of its output. */
  rel: string;
  state: LibraryState;
  /**
   * Pending only: the photo's place in the queue as a sort key (lower runs first; not an index,
   * and not contiguous). Sort the pending photos by it for the queue's order.
   */
  queuePos?: number;
  /** The worker job restoring it (running only): its progress arrives through `onEvent`. */
  jobId?: string;
  error?: ErrorPayload;
  /** The restored file (done only), allowed in the media scope. */
  output?: string;
  /** When the result was written to the output folder (ms since 1970); absent: not saved yet. */
  savedAt?: number;
  result?: LibraryResult;
  triage?: PhotoTriage;
  overrides?: PhotoOverrides;
  /** The original's size in bytes, when it has been read. */
  bytes?: number;
  /** Pixel size, once known (after a restoration or triage); absent until then. */
  width?: number;
  height?: number;
}

export interface LibrarySnapshot {
  /** Every photo, by folder and relative path. */
  items: LibraryPhoto[];
  /** Where restored photos are written (mirrored layout, `<name>-restored.<ext>`). */
  outputFolder: string;
  /** The output folder used when the person has not chosen one. */
  defaultOutputFolder: string;
  /** Each finished photo is written to the output folder at once (on by default). */
  autoSave: boolean;
  /** The queue is paused: nothing new starts (the running photo finishes). */
  paused: boolean;
  /** More photos were found than the library takes (`limit`): the rest were left out. */
  truncated?: boolean;
  /** The most photos the library holds. */
  limit: number;
}

/** Whole-library progress, sent whenever the queue moves. */
export interface QueueStatus {
  /** Photos of this run finished (done, failed, or skipped) + 1 while one runs: "3 of 40". */
  position: number;
  /** Photos in this run: finished + running + waiting. */
  total: number;
  /** Photos restored in this run. */
  done: number;
  failed: number;
  paused: boolean;
  /** Seconds until the queue is empty, from this session's measured rate; absent until known. */
  etaSeconds?: number;
}

/**
 * Events of the library, separate from job events (`onEvent`): follow them with
 * `onLibraryEvent`. library: one photo's record changed; library-removed: photos left the
 * library; library-changed: many photos changed at once (opened, saved): call `library()` again.
 */
export type LibraryEvent =
  | { type: 'library'; item: LibraryPhoto }
  | { type: 'library-removed'; ids: number[] }
  | { type: 'library-changed' }
  | ({ type: 'queue' } & QueueStatus)
  | { type: 'queue-finished'; restored: number; failed: number };

/** What a queue call did. */
export interface QueueOutcome {
  /** Photos added to the queue. */
  queued: number;
  /** Photos already done with the same settings and an unchanged original: left as they are. */
  alreadyDone: number;
}

export interface SaveOutcome {
  /** Results written into the output folder. */
  saved: number;
  /** Results that could not be written, with why. */
  failed: { id: number; error: ErrorPayload }[];
}

/**
 * The photo library's part of PureStudioApi (api.ts): persistent (photos opened with openDialog,
 * openPaths or openDropped join it), with a queue the host feeds to the worker one photo at a
 * time. Errors reject as ErrorPayload objects, like every call of the API.
 */
export interface LibraryApi {
  /** The whole library, the output folder and whether the queue is paused. */
  library(): Promise<LibrarySnapshot>;
  /**
   * Queues these photos (in this order, after those already waiting). The queue runs every
   * waiting photo with the options of the latest queue call, each under its own overrides (the
   * PURE caption only ever comes from a photo's own overrides, never from `options`). A done
   * photo whose original and settings are unchanged stays done (counted in `alreadyDone`).
   */
  restorePhotos(call: RestorePhotosCall): Promise<QueueOutcome>;
  /** Queues every photo not restored yet (and done ones whose original changed since). */
  restoreAll(call: RestoreAllCall): Promise<QueueOutcome>;
  /** Pauses (the running photo finishes, nothing new starts) or resumes the queue. */
  pauseQueue(paused: boolean): Promise<void>;
  /** Queues every failed photo again. Resolves to how many. */
  retryFailed(): Promise<number>;
  /** Stops these photos: a running one is cancelled, waiting ones leave the queue (back to idle). */
  cancelPhotos(ids: number[]): Promise<void>;
  /** Moves a waiting photo to `toIndex` (0 = next) in the queue. */
  movePhoto(id: number, toIndex: number): Promise<void>;
  /** Removes photos from the library (never from the disk); running ones are cancelled first. */
  removePhotos(ids: number[]): Promise<void>;
  /** Replaces a photo's own settings (engine, scale, PURE caption and seed); {} clears them. */
  setPhotoOverrides(id: number, overrides: PhotoOverrides): Promise<LibraryPhoto>;
  /**
   * Changes the output folder or auto-save; resolves to the library as it now is. Bridge: the
   * folder must lie inside the browse root (it is created when first written). Desktop: naming
   * `outputFolder` opens the system's folder dialog there, and the folder chosen in it is used.
   */
  setLibrarySettings(patch: LibrarySettingsPatch): Promise<LibrarySnapshot>;
  /** Writes every restored photo not saved yet into the output folder (mirrored layout). */
  saveAllRestored(): Promise<SaveOutcome>;
  /** Library and queue events; returns an unsubscribe. */
  onLibraryEvent(callback: (event: LibraryEvent) => void): () => void;
}

// ---- requests from the page (checked by the hosts) ----

const PhotoIdSchema = v.pipe(v.number(), v.integer(), v.minValue(1));
const PhotoIdsSchema = v.pipe(v.array(PhotoIdSchema), v.maxLength(100_000));
const FormatSchema = v.optional(v.picklist(OUTPUT_FORMATS));

export const PhotoIdsCallSchema = PhotoIdsSchema;

export const RestorePhotosCallSchema = v.object({
  ids: v.pipe(PhotoIdsSchema, v.minLength(1)),
  options: RestoreOptionsSchema,
  /** The output format; absent: the original's own when it can be written, else PNG. */
  format: FormatSchema,
});
export type RestorePhotosCall = { ids: number[]; options: RestoreOptionsInput; format?: (typeof OUTPUT_FORMATS)[number] };

export const RestoreAllCallSchema = v.object({ options: RestoreOptionsSchema, format: FormatSchema });
export type RestoreAllCall = { options: RestoreOptionsInput; format?: (typeof OUTPUT_FORMATS)[number] };

export const PhotoOverridesSchema = v.object({
  engine: v.optional(v.picklist(ENGINE_IDS)),
  scale: v.optional(v.picklist([1, 2, 4] as const)),
  caption: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(2000))),
  seed: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(2 ** 53 - 1))),
});

export const MovePhotoCallSchema = v.object({ id: PhotoIdSchema, toIndex: v.pipe(v.number(), v.integer(), v.minValue(0)) });

export const LibrarySettingsPatchSchema = v.object({
  outputFolder: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(4096))),
  autoSave: v.optional(v.boolean()),
});
export type LibrarySettingsPatch = { outputFolder?: string; autoSave?: boolean };

// The interface and its schema must agree: this fails to compile the moment they drift apart.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const overridesMatch: Same<v.InferOutput<typeof PhotoOverridesSchema>, PhotoOverrides> = true;
void overridesMatch;
