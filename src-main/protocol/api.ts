// The one API the renderer talks to, whichever transport carries it: in the desktop app the
// preload exposes it as `window.pureStudio` (Electron IPC + a MessagePort for progress); in a
// browser the page builds it over the local HTTP bridge (src-main/bridge). The renderer imports
// this file with `import type` only; the schemas below are for the hosts (main, the bridge),
// which check every request from the page, since the page is never trusted.
import * as v from 'valibot';
import type { ErrorPayload } from '../engine/common/errors';
import type { JobEvent, ModelEvent } from './messages';
import { DEFAULT_ENGINE, ENGINE_IDS, RestoreOptionsSchema } from './restore';
import type { EngineId, ProviderId, RestoreEstimate, RestoreOptionsInput } from './restore';
import type { LibraryApi } from './library';

export * from './library';

/** Formats a result can be written in (the engine's OUTPUT_FORMATS; checked where both meet). */
export const OUTPUT_FORMAT_IDS = ['jpeg', 'png', 'webp', 'tiff', 'avif'] as const;
export type OutputFormatId = (typeof OUTPUT_FORMAT_IDS)[number];

export const THEMES = ['system', 'light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];

/**
 * Where restorations run, as the person chooses it; each is sent to the engine as the provider
 * word of the same name (restore.ts): 'auto' the graphics card when one is detected, else the
 * CPU; 'gpu' graphics-card providers only, no CPU fallback; 'cpu' the CPU only.
 */
export const PROCESSORS = ['auto', 'gpu', 'cpu'] as const satisfies readonly ProviderId[];
export type Processor = (typeof PROCESSORS)[number];

/** A photo in the library. `path` is the host's absolute path; the page treats it as an id. */
export interface PhotoItem {
  path: string;
  /** Its id in the library (library(), restorePhotos...), when it joined the library. */
  id?: number;
  name: string;
  /** The folder it was opened with, when it came from opening a folder. */
  folder?: string;
  bytes: number;
  /** Pixel size from the file's header. */
  width?: number;
  height?: number;
  /** Set when the header already shows the file cannot be restored. */
  problem?: ErrorPayload;
}

export interface FolderEntry {
  name: string;
  path: string;
  kind: 'folder' | 'photo';
}

export interface FolderListing {
  path: string;
  /** Absent at the top of what may be browsed. */
  parent?: string;
  entries: FolderEntry[];
  /** The files that are neither folders nor photos (a model's weights, say): not listed, counted. */
  otherFiles: { count: number; bytes: number };
  /** The model package the folder holds, when it is one (what Import would install). */
  modelPackage?: { kind: 'pure-package' | 'package'; name: string; testModel: boolean; dtype?: string };
}

export interface HostInfo {
  version: string;
  transport: 'electron' | 'bridge';
  /** Engines this host can run, default first. */
  engines: EngineId[];
  /** System open/save dialogs exist; otherwise the page offers its own, within `browseRoot`. */
  nativeDialogs: boolean;
  /** An application menu delivers commands with their shortcuts; otherwise the page binds them. */
  menu: boolean;
  /** "Reveal in folder" opens the system's file manager. */
  reveal: boolean;
  /** The folder the page's own picker may browse (bridge only). */
  browseRoot?: string;
}

/** Each setting's own check; the full schema adds defaults, a patch leaves them out. */
const SETTING_FIELDS = {
  theme: v.picklist(THEMES),
  engine: v.picklist(ENGINE_IDS),
  /** Size by scale (x1, x2, x4) or by a target width in pixels. */
  sizeMode: v.picklist(['scale', 'width'] as const),
  scale: v.picklist([1, 2, 4] as const),
  width: v.pipe(v.number(), v.integer(), v.minValue(16), v.maxValue(65535)),
  format: v.picklist(OUTPUT_FORMAT_IDS),
  quality: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(100)),
  processor: v.picklist(PROCESSORS),
};

export const SettingsSchema = v.object({
  theme: v.optional(SETTING_FIELDS.theme, 'system'),
  engine: v.optional(SETTING_FIELDS.engine, DEFAULT_ENGINE),
  sizeMode: v.optional(SETTING_FIELDS.sizeMode, 'scale'),
  scale: v.optional(SETTING_FIELDS.scale, 4),
  width: v.optional(SETTING_FIELDS.width, 2048),
  format: v.optional(SETTING_FIELDS.format, 'png'),
  quality: v.optional(SETTING_FIELDS.quality, 90),
  processor: v.optional(SETTING_FIELDS.processor, 'auto'),
  /** Most recent first; kept by the host, never set by the page. */
  recent: v.optional(v.array(v.pipe(v.string(), v.maxLength(4096))), []),
});
export type Settings = v.InferOutput<typeof SettingsSchema>;
export const SettingsPatchSchema = v.partial(v.object(SETTING_FIELDS));
export type SettingsPatch = v.InferOutput<typeof SettingsPatchSchema>;

