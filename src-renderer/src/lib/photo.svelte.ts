// One photo in the library and where its restoration stands. A rune-based class: components read
// its fields and re-render when they change. A photo runs either as a job of its own (Restore
// photo, a region) or in the library's queue; `lib` is the host's record of it, kept up to date
// by library events, and says where it stands in the queue.
import type { LibraryPhoto, PhotoItem } from '../../../src-main/protocol/api';
import type { ErrorPayload, JobEvent } from '../../../src-main/protocol/messages';
import type { Region, RestoreProgress, RestoreResult } from '../../../src-main/protocol/restore';
import { resultOf } from './library-result';

export type PhotoStatus = 'ready' | 'queued' | 'running' | 'done' | 'failed' | 'skipped';

export class PhotoEntry {
  /** The photo's path (its key on the page), outside the reactive item: it never changes. */
  readonly path: string;
  /** Replaced (never mutated) when its pixel size becomes known after opening. */
  item = $state.raw<PhotoItem>({ path: '', name: '', bytes: 0 });
  /** The job now queued or running for this photo. */
  jobId = $state<string | undefined>();
  progress = $state<RestoreProgress | undefined>();
  /** The region the running job restores: its previews show only that part. */
  jobRegion = $state<Region | undefined>();
  /** The latest successful result; kept while a new run is going, so the comparison stays. */
  result = $state<RestoreResult | undefined>();
  /** The last run's failure, or the file's own problem found when it was opened. */
  error = $state<ErrorPayload | undefined>();
  cancelling = $state(false);
  /** The file this result was last saved to. */
  savedTo = $state<string | undefined>();

  /** The library's record of this photo (state, queue place, stored result, triage). */
  lib = $state.raw<LibraryPhoto | undefined>();

  constructor(item: PhotoItem, lib?: LibraryPhoto) {
    this.path = item.path;
    this.item = item;
    this.error = item.problem;
    if (lib) this.follow(lib);
  }

  /** The library id, once the photo has joined the library. */
  get id(): number | undefined {
    return this.lib?.id ?? this.item.id;
  }

  get status(): PhotoStatus {
    if (this.jobId) return this.progress ? 'running' : 'queued';
    if (this.lib?.state === 'running') return 'running';
    if (this.lib?.state === 'pending') return 'queued';
    if (this.lib?.state === 'skipped') return 'skipped';
    if (this.error) return 'failed';
    return this.result ? 'done' : 'ready';
  }

  /** A job of its own, or the queue's, is on it. */
  get busy(): boolean {
    return this.jobId !== undefined || this.inQueue;
  }

  /** Waiting in the library's queue, or being restored by it. */
  get inQueue(): boolean {
    return this.lib?.state === 'pending' || this.lib?.state === 'running';
  }

  /** The job restoring it now, its own or the queue's: progress events carry this id. */
  get activeJob(): string | undefined {
    return this.jobId ?? (this.lib?.state === 'running' ? this.lib.jobId : undefined);
  }

  /**
   * The photo's upright pixel size, once known: a folder's photos open before their headers are
   * read (the library's triage, or the viewer's image, tells it later).
   */
  learnSize(width: number, height: number): void {
    if (width > 0 && height > 0 && (this.item.width !== width || this.item.height !== height)) this.item = { ...this.item, width, height };
  }

  /**
   * What opening the file found (its size, or what is wrong with it). The library's event can
   * create this entry before the open call answers, from a record that has no header in it:
   * without this, a damaged photo would lose its problem and offer Restore.
   */
  learnOpened(opened: PhotoItem): void {
    if (opened.width && opened.height) this.learnSize(opened.width, opened.height);
    if (opened.problem && !this.item.problem) {
      this.item = { ...this.item, problem: opened.problem };
      if (!this.busy && !this.result) this.error = opened.problem;
    }
  }

  /** Takes the library's newer record: state, error, and the stored result after a reload. */
  follow(lib: LibraryPhoto): void {
    const was = this.lib?.state;
    this.lib = lib;
    if (lib.width && lib.height) this.learnSize(lib.width, lib.height);
    if (lib.state === 'done') {
      if (lib.output && this.result?.output !== lib.output) this.result = resultOf(lib) ?? this.result;
      this.error = undefined;
    } else if (lib.state === 'failed' && lib.error) {
      if (lib.error.code !== 'CANCELLED') this.error = lib.error;
    } else if (lib.state === 'pending' || lib.state === 'running') {
      this.error = undefined;
    }
    if (was === 'running' && lib.state !== 'running' && !this.jobId) {
      this.progress = undefined;
      this.cancelling = false;
    }
    if (lib.state !== 'running' && lib.state !== 'pending') this.cancelling = false;
  }

  started(jobId: string, region?: Region): void {
    this.jobId = jobId;
    this.jobRegion = region;
    this.progress = undefined;
    this.error = undefined;
    this.cancelling = false;
  }

  /** Applies an event of this photo's job; returns true when the job ended. */
  apply(event: JobEvent): boolean {
    if (this.jobId === undefined && event.jobId === this.activeJob) return this.#applyQueued(event);
    if (event.jobId !== this.jobId) return false;
    switch (event.type) {
      case 'progress':
        this.progress = event.progress;
        return false;
      case 'done':
        this.result = event.result;
        this.savedTo = undefined;
        break;
      case 'failed':
        // A cancel is what the person asked for: back to where the photo was, no error shown.
        if (event.error.code !== 'CANCELLED') this.error = event.error;
        break;
    }
    this.jobId = undefined;
    this.jobRegion = undefined;
    this.progress = undefined;
    this.cancelling = false;
    return true;
  }

  /** The queue's job: progress shows here; the library event that follows says how it ended. */
  #applyQueued(event: JobEvent): boolean {
    if (event.type === 'progress') {
      this.progress = event.progress;
      return false;
    }
    if (event.type === 'done') {
      this.result = event.result;
      this.savedTo = undefined;
    }
    this.progress = undefined;
    return true;
  }
}
