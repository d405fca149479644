// The page's state and the actions on it: the host's info and settings, the library, which
// photo is shown, and the jobs in flight. Components read fields and call methods; nothing here
// knows which transport carries the API. No method throws: failures become state to show.
import type { AppCommand, DroppedFile, HostInfo, LibraryPhoto, PhotoItem, PureStudioApi, RestoreCall, Settings, SettingsPatch } from '../../../src-main/protocol/api';
import type { ErrorPayload, JobEvent } from '../../../src-main/protocol/messages';
import type { Region, RestoreOptionsInput } from '../../../src-main/protocol/restore';
import { isPhotoFile, refusedText } from './dropped-files';
import { isPureEngine } from './engines';
import { toPayload } from './errors';
import { fileName } from './format';
import { LibraryQueue } from './library.svelte';
import { itemOf } from './library-result';
import { PhotoEntry } from './photo.svelte';
import { providersFor } from './processors';
import { PureSettings } from './pure-settings.svelte';
import { ViewTransform } from './view-transform.svelte';

export type Notice = { kind: 'info'; text: string; path?: string } | { kind: 'error'; error: ErrorPayload };
export type CompareMode = 'slider' | 'side-by-side';

/** Job events that arrived before the reply naming their job (the two travel separately). */
const EARLY_EVENT_LIMIT = 200;

export class Studio {
  readonly api: PureStudioApi;
  info = $state<HostInfo | undefined>();
  settings = $state<Settings | undefined>();
  photos = $state<PhotoEntry[]>([]);
  selectedPath = $state<string | undefined>();
  notice = $state<Notice | undefined>();
  /** Which in-page dialog is open: the bridge's file picker, or save. */
  dialog = $state<'open' | 'save' | undefined>();
  compareMode = $state<CompareMode>('slider');
  /** Where the before/after divider is, 0 (all after) .. 1 (all before), from the left. */
  split = $state(0.5);
  heatmap = $state(false);
  /** A photo whose image the page could not decode (the viewer found out): nothing to zoom or compare. */
  unshowable = $state<string | undefined>();
  /** A setting typed but not valid (the Width field's message): Restore waits until it is fixed. */
  invalidSetting = $state<string | undefined>();
  /** The part of the selected photo to restore (input pixels); unset: the whole photo. */
  region = $state<Region | undefined>();
  /** The region tool is on: a drag on the photo draws the region instead of panning. */
  selectingRegion = $state(false);
  readonly transform = new ViewTransform();
  readonly pure = new PureSettings();
  /** Photos are being opened: the host has not said which yet. */
  opening = $state(false);
  /** Unrecoverable: the host did not answer at start. */
  startError = $state<ErrorPayload | undefined>();

  /** Every photo by path, for events and lookups in a library of thousands. */
  readonly byPath = $derived(new Map(this.photos.map((photo) => [photo.path, photo])));
  readonly selected = $derived(this.selectedPath === undefined ? undefined : this.byPath.get(this.selectedPath));
  /**
   * A photo is on show that can be looked at: the viewer's zoom, comparison and heatmap act on
   * it. Not with an empty library, no photo selected, or a file that cannot be decoded.
   */
  readonly canView = $derived(this.selected !== undefined && this.selected.item.problem === undefined && this.unshowable !== this.selected.path);
  readonly running = $derived(this.photos.filter((photo) => photo.jobId !== undefined || photo.lib?.state === 'running'));
  /** The persistent library: the queue, the selection, the output folder. */
  readonly library: LibraryQueue;

  #earlyEvents: JobEvent[] = [];

  constructor(api: PureStudioApi) {
    this.api = api;
    this.library = new LibraryQueue(this);
  }