const PathSchema = v.pipe(v.string(), v.minLength(1), v.maxLength(4096));

export const OpenPathsSchema = v.pipe(v.array(PathSchema), v.minLength(1), v.maxLength(1000));

export const RestoreCallSchema = v.object({
  input: PathSchema,
  options: RestoreOptionsSchema,
  /** The working copy's format; Save can still write another. */
  format: v.optional(v.picklist(OUTPUT_FORMAT_IDS), 'png'),
});
export type RestoreCall = { input: string; options: RestoreOptionsInput; format?: OutputFormatId };

export const ExportCallSchema = v.object({
  /** A result the app produced. */
  source: PathSchema,
  /** The photo it was restored from: never written, and the default name comes from it. */
  original: PathSchema,
  format: v.picklist(OUTPUT_FORMAT_IDS),
  quality: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(100))),
  /** The file to write. Absent: the desktop app asks with its save dialog. */
  destination: v.optional(PathSchema),
  /**
   * Replace a file already at `destination`: set only after the person confirmed Replace. The
   * photo's own original and folders are refused even so. The desktop app's system dialog asks
   * about replacing itself, so there its answer counts instead.
   */
  overwrite: v.optional(v.boolean(), false),
});
export type ExportCall = v.InferInput<typeof ExportCallSchema>;

export interface ExportOutcome {
  path: string;
  bytes: number;
  /** What the saved file could not keep (a damaged colour profile...), one sentence each. */
  warnings?: string[];
}

// ---- models (the Models page and the model-missing prompt) ----

/**
 * A model's state as the page shows it. ready: installed, every file pinned by the catalog;
 * unverified: installed, some file trusted on first use (or imported); downloading / converting:
 * a task holds it; paused: a download stopped part way (pull resumes it by Range); downloaded:
 * the files are here, the conversion has not run to the end (pull retries it); failed: the last
 * pull ended in an error, kept in `failure` (pull retries it, resuming what was kept; cancel
 * discards the downloads); damaged: files missing or the wrong size; missing: nothing installed.
 */
export const MODEL_STATUSES = ['ready', 'unverified', 'downloading', 'converting', 'paused', 'downloaded', 'failed', 'damaged', 'missing'] as const;
export type ModelStatusId = (typeof MODEL_STATUSES)[number];

/** What the host may be doing with a model on the page's behalf. */
export const MODEL_TASKS = ['pull', 'verify', 'import'] as const;
export type ModelTask = (typeof MODEL_TASKS)[number];

/** The model manager's phases (engine/models/model-progress.ts). */
export const MODEL_PHASES = ['waiting', 'resolving', 'downloading', 'verifying', 'converting', 'validating', 'installing', 'done'] as const;
export type ModelPhase = (typeof MODEL_PHASES)[number];

export interface ModelTaskProgress {
  phase: ModelPhase;
  /** The file being fetched or checked. */
  file?: string;
  /** Downloads: all files together (bytesTotal is approximate when some sizes are unknown). */
  bytesDone?: number;
  bytesTotal?: number;
  bytesPerSecond?: number;
  etaSeconds?: number;
  /** 0..1 in phases that know it (conversion, verification). */
  fraction?: number;
  message?: string;
}

export interface ModelFailure {
  stage: 'download' | 'convert';
  error: ErrorPayload;
  /** ISO time of the failure. */
  at: string;
}

