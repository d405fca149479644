// The persistent library as the page drives it: the snapshot loaded at start (so a reload shows
// everything again), the queue (restore selected / all, pause, retry, cancel, reorder), the
// selection, triage sorting and filtering, and the output folder. Host events keep it in step.
// No method throws: failures become the studio's notice.
import type { LibraryEvent, LibraryPhoto, LibrarySnapshot, QueueStatus } from '../../../src-main/protocol/api';
import type { DegradationLevel } from '../../../src-main/protocol/restore';
import { finishedText } from './library-text';
import type { PhotoEntry } from './photo.svelte';
import { queuePlaceOf } from './queue-place';
import type { QueuePlace } from './queue-place';
import { Selection } from './selection.svelte';
import type { ClickModifiers } from './selection.svelte';
import type { Studio } from './studio.svelte';

export type LibrarySort = 'folder' | 'worst';
/** Triage filters: every photo, or those at least this degraded. */
export type LevelFilter = 'any' | Exclude<DegradationLevel, 'small'>;

/** Natural order for paths: img2 before img10. */
const NAMES = new Intl.Collator(undefined, { numeric: true });
/** How long photo records gather before the page takes them. */
const BATCH_MS = 50;
const LEVEL_RANK: Record<DegradationLevel, number> = { small: 0, medium: 1, large: 2 };

/** How degraded a photo looks (higher: worse); unknown photos sort last. */
function damage(photo: PhotoEntry): number {
  const triage = photo.lib?.triage;
  if (!triage) return -1;
  return (LEVEL_RANK[triage.noise] + LEVEL_RANK[triage.blur]) * 1000 + (triage.noiseSigma ?? 0) + (triage.blurSigma ?? 0);
}

function atLeast(level: DegradationLevel | undefined, filter: LevelFilter): boolean {
  return filter === 'any' || (level !== undefined && LEVEL_RANK[level] >= LEVEL_RANK[filter]);
}

export class LibraryQueue {
  readonly #studio: Studio;
  /** The library answered at least once (before that, the page does not know what it holds). */
  loaded = $state(false);
  outputFolder = $state('');
  defaultOutputFolder = $state('');
  autoSave = $state(true);
  paused = $state(false);
  truncated = $state(false);
  limit = $state(0);
  /** Whole-library progress while the queue runs. */
  queue = $state<QueueStatus | undefined>();
  /** The queue has finished and the person has not looked yet: the tab's title says so. */
  finished = $state<{ restored: number; failed: number } | undefined>();
  sort = $state<LibrarySort>('folder');
  noise = $state<LevelFilter>('any');
  blur = $state<LevelFilter>('any');
  readonly selection = new Selection();
  /** Photo records that arrived and are not shown yet (by id: the newest wins). */
  readonly #pending = new Map<number, LibraryPhoto>();
  #flushTimer: ReturnType<typeof setTimeout> | undefined;

