// Everything the page's API does on the host's side, whichever transport carries it: the
// desktop app's main process (app/ipc.ts) and the HTTP bridge (bridge/) are thin adapters around
// this class. It owns the worker, the media scope (what the page may see), the library, results
// and settings, and it checks every request: the page is never trusted with a path.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import * as v from 'valibot';
import { EngineError, toErrorPayload } from '../../engine/common/errors';
import { displayFile, thumbnailFile } from '../../engine/image/thumbnail';
import { ModelService } from '../../engine/models/model-service';
import { ExportCallSchema, ModelIdSchema, OpenPathsSchema, RestoreCallSchema } from '../../protocol/api';
import type { ExportOutcome, FolderListing, HostInfo, OutputFormatId, PhotoItem, Settings } from '../../protocol/api';
import { isInside, lexicalProblem, MediaScope } from '../../protocol/media-scope';
import type { JobEvent } from '../../protocol/messages';
import { ENGINE_IDS } from '../../protocol/restore';
import type { RestoreEstimate, RestoreResult } from '../../protocol/restore';
import { EXTENSION_OF, exportResult } from './export';
import { assertWithinRoot, describePhoto, isWithin, listFolder, mapLimited } from './library';
import { defaultOutputFolder } from './library-settings';
import { PhotoLibrary } from './photo-library';
import { SettingsStore } from './settings-store';
import { UploadQuota } from './uploads';
import type { UploadSlot } from './uploads';
import { WorkerHost } from './worker-host';
import type { WorkerChild } from './worker-host';

/** How far a path from the page is trusted: the OS gave it (dialog, drop), or it must be checked. */
export type PathOrigin = 'os' | 'browse' | 'recent';

export interface StudioHostOptions {
  info: Omit<HostInfo, 'engines' | 'browseRoot'>;
  /** Results, uploads and the thumbnail cache live here. */
  stateDir: string;
  settingsFile: string;
  /** The only folder the bridge's picker may list and open from. */
  browseRoot?: string;
  /** All uploads together may take at most this (default UPLOADS_LIMIT_BYTES). */
  uploadLimitBytes?: number;
  /** Where the library's restored photos go until the person chooses (default: see library-settings.ts). */
  defaultOutputFolder?: string;
  spawnWorker: () => WorkerChild;
  onWorkerStart?: (child: WorkerChild) => void;
  log?: (line: string) => void;
}

interface PreviewJob {
  output: string;
  folder: string;
  previews?: { folder: string; allowed: Promise<boolean> };
}

export interface MediaFile {
  path: string;
  contentType: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.jpe': 'image/jpeg', '.png': 'image/png', '.webp': 'image/webp',
  '.gif': 'image/gif', '.avif': 'image/avif', '.tif': 'image/tiff', '.tiff': 'image/tiff',
};
/** Saved results are removed from the working folder after this long; unsaved ones never are. */
const RESULT_LIFETIME_MS = 3 * 24 * 3600 * 1000;
/** Written into a result's working folder once it has been saved somewhere. */
const SAVED_MARKER = '.saved';
/** Opening reads the headers of this many photos at once (sizes, problems); beyond, none: a
 * folder of 10,000 opens at once, and the library's background triage learns their sizes. */
const PROBE_ON_OPEN = 200;

function invalid(issues: readonly v.BaseIssue<unknown>[]): EngineError {
  const issue = issues[0];
  return new EngineError('INVALID_OPTION', `Invalid request ${v.getDotPath(issue) ?? ''}: ${issue.message}.`);
}

function parse<S extends v.GenericSchema>(schema: S, value: unknown): v.InferOutput<S> {
  const result = v.safeParse(schema, value);
  if (!result.success) throw invalid(result.issues);
  return result.output;
}

/** Files a result names that the page may show: the restored photo, and PURE's entropy map. */
function producedFiles(result: RestoreResult): string[] {
  return result.pure?.entropyMap ? [result.output, result.pure.entropyMap] : [result.output];
}