export interface ModelItem {
  id: string;
  name: string;
  description: string;
  /** The app's engines that run this model (an engine whose model is missing gets the prompt). */
  engines: EngineId[];
  status: ModelStatusId;
  /** A tiny or random model for tests and benchmarks: it restores nothing. */
  testModel: boolean;
  /** Bytes on disk now: the model plus any (partial) downloads. */
  sizeOnDisk: number;
  /** Bytes already downloaded towards an install (partial files included). */
  downloadedBytes: number;
  /** Bytes a pull fetches (approximate where the catalog does not pin sizes). */
  downloadBytes: number;
  /** Bytes of the ready model: its files on disk once installed, the catalog's figure before. */
  installedBytes: number;
  /** Free space a pull needs at its peak (downloads and the converted package together). */
  diskNeededBytes: number;
  ramBytes: number;
  vramBytes?: number;
  /**
   * Where `ramBytes` and `vramBytes` come from: 'package' the installed package's own config and
   * dtype (PURE's memory preflight, the figure a restore checks); 'catalog' the catalog's figures
   * for the model it lists (before it is installed, and for engines without such a config).
   */
  requirementsFrom: 'catalog' | 'package';
  /** How an installed PURE package stores its weights (fp32, fp16, int4). */
  dtype?: string;
  /** Where the model is, or will be. */
  dir: string;
  licence: string;
  licenceNote?: string;
  homepage?: string;
  /** What is wrong, for damaged models (technical: the file and what differs). */
  problem?: string;
  /**
   * What Repair does for a damaged model: 'download' downloads it again (the damaged copy is
   * removed first); 'import' imports it again from `importedFrom`; absent: only Remove helps.
   */
  repair?: 'download' | 'import';
  /** The folder a damaged, imported model came from. */
  importedFrom?: string;
  /** Why the last pull failed, for failed models: fetching the files, or converting them. */
  failure?: ModelFailure;
  /** Shipped inside the app: cannot be removed. */
  bundled: boolean;
  /** Another PURE Studio process (a second window, the CLI) is working on it. */
  busyElsewhere?: string;
  /** What this host is doing with it for the page, and how far it is. */
  task?: ModelTask;
  progress?: ModelTaskProgress;
}

export interface ModelsOverview {
  /** The models folder. */
  folder: string;
  /** True when the folder is where the app puts it by default (never moved). */
  defaultFolder: boolean;
  /** The host can move the folder (desktop: it asks with a system dialog). */
  canMoveFolder: boolean;
  models: ModelItem[];
}

export const ModelIdSchema = v.pipe(v.string(), v.regex(/^[a-z0-9][a-z0-9._-]*$/, 'must be a model id'), v.maxLength(128));
export const ModelFolderSchema = v.pipe(v.string(), v.minLength(1), v.maxLength(4096));

/** Menu items and shortcuts, delivered to the page as commands. */
export const APP_COMMANDS = [
  'open-photos',
  'open-folder',
  'save',
  'run',
  'cancel',
  'toggle-compare',
  'zoom-in',
  'zoom-out',
  'zoom-fit',
  'zoom-actual',
  'reveal',
] as const;
export type AppCommand = (typeof APP_COMMANDS)[number];

/** A dropped file as the page has it: a DOM File (only its name and bytes are used here). */
export interface DroppedFile {
  readonly name: string;
  readonly size: number;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/**
 * The photo library's calls are declared with its types (library.ts, LibraryApi).
 * Errors reject as ErrorPayload objects (`{code, message, hint?}`), never as Error instances:
 * neither contextBridge nor JSON keeps more than an Error's message, and the page needs the code.
 */
export interface PureStudioApi extends LibraryApi {
  info(): Promise<HostInfo>;
  loadSettings(): Promise<Settings>;
  saveSettings(patch: SettingsPatch): Promise<Settings>;
  /** System dialog (desktop only). Resolves to the photos opened, [] when cancelled. */
  openDialog(kind: 'photos' | 'folder'): Promise<PhotoItem[]>;
  /** The page's own picker: lists a folder inside the host's browse root (bridge only). */
  browse(folder?: string): Promise<FolderListing>;
  /** Opens files or folders the host already trusts: chosen in `browse`, or from the recent list. */
  openPaths(paths: string[]): Promise<PhotoItem[]>;
  /** Files dropped on the window (desktop: read where they are; bridge: uploaded). */
  openDropped(files: DroppedFile[]): Promise<PhotoItem[]>;
  /** The URL of an opened photo, a result, or its thumbnail; only those are ever served. */
  mediaUrl(path: string, kind: 'image' | 'thumb'): string;
  /** Queues a restoration and resolves to its job id; follow it with `onEvent`. */
  restore(call: RestoreCall): Promise<string>;
  /**
   * PURE only: what restoring the photo with these options would take (tiles, time, measured or
   * assumed speed), without running anything; for an opened photo, like `restore`. Rejects with
   * MODEL_MISSING when no PURE model is installed.
   */
  estimate(call: RestoreCall): Promise<RestoreEstimate>;
  /** The job then ends with a 'failed' event coded CANCELLED. */
  cancel(jobId: string): Promise<void>;
  /** Every job event (progress, done, failed); returns an unsubscribe. */
  onEvent(callback: (event: JobEvent) => void): () => void;
  /** Writes a result where the person chose. Resolves undefined when they cancelled the dialog. */
  exportResult(call: ExportCall): Promise<ExportOutcome | undefined>;
  /** Shows a file in the system's file manager (desktop only). */
  reveal(path: string): Promise<void>;
  /** Menu commands (desktop); returns an unsubscribe. */
  onCommand(callback: (command: AppCommand) => void): () => void;
  /**
   * Whether a photo that can be looked at is on show, so the desktop's menu greys out zoom and
   * comparison without one. Absent where there is no app menu (the browser bridge).
   */
  setViewing?(viewing: boolean): Promise<void>;
  /** Photos opened from outside the page (the recent-files menu, a second launch); desktop only. */
  onOpened(callback: (items: PhotoItem[]) => void): () => void;