  /** The photos as listed: filtered and sorted. */
  /** Every photo by folder and name (numbers in names in their order), whenever it was opened. */
  readonly #inFolderOrder = $derived.by(() => {
    // `photo.path`, not `photo.item.path` (replaced when a size is learnt): no re-sort per event.
    return [...this.#photos()].sort((a, b) => NAMES.compare(a.path, b.path));
  });
  readonly shown = $derived.by(() => {
    const photos = this.#inFolderOrder.filter((photo) => atLeast(photo.lib?.triage?.noise, this.noise) && atLeast(photo.lib?.triage?.blur, this.blur));
    return this.sort === 'worst' ? photos.sort((a, b) => damage(b) - damage(a)) : photos;
  });
  readonly shownKeys = $derived(this.shown.map((photo) => photo.path));
  readonly hasTriage = $derived(this.#photos().some((photo) => photo.lib?.triage !== undefined));
  /** Waiting photos in queue order. */
  readonly waiting = $derived(
    this.#photos().filter((photo) => photo.lib?.state === 'pending').sort((a, b) => (a.lib?.queuePos ?? 0) - (b.lib?.queuePos ?? 0)),
  );
  readonly runningCount = $derived(this.#photos().filter((photo) => photo.lib?.state === 'running').length);
  /** Each waiting photo's 0-based index in the queue. */
  readonly #waitIndex = $derived(new Map(this.waiting.map((photo, index) => [photo.path, index])));
  /** Photos that "Restore all" would queue: in the library, not restored, not queued. */
  readonly notRestored = $derived(
    this.#photos().filter((photo) => photo.id !== undefined && (photo.lib?.state ?? 'idle') !== 'done' && !photo.inQueue && photo.lib?.state !== 'skipped').length,
  );
  readonly failedCount = $derived(this.#photos().filter((photo) => photo.lib?.state === 'failed').length);
  readonly unsaved = $derived(this.#photos().filter((photo) => photo.lib?.state === 'done' && photo.lib.savedAt === undefined).length);
  readonly selectedPhotos = $derived(this.shown.filter((photo) => this.selection.has(photo.path)));
  /** The queue is moving (or paused with photos left): the top bar shows its progress. */
  readonly active = $derived(this.waiting.length + this.runningCount > 0);

  constructor(studio: Studio) {
    this.#studio = studio;
  }

  /** Read lazily by the derived fields above (they are built before the constructor runs). */
  #photos(): PhotoEntry[] {
    return this.#studio.photos;
  }

  /** Follows library events and loads the library; returns the unsubscribe. */
  connect(): () => void {
    const off = this.#studio.api.onLibraryEvent((event) => this.apply(event));
    void this.refresh();
    return () => {
      off();
      clearTimeout(this.#flushTimer);
    };
  }

  async refresh(): Promise<void> {
    try {
      this.#take(await this.#studio.api.library());
    } catch (error) {
      this.#studio.fail(error);
    }
  }

  #take(snapshot: LibrarySnapshot): void {
    this.#flush();
    this.#settings(snapshot);
    this.#studio.adopt(snapshot.items, true);
    this.selection.keepOnly(new Set(this.#studio.photos.map((photo) => photo.path)));
    this.loaded = true;
  }

  #settings(snapshot: LibrarySnapshot): void {
    this.outputFolder = snapshot.outputFolder;
    this.defaultOutputFolder = snapshot.defaultOutputFolder;
    this.autoSave = snapshot.autoSave;
    this.paused = snapshot.paused;
    this.truncated = snapshot.truncated ?? false;
    this.limit = snapshot.limit;
  }

  apply(event: LibraryEvent): void {
    if (event.type === 'library') {
      // Triage over 10,000 photos sends thousands of these: they are taken in batches, so the
      // page recounts its lists a few times a second instead of once per photo.
      this.#pending.set(event.item.id, event.item);
      this.#flushTimer ??= setTimeout(() => this.#flush(), BATCH_MS);
      return;
    }
    this.#flush();
    switch (event.type) {
      case 'library-removed': {
        const ids = new Set(event.ids);
        const paths = new Set(this.#photos().filter((photo) => photo.id !== undefined && ids.has(photo.id)).map((photo) => photo.path));
        this.#studio.forget(paths);
        this.selection.keepOnly(new Set(this.#studio.photos.map((photo) => photo.path)));
        return;
      }
      case 'library-changed':
        void this.refresh();
        return;
      case 'queue': {
        const { type: _type, ...status } = event;
        this.queue = status;
        this.paused = status.paused;
        return;
      }
      case 'queue-finished':
        this.queue = undefined;
        this.finished = { restored: event.restored, failed: event.failed };
        this.#studio.notice = { kind: 'info', text: finishedText(event.restored, event.failed) };
        return;
    }
  }

  #flush(): void {
    clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    if (this.#pending.size === 0) return;
    const records = [...this.#pending.values()];
    this.#pending.clear();
    this.#studio.adopt(records, false);
  }

  // ---- selection ----

  /** A click on a photo in the list: selects (with Ctrl/Shift as usual) and shows it. */
  click(photo: PhotoEntry, modifiers: ClickModifiers = {}): void {
    const selected = this.selection.click(photo.path, this.shownKeys, modifiers);
    if (selected) this.#studio.select(photo.path);
  }

  selectAll(): void {
    this.selection.all(this.shownKeys);
  }

  /** Where a photo stands in the queue: its place and the queue's length, counted from 1. */
  place(photo: PhotoEntry): QueuePlace | undefined {
    return queuePlaceOf(
      { waitIndex: this.#waitIndex.get(photo.path), running: photo.lib?.state === 'running' },
      this.queue,
      { waiting: this.waiting.length, running: this.runningCount },
    );
  }

  // ---- the queue ----

  #call(settings = this.#studio.settings): { options: ReturnType<Studio['optionsFor']>; format: NonNullable<typeof settings>['format'] } | undefined {
    if (!settings) return undefined;
    // No shared caption: each photo's own (its overrides) is the host's to apply.
    const { caption: _shared, ...options } = this.#studio.optionsFor(settings);
    return { options, format: settings.format };
  }

  /** Runs a host call; a failure becomes the notice, and `undo` takes back what was shown early. */
  async #act(action: () => Promise<unknown>, undo?: () => void): Promise<void> {
    try {
      await action();
    } catch (error) {
      undo?.();
      this.#studio.fail(error);
    }
  }

  /** Queues the selected photos with the side panel's settings. */
  restoreSelected(): Promise<void> {
    const call = this.#call();
    const ids = this.selectedPhotos.filter((photo) => !photo.inQueue).flatMap((photo) => (photo.id === undefined ? [] : [photo.id]));
    if (!call || ids.length === 0) return Promise.resolve();
    this.finished = undefined;
    return this.#act(async () => {
      const outcome = await this.#studio.api.restorePhotos({ ids, ...call });
      if (outcome.queued === 0 && outcome.alreadyDone > 0) {
        const photos = outcome.alreadyDone === 1 ? 'It was' : `All ${outcome.alreadyDone} were`;
        this.#studio.notice = { kind: 'info', text: `${photos} restored already with these settings: change a setting to restore again.` };
      }
    });
  }

  /** Queues every photo of the library not restored yet. */
  restoreAll(): Promise<void> {
    const call = this.#call();
    if (!call) return Promise.resolve();
    this.finished = undefined;
    return this.#act(async () => {
      const outcome = await this.#studio.api.restoreAll(call);
      if (outcome.queued === 0) this.#studio.notice = { kind: 'info', text: 'Every photo of the library is restored already.' };
    });
  }

  togglePause(): Promise<void> {
    const paused = !this.paused;
    this.paused = paused;
    return this.#act(
      () => this.#studio.api.pauseQueue(paused),
      () => (this.paused = !paused),
    );
  }

  retryFailed(): Promise<void> {
    this.finished = undefined;
    return this.#act(() => this.#studio.api.retryFailed());
  }

  cancel(photos: readonly PhotoEntry[]): Promise<void> {
    const ids = photos.filter((photo) => photo.inQueue).flatMap((photo) => (photo.id === undefined ? [] : [photo.id]));
    if (ids.length === 0) return Promise.resolve();
    for (const photo of photos) if (photo.lib?.state === 'running') photo.cancelling = true;
    return this.#act(() => this.#studio.api.cancelPhotos(ids));
  }

  /** Moves a waiting photo `by` places (negative: sooner). */
  move(photo: PhotoEntry, by: number): Promise<void> {
    const index = this.#waitIndex.get(photo.path);
    if (index === undefined || photo.id === undefined) return Promise.resolve();
    return this.moveTo(photo, index + by);
  }

  /** Moves a waiting photo to `toIndex` among the waiting (0: next). */
  moveTo(photo: PhotoEntry, toIndex: number): Promise<void> {
    const id = photo.id;
    const clamped = Math.max(0, Math.min(this.waiting.length - 1, toIndex));
    if (id === undefined || clamped === this.#waitIndex.get(photo.path)) return Promise.resolve();
    return this.#act(() => this.#studio.api.movePhoto(id, clamped));
  }

  /** Removes photos from the library (never from the disk). */
  remove(photos: readonly PhotoEntry[]): Promise<void> {
    const paths = new Set(photos.map((photo) => photo.path));
    const ids = photos.flatMap((photo) => (photo.id === undefined ? [] : [photo.id]));
    return this.#act(async () => {
      if (ids.length) await this.#studio.api.removePhotos(ids);
      this.#studio.forget(paths);
      this.selection.keepOnly(new Set(this.#studio.photos.map((photo) => photo.path)));
    });
  }

  /** The photo's own PURE caption (undefined: none, PURE writes its own). */
  setCaption(photo: PhotoEntry, caption: string | undefined): Promise<void> {
    const id = photo.id;
    if (id === undefined) return Promise.resolve();
    const { caption: _old, ...rest } = photo.lib?.overrides ?? {};
    return this.#act(async () => photo.follow(await this.#studio.api.setPhotoOverrides(id, caption ? { ...rest, caption } : rest)));
  }

  // ---- the output folder ----

  setOutputFolder(folder: string): Promise<void> {
    return this.#act(async () => this.#settings(await this.#studio.api.setLibrarySettings({ outputFolder: folder })));
  }

  setAutoSave(autoSave: boolean): Promise<void> {
    this.autoSave = autoSave;
    return this.#act(
      async () => this.#settings(await this.#studio.api.setLibrarySettings({ autoSave })),
      () => (this.autoSave = !autoSave),
    );
  }

  saveAll(): Promise<void> {
    return this.#act(async () => {
      const outcome = await this.#studio.api.saveAllRestored();
      const [first] = outcome.failed;
      if (first) this.#studio.notice = { kind: 'error', error: first.error };
      else this.#studio.notice = { kind: 'info', text: `Saved ${outcome.saved} photo${outcome.saved === 1 ? '' : 's'} into ${this.outputFolder}.`, path: this.outputFolder };
      await this.refresh();
    });
  }
}