export class StudioHost {
  readonly scope = new MediaScope({ realpath });
  readonly workers: WorkerHost;
  /** The Models page's tasks (downloads, imports, checks), run here rather than in the worker. */
  readonly models: ModelService;
  /** The persistent photo library and its queue (the page's library calls). */
  readonly library: PhotoLibrary;
  private readonly settings: SettingsStore;
  /** Uploaded photos (the bridge): their folders and the limit on all of them. */
  readonly uploads: UploadQuota;
  private readonly listeners = new Set<(event: JobEvent) => void>();
  /** Running jobs: the photo and the folder their result goes to. */
  private readonly jobs = new Map<string, PreviewJob>();
  /** The library's running photos, for their previews only (their folders are never removed here). */
  private readonly libraryPreviews = new Map<string, PreviewJob>();
  /** Results produced (canonical path), with how they were encoded. */
  private readonly results = new Map<string, { format: OutputFormatId; quality?: number; original: string }>();
  private readonly log: (line: string) => void;
  private readonly thumbsDir: string;
  private readonly resultsDir: string;
  /** The browse root's real path, once started. */
  private realRoot: string | undefined;

  constructor(private readonly options: StudioHostOptions) {
    this.log = options.log ?? (() => {});
    this.settings = new SettingsStore(options.settingsFile);
    this.models = new ModelService({ canMoveFolder: options.info.nativeDialogs, log: this.log });
    this.thumbsDir = join(options.stateDir, 'thumbnails');
    this.resultsDir = join(options.stateDir, 'results');
    this.uploads = new UploadQuota(join(options.stateDir, 'uploads'), options.uploadLimitBytes);
    this.workers = new WorkerHost({
      spawn: options.spawnWorker,
      onStart: options.onWorkerStart,
      onEvent: (event) => void this.received(event),
      log: this.log,
    });
    this.library = new PhotoLibrary({
      stateDir: options.stateDir,
      defaultOutputFolder: options.defaultOutputFolder ?? defaultOutputFolder(options.browseRoot),
      ...(options.browseRoot && { browseRoot: options.browseRoot }),
      workers: this.workers,
      scope: this.scope,
      checkOptions: (options) => this.checkedModel(options),
      log: this.log,
    });
  }

  async start(): Promise<void> {
    if (this.options.browseRoot) this.realRoot = await realpath(this.options.browseRoot);
    await mkdir(this.thumbsDir, { recursive: true });
    await mkdir(this.resultsDir, { recursive: true });
    await this.scope.allowFolder(this.thumbsDir);
    await this.settings.load();
    await this.removeOldResults();
    this.workers.start();
    await this.library.start();
  }

  async stop(): Promise<void> {
    this.models.stop();
    await this.workers.stop();
    // Photos still running stay 'running' in the library: the next start queues them first.
    await this.library.close();
  }

  info(): HostInfo {
    const info: HostInfo = { ...this.options.info, engines: [...ENGINE_IDS] };
    if (this.options.browseRoot) info.browseRoot = this.options.browseRoot;
    return info;
  }

