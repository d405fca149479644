// The app's persistent photo library: one SQLite file in the state folder (engine/library), the
// photos people opened, their states, results, per-photo settings and captions, the output
// folder, and the queue (library-queue.ts). StudioHost hands it the page's library calls; every
// call is parsed here, since the page is never trusted.
import { mkdir, realpath, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import * as v from 'valibot';
import { EngineError } from '../../engine/common/errors';
import { formatFromPath } from '../../engine/image/encode';
import { findInputs } from '../../engine/library/find-inputs';
import type { FoundInput, PhotoRecord } from '../../engine/library/library-types';
import { SqliteLibraryStore } from '../../engine/library/sqlite-library-store';
import { MeasuredRates } from '../../engine/library/measured-rates';
import { removeLeftoverTemps } from '../../engine/library/temp-cleanup';
import {
  LibrarySettingsPatchSchema,
  MovePhotoCallSchema,
  PhotoIdsCallSchema,
  PhotoOverridesSchema,
  RestoreAllCallSchema,
  RestorePhotosCallSchema,
} from '../../protocol/api';
import type { LibraryEvent, LibraryPhoto, LibrarySnapshot, OutputFormatId, QueueOutcome, SaveOutcome } from '../../protocol/api';
import { isInside, lexicalProblem } from '../../protocol/media-scope';
import type { MediaScope } from '../../protocol/media-scope';
import type { RestoreOptions } from '../../protocol/restore';
import { LIBRARY_LIMIT, mapLimited } from './library';
import { LibraryQueue } from './library-queue';
import { LibraryRecords } from './library-records';
import { saveAll } from './library-save';
import { LIBRARY_SCOPE, LibrarySettings } from './library-settings';
import { TriageRunner } from './library-triage';
import { removeUnusedUploads, uploadFolderOf } from './uploads';
import { byPlace, ScopedPaths } from './library-view';
import { storedOriginals } from './known-originals';
import type { WorkerHost } from './worker-host';

export interface PhotoLibraryOptions {
  stateDir: string;
  defaultOutputFolder: string;
  /** Bridge: the output folder chosen by the page must lie inside it. */
  browseRoot?: string;
  workers: WorkerHost;
  scope: MediaScope;
  /** Checks the page's restore options beyond their schema (StudioHost.checkedModel: options.model). */
  checkOptions?: (options: RestoreOptions) => Promise<RestoreOptions>;
  log: (line: string) => void;
}

function parse<S extends v.GenericSchema>(schema: S, value: unknown): v.InferOutput<S> {
  const result = v.safeParse(schema, value);
  if (!result.success) {
    const issue = result.issues[0];
    throw new EngineError('INVALID_OPTION', `Invalid request ${v.getDotPath(issue) ?? ''}: ${issue.message}.`);
  }
  return result.output;
}

/** The deepest folder of `path` that exists, resolved: where a folder to be created would really be. */
async function existingAncestor(path: string): Promise<string> {
  for (let at = path; ; at = dirname(at)) {
    const real = await realpath(at).catch(() => undefined);
    if (real !== undefined) return real;
    if (dirname(at) === at) return at;
  }
}

export class PhotoLibrary {
  private readonly store: SqliteLibraryStore;
  private readonly records: LibraryRecords;
  private readonly settings: LibrarySettings;
  private readonly paths: ScopedPaths;
  readonly queue: LibraryQueue;
  /** The background degradation estimate over the library (library-triage.ts). */
  readonly triage: TriageRunner;
  private readonly listeners = new Set<(event: LibraryEvent) => void>();
  private readonly workDir: string;
  private readonly uploadsDir: string;

  constructor(private readonly o: PhotoLibraryOptions) {
    this.store = SqliteLibraryStore.open(join(o.stateDir, 'library.db'), { log: o.log });
    this.records = new LibraryRecords(this.store);
    this.settings = new LibrarySettings(this.store, o.defaultOutputFolder, (folder) => this.inRunScope(folder, false));
    this.paths = new ScopedPaths(o.scope);
    this.workDir = join(o.stateDir, 'library-results');
    this.uploadsDir = join(o.stateDir, 'uploads');
    this.queue = new LibraryQueue({
      store: this.store,
      records: this.records,
      settings: this.settings,
      workers: o.workers,
      paths: this.paths,
      workDir: this.workDir,
      tilesDir: join(o.stateDir, 'tiles'),
      emit: (event) => this.emit(event),
      log: o.log,
      rates: new MeasuredRates(join(o.stateDir, 'measured-rates.json')),
    });
    this.triage = new TriageRunner({
      store: this.store,
      records: () => this.records.all().sort(byPlace),
      triaged: async (id) => {
        const record = this.records.refresh(id);
        if (record) this.emit({ type: 'library', item: await this.queue.photo(record) });
      },
      log: o.log,
    });
  }

  /**
   * Whether this run may use a path the library stored (the bridge: inside its root, however
   * spelt, or, with `ownFiles`, inside the state folder: uploads and working results). Judged on
   * the path as stored; what is served is judged again on its real path (ScopedPaths.within).
   */
  private inRunScope(path: string, ownFiles: boolean): boolean {
    if (this.o.browseRoot === undefined) return true;
    const folders = [...this.realRoots, resolve(this.o.browseRoot), ...(ownFiles ? [...this.realStates, resolve(this.o.stateDir)] : [])];
    return folders.some((folder) => isInside(resolve(path), folder));
  }

  private realRoots: string[] = [];
  private realStates: string[] = [];
  private realWorkDir: string | undefined;

  /**
   * Whether the page may see this file (canonical, already allowed by the media scope): the
   * working results folder is allowed whole, and in a state folder shared with runs over other
   * roots it holds their photos' results too; only this run's photos' are served.
   */
  mayServe(real: string): boolean {
    if (this.o.browseRoot === undefined || this.realWorkDir === undefined || !isInside(real, this.realWorkDir) || real === this.realWorkDir) return true;
    const id = Number(real.slice(this.realWorkDir.length + 1).split(/[\\/]/)[0]);
    return Number.isInteger(id) && this.records.get(id) !== undefined;
  }

  /** Loads the library, cleans what a killed run left, and lets the queue go on where it stood. */
  async start(): Promise<void> {
    await mkdir(this.workDir, { recursive: true });
    if (this.o.browseRoot !== undefined) {
      // A state folder may be shared by runs over other roots (`--state`): their photos stay theirs.
      this.realRoots = [await realpath(this.o.browseRoot)];
      this.realStates = [await realpath(this.o.stateDir)];
      this.records.keep = (record) => this.inRunScope(record.input, true);
      this.paths.within = (real) => [...this.realRoots, ...this.realStates].some((folder) => isInside(real, folder));
    }
    // Unsaved results (and PURE's live previews beside them) are the page's to show.
    this.realWorkDir = await this.o.scope.allowFolder(this.workDir);
    this.records.load();
    const planned = this.records.all().flatMap((r) => (r.output ? [r.output] : []));
    const cleaned = await removeLeftoverTemps(planned);
    if (cleaned.length) this.o.log(`library: removed ${cleaned.length} temporary files left by an interrupted run`);
    // Uploads whose photo left the library (or never joined it: a killed upload) are of no use now.
    // Every stored photo counts, those of other roots sharing this state folder too.
    const unused = await removeUnusedUploads(this.uploadsDir, this.store.list(LIBRARY_SCOPE).map((r) => r.input));
    if (unused) this.o.log(`library: removed ${unused} uploads no photo uses`);
    this.queue.resume();
    this.triage.wake();
  }

  async close(): Promise<void> {
    await this.triage.stop();
    this.store.close();
  }

  onEvent(listener: (event: LibraryEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: LibraryEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  /**
   * Adds what was opened (already checked by the host): folders searched to any depth, and
   * remembered as sources. Beyond the library's limit photos are left out and `truncated` says so.
   * `within`: only photos whose real path lies inside this folder (the bridge's browse root: a
   * symbolic link to a file elsewhere is not followed out of it).
   */
  async add(paths: readonly string[], within?: string): Promise<PhotoRecord[]> {
    const outputRoot = resolve(this.settings.outputFolder);
    // Outputs planned or written inside what was opened (by this library or a CLI batch), read in
    // one range scan per opened path: asking per file costs seconds for 10,000 photos.
    const outputs = new Set<string>();
    for (const path of paths) for (const output of this.store.outputsIn(path)) outputs.add(output);
    for (const path of paths) for (const output of this.store.outputsIn(dirname(path))) outputs.add(output);
    const { found: all, truncated } = await findInputs(paths, process.cwd(), {
      recursive: true,
      exclude: [outputRoot],
      isOutput: (path) => outputs.has(path),
      limit: LIBRARY_LIMIT,
    });
    const root = within === undefined ? undefined : await realpath(within);
    const inside = root === undefined ? undefined : await mapLimited(all, 16, (f) => realpath(f.input).then((real) => isInside(real, root), () => false));
    const found = inside ? all.filter((_, index) => inside[index]) : all;
    const known = new Set(this.records.all().map((r) => r.input));
    const room = LIBRARY_LIMIT - this.records.size;
    const fresh = found.filter((f) => !known.has(f.input));
    const taken: FoundInput[] = fresh.length > room ? [...found.filter((f) => known.has(f.input)), ...fresh.slice(0, Math.max(0, room))] : found;
    if (truncated || fresh.length > room) this.settings.truncated = true;
    for (const path of paths) {
      if (found.some((f) => f.sourceRoot === path)) this.store.addSource('app', path, true);
    }
    const records = this.records.add(taken);
    this.emit({ type: 'library-changed' });
    this.triage.wake();
    return records;
  }

  /** Lets the page see a photo of the library (remembered: the snapshot does not ask again). */
  allow(path: string): Promise<string> {
    return this.paths.allow(path);
  }

  async snapshot(): Promise<LibrarySnapshot> {
    const items: LibraryPhoto[] = [];
    for (const record of this.records.all().sort(byPlace)) items.push(await this.queue.photo(record));
    const snapshot: LibrarySnapshot = {
      items,
      outputFolder: this.settings.outputFolder,
      defaultOutputFolder: this.settings.defaultOutputFolder,
      autoSave: this.settings.autoSave,
      paused: this.settings.paused,
      limit: LIBRARY_LIMIT,
    };
    if (this.settings.truncated) snapshot.truncated = true;
    return snapshot;
  }

  async restorePhotos(call: unknown): Promise<QueueOutcome> {
    const { ids, format, ...parsed } = parse(RestorePhotosCallSchema, call);
    const options = (await this.o.checkOptions?.(parsed.options)) ?? parsed.options;
    return await this.queue.restore(ids, format ? { options, format } : { options });
  }

  async restoreAll(call: unknown): Promise<QueueOutcome> {
    const { format, ...parsed } = parse(RestoreAllCallSchema, call);
    const options = (await this.o.checkOptions?.(parsed.options)) ?? parsed.options;
    return await this.queue.restoreAll(format ? { options, format } : { options });
  }

  // async: a bad request rejects like every other call, never throws at the caller.
  // eslint-disable-next-line @typescript-eslint/require-await
  async pause(paused: unknown): Promise<void> {
    this.queue.pause(parse(v.boolean(), paused));
  }

  retryFailed(): Promise<number> {
    return this.queue.retryFailed();
  }

  async cancel(ids: unknown): Promise<void> {
    await this.queue.cancel(parse(PhotoIdsCallSchema, ids));
  }

  async move(id: unknown, toIndex: unknown): Promise<void> {
    const call = parse(MovePhotoCallSchema, { id, toIndex });
    await this.queue.move(call.id, call.toIndex);
  }

  /** Out of the library, with what the app itself keeps for them: their uploads (the bridge). */
  async remove(ids: unknown): Promise<void> {
    const list = parse(PhotoIdsCallSchema, ids);
    const inputs = list.flatMap((id) => this.records.get(id)?.input ?? []);
    await this.queue.remove(list);
    for (const input of inputs) {
      const folder = uploadFolderOf(input, this.uploadsDir);
      if (folder) await rm(folder, { recursive: true, force: true });
    }
  }

  /** Replaces a photo's own settings; {} clears them. */
  async setOverrides(id: unknown, overrides: unknown): Promise<LibraryPhoto> {
    const photoId = parse(v.pipe(v.number(), v.integer(), v.minValue(1)), id);
    const parsed = parse(PhotoOverridesSchema, overrides);
    const kept = Object.fromEntries(Object.entries(parsed).filter(([, value]) => value !== undefined));
    if (!this.records.get(photoId)) throw new EngineError('INPUT_NOT_FOUND', 'That photo is not in the library any more.');
    this.store.setOverrides(photoId, Object.keys(kept).length ? kept : undefined);
    const photo = await this.queue.photo(this.records.refresh(photoId)!);
    this.emit({ type: 'library', item: photo });
    return photo;
  }

  /**
   * Output folder and auto-save. `trusted`: the folder came from a system dialog; otherwise (the
   * bridge) it must lie inside the browse root, however it is spelt, even before it exists.
   */
  async setSettings(patch: unknown, trusted: boolean): Promise<LibrarySnapshot> {
    const parsed = parse(LibrarySettingsPatchSchema, patch);
    if (parsed.outputFolder !== undefined) {
      const folder = resolve(parsed.outputFolder);
      if (!trusted) await this.assertInsideRoot(parsed.outputFolder);
      this.settings.outputFolder = folder;
    }
    if (parsed.autoSave !== undefined) this.settings.autoSave = parsed.autoSave;
    this.emit({ type: 'library-changed' });
    return this.snapshot();
  }

  private async assertInsideRoot(folder: string): Promise<void> {
    const root = this.o.browseRoot;
    const refuse = (): never => {
      throw new EngineError('OUTPUT_UNWRITABLE', `"${folder}" is outside the folder this session may write to.`, 'Choose a folder inside the served folder.');
    };
    if (!root || lexicalProblem(folder)) refuse();
    const realRoot = await realpath(root!);
    if (!isInside(await existingAncestor(folder), realRoot)) refuse();
  }

  /** The source file of every photo the app knows: no save may replace one (known-originals.ts). */
  originals(): string[] {
    return [...storedOriginals(this.store)()];
  }

  async saveAllRestored(): Promise<SaveOutcome> {
    const { outcome, saved } = await saveAll(this.records.all(), this.store, resolve(this.settings.outputFolder), this.workDir, storedOriginals(this.store));
    for (const id of saved) this.records.refresh(id);
    this.emit({ type: 'library-changed' });
    return outcome;
  }

  /** A library result the page may save elsewhere (exportResult), by its canonical path. */
  async resultInfo(path: string): Promise<{ format: OutputFormatId; original: string } | undefined> {
    for (const record of this.records.all()) {
      if (record.state !== 'done' || !record.output) continue;
      if (record.output !== path && (await this.paths.allow(record.output)) !== path) continue;
      return { format: formatFromPath(record.output), original: record.input };
    }
    return undefined;
  }
}