  /** Loads info and settings and follows events and menu commands; returns the cleanup. */
  connect(): () => void {
    const offEvents = this.api.onEvent((event) => this.#route(event));
    const offCommands = this.api.onCommand((command) => this.command(command));
    const offOpened = this.api.onOpened((items) => void this.#adding(() => Promise.resolve(items)));
    const offLibrary = this.library.connect();
    Promise.all([this.api.info(), this.api.loadSettings()]).then(
      ([info, settings]) => {
        this.info = info;
        this.settings = settings;
      },
      (error: unknown) => (this.startError = toPayload(error)),
    );
    return () => {
      offEvents();
      offCommands();
      offOpened();
      offLibrary();
    };
  }

  async updateSettings(patch: SettingsPatch): Promise<void> {
    if (this.settings) this.settings = { ...this.settings, ...patch };
    try {
      this.settings = await this.api.saveSettings(patch);
    } catch (error) {
      this.fail(error);
    }
  }

  // ---- opening ----

  async openDialog(kind: 'photos' | 'folder'): Promise<void> {
    if (!this.info?.nativeDialogs) {
      this.dialog = 'open';
      return;
    }
    await this.#adding(() => this.api.openDialog(kind));
  }

  openPaths(paths: string[]): Promise<void> {
    return this.#adding(() => this.api.openPaths(paths));
  }

  /** Photos join the library; anything else dropped with them is named in a notice. */
  async openDropped(files: DroppedFile[]): Promise<void> {
    const photos = files.filter((file) => isPhotoFile(file.name));
    const refused = refusedText(files.filter((file) => !isPhotoFile(file.name)).map((file) => file.name));
    if (photos.length) await this.#adding(() => this.api.openDropped(photos));
    if (refused) this.notice = { kind: 'info', text: refused };
  }

  async #adding(open: () => Promise<PhotoItem[]>): Promise<void> {
    // Until the host answers, the photo on show is not the one being opened: Restore waits.
    this.opening = true;
    try {
      const items = await open();
      const known = this.byPath;
      for (const item of items) known.get(item.path)?.learnOpened(item);
      const fresh = items.filter((item) => !known.has(item.path)).map((item) => new PhotoEntry(item));
      this.photos = [...this.photos, ...fresh];
      // Show what was just opened: the first new photo, or the first of those already there.
      const first = fresh[0]?.path ?? items[0]?.path;
      if (first) this.select(first);
      if (first) this.library.selection.only(first);
      this.opening = false;
      // What joined the library: its records (queue state, triage) come with the snapshot.
      if (items.some((item) => item.id !== undefined)) await this.library.refresh();
      if (items.length === 0 && !this.info?.nativeDialogs) this.notice = { kind: 'info', text: 'No photos were found there.' };
    } catch (error) {
      this.fail(error);
    } finally {
      this.opening = false;
    }
  }

  select(path: string): void {
    if (this.selectedPath === path) return;
    this.selectedPath = path;
    // A region belongs to the photo it was drawn on.
    this.clearRegion();
    this.heatmap = false;
    this.transform.fitted = true;
  }

  /**
   * Takes the library's records: updates the photos already here, adds the others; with
   * `complete` (a whole snapshot), photos of the library that are no longer in it leave.
   */
  adopt(records: readonly LibraryPhoto[], complete: boolean): void {
    const known = this.byPath;
    const fresh: PhotoEntry[] = [];
    for (const record of records) {
      const photo = known.get(record.path);
      if (photo) photo.follow(record);
      else fresh.push(new PhotoEntry(itemOf(record), record));
    }
    let photos = this.photos;
    if (complete) {
      const present = new Set(records.map((record) => record.path));
      photos = photos.filter((photo) => photo.id === undefined || present.has(photo.path) || photo.busy);
    }
    if (fresh.length || photos.length !== this.photos.length) this.photos = [...photos, ...fresh];
    if (this.selectedPath === undefined && this.photos[0]) this.select(this.photos[0].path);
    if (this.selectedPath !== undefined && !this.byPath.has(this.selectedPath)) this.selectedPath = this.photos[0]?.path;
  }

  /** Photos that left the library (removed here or in another window). */
  forget(paths: ReadonlySet<string>): void {
    if (!this.photos.some((photo) => paths.has(photo.path))) return;
    const index = this.photos.findIndex((photo) => photo.path === this.selectedPath);
    this.photos = this.photos.filter((photo) => !paths.has(photo.path));
    if (this.selectedPath !== undefined && paths.has(this.selectedPath)) {
      this.selectedPath = this.photos[Math.min(Math.max(index, 0), this.photos.length - 1)]?.path;
      this.clearRegion();
    }
  }

  // ---- the region to restore ----

  /** The region tool needs the photo's size (to map the drag) and no run in progress on it. */
  get canSelectRegion(): boolean {
    const photo = this.selected;
    return !!photo?.item.width && !!photo.item.height && !photo.busy && !photo.item.problem;
  }

  toggleRegionTool(): void {
    this.selectingRegion = !this.selectingRegion && this.canSelectRegion;
  }

  /** A drawn region: kept, and the tool goes off so the photo shows with it. */
  chooseRegion(region: Region): void {
    this.region = region;
    this.selectingRegion = false;
  }

  clearRegion(): void {
    this.region = undefined;
    this.selectingRegion = false;
  }

  // ---- restoring ----

  /** The options Restore uses now (the side panel's settings), for a region or the whole photo. */
  optionsFor(settings: Settings, roi?: Region): RestoreOptionsInput {
    const options: RestoreOptionsInput = { engine: settings.engine, providers: providersFor(settings.processor) };
    if (roi) options.roi = { ...roi };
    if (settings.sizeMode === 'width') options.width = settings.width;
    else options.scale = settings.scale;
    if (settings.format === 'jpeg' || settings.format === 'webp' || settings.format === 'avif') options.quality = settings.quality;
    if (isPureEngine(settings.engine)) Object.assign(options, this.pure.options());
    return options;
  }

  /** The call Restore would make now for the selected photo (what its estimate is asked about). */
  restoreCall(): RestoreCall | undefined {
    const photo = this.selected;
    const settings = this.settings;
    if (!photo || !settings) return undefined;
    return { input: photo.path, options: this.optionsFor(settings, this.region), format: settings.format };
  }

  async run(photo = this.selected): Promise<void> {
    const settings = this.settings;
    if (!photo || !settings || photo.busy || this.opening || this.invalidSetting) return;
    this.notice = undefined;
    // The region was drawn on the selected photo; another one (run from elsewhere) goes whole.
    const roi = photo === this.selected ? this.region : undefined;
    if (photo === this.selected) this.selectingRegion = false;
    try {
      const options = this.optionsFor(settings, roi);
      // A library photo's caption is its own (kept with it), never the one shared by the panel.
      if (photo.id !== undefined) delete options.caption;
      const caption = photo.lib?.overrides?.caption;
      if (caption && isPureEngine(settings.engine)) options.caption = caption;
      const jobId = await this.api.restore({ input: photo.path, options, format: settings.format });
      photo.started(jobId, roi);
      const early = this.#earlyEvents.filter((event) => event.jobId === jobId);
      this.#earlyEvents = this.#earlyEvents.filter((event) => event.jobId !== jobId);
      for (const event of early) photo.apply(event);
    } catch (error) {
      photo.error = toPayload(error);
    }
  }

  async cancel(photo = this.selected ?? this.running[0]): Promise<void> {
    if (photo && !photo.jobId && photo.inQueue) return this.library.cancel([photo]);
    if (!photo?.jobId || photo.cancelling) return;
    photo.cancelling = true;
    try {
      await this.api.cancel(photo.jobId);
    } catch (error) {
      photo.cancelling = false;
      this.fail(error);
    }
  }

  #route(event: JobEvent): void {
    const photo = this.running.find((p) => p.activeJob === event.jobId);
    if (!photo) {
      this.#earlyEvents = [...this.#earlyEvents, event].slice(-EARLY_EVENT_LIMIT);
      return;
    }
    const ended = photo.apply(event);
    if (ended && event.type === 'failed' && event.error.code === 'CANCELLED' && photo === this.selected) {
      this.notice = { kind: 'info', text: `Stopped restoring ${photo.item.name}. Nothing was saved.` };
    }
  }