  onEvent(listener: (event: JobEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  loadSettings(): Settings {
    return this.visible(this.settings.get());
  }

  async saveSettings(patch: unknown): Promise<Settings> {
    return this.visible(await this.settings.update(patch));
  }

  /** Settings as this run's page sees them: in the bridge, no recent path outside its root. */
  private visible(settings: Settings): Settings {
    const root = this.options.browseRoot;
    if (!root) return settings;
    const roots = [resolve(root), ...(this.realRoot ? [this.realRoot] : [])];
    return { ...settings, recent: settings.recent.filter((path) => roots.some((folder) => isInside(resolve(path), folder))) };
  }

  /**
   * Opens files and folders: every photo found joins the library (folders to any depth) and
   * becomes visible to the page. Only the first few headers are read here (see PROBE_ON_OPEN).
   */
  async open(paths: unknown, origin: PathOrigin): Promise<PhotoItem[]> {
    const list = parse(OpenPathsSchema, paths);
    if (origin === 'browse') {
      if (!this.options.browseRoot) throw new EngineError('INPUT_UNREADABLE', 'This session has no folder to open photos from.');
      await assertWithinRoot(list, this.options.browseRoot);
    } else if (origin === 'recent') {
      const recent = this.loadSettings().recent;
      if (!list.every((path) => recent.includes(path))) throw new EngineError('INPUT_UNREADABLE', 'That file is not in the recent list any more.');
      // The recent list may be shared with runs over other roots (one state folder): checked again.
      if (this.options.browseRoot) await assertWithinRoot(list, this.options.browseRoot);
    }
    for (const path of list) {
      if (!(await stat(path).catch(() => undefined))) throw new EngineError('INPUT_NOT_FOUND', `"${path}" does not exist any more.`, 'It may have been moved or deleted.');
    }
    const records = await this.library.add(list, origin === 'browse' ? this.options.browseRoot : undefined);
    const items = await mapLimited(records, 8, async (record) => {
      const opened = list.includes(record.sourceRoot) ? { path: record.input, folder: record.sourceRoot } : { path: record.input };
      const item = await describePhoto(opened, records.length <= PROBE_ON_OPEN);
      item.id = record.id;
      item.path = await this.library.allow(item.path);
      return item;
    });
    await this.settings.addRecent(list);
    return items;
  }

  /** The bridge's picker: a folder inside the browse root (the root itself by default). */
  browse(folder: unknown): Promise<FolderListing> {
    const root = this.options.browseRoot;
    if (!root) throw new EngineError('INPUT_UNREADABLE', 'This session has no folder to browse.');
    const target = folder === undefined || folder === null || folder === '' ? root : parse(v.pipe(v.string(), v.maxLength(4096)), folder);
    return listFolder(target, root);
  }

  /**
   * Where the bridge writes an uploaded file: a fresh folder inside the state folder, with the
   * bytes it may take (all uploads together stay under a limit; see uploads.ts).
   */
  beginUpload(declared: number | undefined, perUpload: number): Promise<UploadSlot> {
    return this.uploads.begin(declared, perUpload);
  }

  /** Opens a file the host wrote itself (an upload); it joins the library like any other. */
  async openOwn(path: string): Promise<PhotoItem> {
    const [record] = await this.library.add([path]);
    const item = await describePhoto({ path });
    if (record) item.id = record.id;
    item.path = await this.scope.allowFile(path);
    return item;
  }

  /** Queues a restoration of an opened photo; its result goes to a fresh working folder. */
  async restore(call: unknown): Promise<string> {
    const parsed = parse(RestoreCallSchema, call);
    const { input, format } = parsed;
    const options = await this.checkedModel(parsed.options);
    if (!(await this.scope.isAllowedFile(input))) {
      throw new EngineError('INPUT_UNREADABLE', 'Only photos opened in PURE Studio can be restored.', 'Open the photo first.');
    }
    const folder = join(this.resultsDir, `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`);
    await mkdir(folder, { recursive: true });
    // Open before the job starts: in the desktop app progress (and PURE's previews in it) reaches
    // the page straight from the worker, possibly before this host has seen the same report.
    await this.scope.allowFolder(folder);
    const stem = basename(input, extname(input));
    const output = join(folder, `${stem}-restored${EXTENSION_OF[format]}`);
    let jobId: string;
    try {
      jobId = this.workers.restore(input, output, options);
    } catch (error) {
      await rm(folder, { recursive: true, force: true });
      throw error;
    }
    this.jobs.set(jobId, { output, folder });
    this.results.set(output, { format, quality: options.quality, original: input });
    return jobId;
  }

  /**
   * What a PURE restoration of an opened photo would take (tiles, time), with the options a
   * restore would get; the worker works it out without loading the model. `format` is ignored.
   */
  async estimate(call: unknown): Promise<RestoreEstimate> {
    const parsed = parse(RestoreCallSchema, call);
    const input = parsed.input;
    const options = await this.checkedModel(parsed.options);
    if (!(await this.scope.isAllowedFile(input))) {
      throw new EngineError('INPUT_UNREADABLE', 'Only photos opened in PURE Studio can be estimated.', 'Open the photo first.');
    }
    return this.workers.estimate(input, options);
  }

  /**
   * `options.model` as the page may name it: an installed model's id (replaced by its folder),
   * or in the bridge a folder inside the browse root. Any other folder gets one and the same
   * refusal, whether it exists or holds a model: the answer tells the page nothing about the disk.
   */
  async checkedModel<T extends { model?: string }>(options: T): Promise<T> {
    const model = options.model;
    if (model === undefined) return options;
    if (v.is(ModelIdSchema, model)) {
      const info = (await this.models.manager.list()).find((entry) => entry.id === model);
      if (!info || (info.status !== 'ready' && info.status !== 'unverified')) {
        throw new EngineError('MODEL_MISSING', `The model "${model}" is not installed.`, 'Install it on the Models page.');
      }
      return { ...options, model: info.dir };
    }
    const root = this.options.browseRoot;
    if (root && !lexicalProblem(model) && (await isWithin(model, root))) return options;
    throw new EngineError(
      'INVALID_OPTION',
      root ? 'options.model must be an installed model’s id or a folder inside the served folder.' : 'options.model must be an installed model’s id.',
    );
  }

  cancel(jobId: unknown): void {
    if (typeof jobId === 'string') this.workers.cancel(jobId);
  }

  /** A produced result, checked: only what this host wrote can be saved elsewhere. */
  async resultInfo(source: string): Promise<{ format: OutputFormatId; quality?: number; original: string }> {
    const real = await realpath(source).catch(() => source);
    const info = this.results.get(real) ?? this.results.get(source) ?? (await this.library.resultInfo(real));
    if (!info || !(await this.scope.isAllowedFile(real))) {
      throw new EngineError('INPUT_NOT_FOUND', 'That result is no longer available.', 'Restore the photo again, then save.');
    }
    return info;
  }

  /**
   * Saves a result where the call says (the bridge checked it lies inside the browse root), and
   * over an existing file only when the call's `overwrite` says the person confirmed Replace.
   * `systemDialogPath`: the desktop app's save dialog chose the place instead, and that dialog
   * already asked before replacing. The original is refused either way (export.ts).
   */
  async exportResult(call: unknown, systemDialogPath?: string): Promise<ExportOutcome> {
    const request = parse(ExportCallSchema, call);
    const info = await this.resultInfo(request.source);
    const target = systemDialogPath ?? request.destination;
    if (!target) throw new EngineError('OUTPUT_UNWRITABLE', 'No place to save was given.', 'Choose a folder and a file name.');
    const overwrite = systemDialogPath !== undefined || request.overwrite;
    const outcome = await exportResult({
      source: request.source,
      sourceFormat: info.format,
      sourceQuality: info.quality,
      original: info.original,
      destination: target,
      format: request.format,
      quality: request.quality,
      overwrite,
      // Another photo's original is refused as firmly as this one's (known-originals.ts).
      knownOriginals: () => this.library.originals(),
    });
    // A result saved once may leave the working folder after a while (see removeOldResults).
    const folder = await realpath(dirname(request.source)).catch(() => undefined);
    if (folder && dirname(folder) === (await realpath(this.resultsDir))) await writeFile(join(folder, SAVED_MARKER), '');
    outcome.path = await this.scope.allowFile(outcome.path);
    return outcome;
  }

  /** An image for the page, if the scope allows it: the photo (in a form browsers show) or a thumbnail. */
  async media(kind: 'image' | 'thumb', requested: string): Promise<MediaFile | undefined> {
    const decision = await this.scope.check(requested);
    if (!decision.allowed || !this.library.mayServe(decision.path)) {
      this.log(`refused media ${kind} for ${requested}: ${decision.allowed ? 'a result of a photo outside this library' : decision.reason}`);
      return undefined;
    }
    const file = kind === 'thumb' ? await thumbnailFile(decision.path, this.thumbsDir) : await displayFile(decision.path, this.thumbsDir);
    return { path: file, contentType: CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream' };
  }

  /** The canonical path of an opened, produced or saved file, for "reveal in folder". */
  async revealable(path: unknown): Promise<string> {
    if (typeof path !== 'string' || !(await this.scope.isAllowedFile(path))) {
      throw new EngineError('INPUT_NOT_FOUND', 'That file is not one PURE Studio opened or saved.');
    }
    return realpath(path);
  }

  private async received(event: JobEvent): Promise<void> {
    if (event.type === 'progress' && event.progress.preview && !(await this.allowPreview(event.jobId, event.progress.preview))) {
      const { preview: _dropped, ...progress } = event.progress;
      event = { ...event, progress };
    }
    if (this.library.queue.owns(event.jobId)) {
      // A photo of the library's queue: its output and state are the library's business.
      if (event.type === 'done') await this.allowProduced(event.result);
      if (event.type !== 'progress') this.libraryPreviews.delete(event.jobId);
      await this.library.queue.jobEvent(event);
    } else if (event.type !== 'progress') {
      const job = this.jobs.get(event.jobId);
      this.jobs.delete(event.jobId);
      if (event.type === 'done') {
        await this.allowProduced(event.result);
      } else if (job) {
        // Nothing was written (outputs appear atomically): the empty working folder goes too.
        this.results.delete(job.output);
        await rm(job.folder, { recursive: true, force: true });
      }
    }
    for (const listener of this.listeners) listener(event);
  }

  /** Lets the page see what a job wrote (the photo, PURE's entropy map). */
  private async allowProduced(result: RestoreResult): Promise<void> {
    for (const path of producedFiles(result)) {
      try {
        const real = await this.scope.allowFile(path);
        const info = this.results.get(path);
        if (info) this.results.set(real, info);
      } catch (error) {
        this.log(`produced file ${path} cannot be served: ${toErrorPayload(error).message}`);
      }
    }
  }

  /**
   * PURE's live previews live in a folder inside the job's own working folder (which the page may
   * read from the start), or for a library photo beside its output; a preview named anywhere else
   * is not passed on.
   */
  private allowPreview(jobId: string, preview: string): Promise<boolean> {
    const libraryOutput = this.library.queue.outputOf(jobId);
    if (libraryOutput && !this.libraryPreviews.has(jobId)) this.libraryPreviews.set(jobId, { output: libraryOutput, folder: dirname(libraryOutput) });
    const job = this.jobs.get(jobId) ?? this.libraryPreviews.get(jobId);
    if (!job) return Promise.resolve(false);
    const folder = dirname(preview);
    // One check per job, shared by the reports that arrive while it runs.
    if (job.previews) return job.previews.folder === folder ? job.previews.allowed : Promise.resolve(false);
    const allowed = (async () => {
      try {
        const [real, own] = [await realpath(folder), await realpath(job.folder)];
        const ok = dirname(real) === own && isInside(real, own);
        // A library photo's output folder is the person's, not ours to open to the page: only
        // the job's own preview folder beside it is.
        if (ok && libraryOutput) await this.scope.allowFolder(real);
        return ok;
      } catch (error) {
        this.log(`preview ${preview} cannot be served: ${toErrorPayload(error).message}`);
        return false;
      }
    })();
    job.previews = { folder, allowed };
    return allowed;
  }

  /** Old results that were saved somewhere; a result nobody saved is never deleted. */
  private async removeOldResults(): Promise<void> {
    const now = Date.now();
    for (const name of await readdir(this.resultsDir).catch(() => [])) {
      const folder = join(this.resultsDir, name);
      const info = await stat(folder).catch(() => undefined);
      const saved = await stat(join(folder, SAVED_MARKER)).then(() => true, () => false);
      if (info && saved && now - info.mtimeMs > RESULT_LIFETIME_MS) await rm(folder, { recursive: true, force: true });
    }
  }
}