  // ---- models: long tasks start and return; follow them with `onModelEvent` ----
  /** Every model of the catalog with its state, and where the models folder is. */
  listModels(): Promise<ModelsOverview>;
  /** Downloads, converts and installs a model; resumes a paused download where it stopped. */
  pullModel(id: string): Promise<void>;
  /** Stops a download and keeps what arrived; `pullModel` continues it. */
  pauseModel(id: string): Promise<void>;
  /** Stops the model's task; a download's partial files are deleted. */
  cancelModel(id: string): Promise<void>;
  /** Re-hashes every file of an installed model. */
  verifyModel(id: string): Promise<void>;
  /** Deletes an installed model and its downloads. Resolves to the bytes freed. */
  removeModel(id: string): Promise<number>;
  /**
   * Installs a model from a folder (a converted package, or the original files). Desktop: the
   * system dialog asks which (`folder` is ignored); bridge: `folder` is inside the browse root.
   * Resolves to the model's id when installed, undefined when the dialog was cancelled.
   */
  importModel(folder?: string): Promise<string | undefined>;
  /** Moves the models folder (desktop: chosen in the system dialog); undefined when cancelled. */
  moveModelsFolder(): Promise<string | undefined>;
  /** Model task events (progress, ended, failed); returns an unsubscribe. */
  onModelEvent(callback: (event: ModelEvent) => void): () => void;
}

/** Replies from main's invoke handlers: errors travel as data (see PureStudioApi). */
export type Reply<T> = { ok: true; value: T } | { ok: false; error: ErrorPayload };

/** IPC channel names, shared by preload (sender) and main (handler). */
export const IPC_CHANNELS = {
  info: 'pure:info',
  loadSettings: 'pure:load-settings',
  saveSettings: 'pure:save-settings',
  openDialog: 'pure:open-dialog',
  openPaths: 'pure:open-paths',
  /** Paths the preload read from dropped File objects: trusted, since the page cannot forge them. */
  openDropped: 'pure:open-dropped',
  restore: 'pure:restore',
  estimate: 'pure:estimate',
  cancel: 'pure:cancel',
  exportResult: 'pure:export',
  reveal: 'pure:reveal',
  /** main -> renderer: a JobEvent that ends a job (done / failed). Progress uses the port below. */
  event: 'pure:event',
  /** main -> renderer: the MessagePort on which the worker streams progress. */
  progressPort: 'pure:progress-port',
  /** main -> renderer: an AppCommand from the menu. */
  command: 'pure:command',
  /** renderer -> main: whether a photo is on show (the menu's zoom and comparison items). */
  viewing: 'pure:viewing',
  /** main -> renderer: PhotoItem[] opened from the menu or a second launch. */
  opened: 'pure:opened',
  listModels: 'pure:models-list',
  pullModel: 'pure:models-pull',
  pauseModel: 'pure:models-pause',
  cancelModel: 'pure:models-cancel',
  verifyModel: 'pure:models-verify',
  removeModel: 'pure:models-remove',
  importModel: 'pure:models-import',
  moveModelsFolder: 'pure:models-move',
  /** main -> renderer: a ModelEvent. */
  modelEvent: 'pure:model-event',
  library: 'pure:library',
  restorePhotos: 'pure:library-restore',
  restoreAll: 'pure:library-restore-all',
  pauseQueue: 'pure:library-pause',
  retryFailed: 'pure:library-retry',
  cancelPhotos: 'pure:library-cancel',
  movePhoto: 'pure:library-move',
  removePhotos: 'pure:library-remove',
  setPhotoOverrides: 'pure:library-overrides',
  setLibrarySettings: 'pure:library-settings',
  saveAllRestored: 'pure:library-save-all',
  /** main -> renderer: a LibraryEvent. */
  libraryEvent: 'pure:library-event',
} as const;

/** The custom protocol serving images to the desktop page (see app/media-protocol.ts). */
export const MEDIA_SCHEME = 'pure-media';

/** Bridge routes and its auth header. */
export const BRIDGE = {
  tokenHeader: 'x-pure-token',
  /** The cookie's name is this plus `_<port>`: cookies ignore ports, so two bridges must not share one. */
  tokenCookie: 'pure_token',
  tokenParam: 'token',
} as const;