  // ---- keeping the result ----

  openSave(): void {
    if (this.selected?.result) this.dialog = 'save';
  }

  /** `overwrite`: the person confirmed replacing the file at `destination` (the Save dialog's Replace). */
  async save(format: Settings['format'], quality: number | undefined, destination: string | undefined, overwrite = false): Promise<boolean> {
    const photo = this.selected;
    if (!photo?.result) return false;
    try {
      const outcome = await this.api.exportResult({ source: photo.result.output, original: photo.path, format, quality, destination, overwrite });
      if (!outcome) return false; // the person closed the system dialog
      photo.savedTo = outcome.path;
      const replaced = overwrite ? ', replacing the file that was there' : '';
      this.notice = { kind: 'info', text: `Saved ${fileName(outcome.path)}${replaced}`, path: outcome.path };
      return true;
    } catch (error) {
      this.fail(error);
      return false;
    }
  }

  async reveal(path = this.selected?.savedTo ?? this.selected?.result?.output): Promise<void> {
    if (!path || !this.info?.reveal) return;
    try {
      await this.api.reveal(path);
    } catch (error) {
      this.fail(error);
    }
  }

  fail(error: unknown): void {
    this.notice = { kind: 'error', error: toPayload(error) };
  }

  /**
   * Escape, most specific first: a dialog closes, a run on the shown photo stops, the region
   * tool goes off, then the region is cleared.
   */
  escape(): unknown {
    if (this.dialog) return (this.dialog = undefined);
    if (this.selected?.busy) return this.cancel();
    if (this.selectingRegion) return (this.selectingRegion = false);
    if (this.region) return this.clearRegion();
    return this.cancel();
  }

  command(command: AppCommand): void {
    const t = this.transform;
    // The viewer's own keys do nothing with no photo to look at, like its disabled buttons.
    const viewing: readonly AppCommand[] = ['toggle-compare', 'zoom-in', 'zoom-out', 'zoom-fit', 'zoom-actual'];
    if (viewing.includes(command) && !this.canView) return;
    const actions: Record<AppCommand, () => unknown> = {
      'open-photos': () => this.openDialog('photos'),
      'open-folder': () => this.openDialog('folder'),
      save: () => this.openSave(),
      run: () => this.run(),
      cancel: () => this.escape(),
      'toggle-compare': () => (this.compareMode = this.compareMode === 'slider' ? 'side-by-side' : 'slider'),
      'zoom-in': () => t.zoomIn(),
      'zoom-out': () => t.zoomOut(),
      'zoom-fit': () => t.fit(),
      'zoom-actual': () => t.actual(),
      reveal: () => this.reveal(),
    };
    void actions[command]();
  }
}
