// The app library's queue: photos queued by the page wait in the database (state pending with a
// queue position), and this class feeds them to the worker one at a time, so that pause, reorder
// and cancel act at once and a restart resumes where the queue stood. Each photo's end is written
// to the library (done with its fingerprint and settings hash, or failed with its error) and
// reported to the page as library and queue events.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { EngineError, toErrorPayload } from '../../engine/common/errors';
import type { ErrorPayload } from '../../engine/common/errors';
import { decide } from '../../engine/library/batch-plan';
import type { LibraryStore, PhotoRecord } from '../../engine/library/library-types';
import type { LibraryEvent, LibraryPhoto, QueueOutcome } from '../../protocol/api';
import type { JobEvent } from '../../protocol/messages';
import type { RestoreResult } from '../../protocol/restore';
import { fingerprintInput, photoSettings, prepareJob } from './library-job';
import type { PreparedJob } from './library-job';
import type { LibraryRecords } from './library-records';
import { workFolder } from './library-save';
import type { JobSettings, LibrarySettings } from './library-settings';
import { byPlace, keptResult, savedTo, toLibraryPhoto } from './library-view';
import type { ScopedPaths } from './library-view';
import type { MeasuredRates } from '../../engine/library/measured-rates';
import { rateRequest } from '../../engine/library/measured-rates';
import { megapixelsOf, QueueProgress } from './queue-progress';
import type { WorkerHost } from './worker-host';

export interface LibraryQueueOptions {
  store: LibraryStore;
  records: LibraryRecords;
  settings: LibrarySettings;
  workers: WorkerHost;
  paths: ScopedPaths;
  /** Results waiting for "Save all" when auto-save is off: `<workDir>/<photo id>/`. */
  workDir: string;
  /** PURE's finished tiles of a photo: `<tilesDir>/<photo id>/`. */
  tilesDir: string;
  emit: (event: LibraryEvent) => void;
  log: (line: string) => void;
  now?: () => number;
  /** Seconds per megapixel measured in earlier sessions, for the ETA (and saved for the next). */
  rates?: MeasuredRates;
}

interface Running {
  id: number;
  jobId: string;
  job: PreparedJob;
  fingerprint: PhotoRecord['fingerprint'] & object;
  /** Why it is being stopped, when the host stopped it (cancel or remove): not a failure then. */
  withdrawn?: 'cancel' | 'remove';
}

/** More photos than this changed at once: one "call library() again" instead of an event each. */
const ITEM_EVENTS_MAX = 50;
/** Queue events from job progress, at most this often (the ETA moves slowly). */
const PROGRESS_EVENT_MS = 1000;

export class LibraryQueue {
  private running: Running | undefined;
  /** A photo is being prepared (fingerprint, output folder): nothing else starts meanwhile. */
  private starting = false;
  private readonly progress: QueueProgress;
  private lastProgressEvent = 0;

  constructor(private readonly o: LibraryQueueOptions) {
    this.progress = new QueueProgress(o.now, o.rates);
  }

  /** After a restart: photos left running are queued again (first), and the queue goes on. */
  resume(): void {
    this.o.store.recoverInterrupted('app');
    this.o.records.load();
    this.pump();
  }

  get paused(): boolean {
    return this.o.settings.paused;
  }

  /** The job running a photo, for its progress events. */
  jobOf(id: number): string | undefined {
    return this.running?.id === id ? this.running.jobId : undefined;
  }

  owns(jobId: string): boolean {
    return this.running?.jobId === jobId;
  }

  /** The folder a job's output goes to (PURE's live previews are allowed beside it). */
  outputOf(jobId: string): string | undefined {
    return this.running?.jobId === jobId ? this.running.job.output : undefined;
  }

  async photo(record: PhotoRecord): Promise<LibraryPhoto> {
    const path = await this.o.paths.allow(record.input);
    const output = record.state === 'done' && record.output ? await this.o.paths.allow(record.output) : undefined;
    const entropyMap = record.result?.pure && (record.result.pure as { entropyMap?: unknown }).entropyMap;
    if (typeof entropyMap === 'string' && record.state === 'done') await this.o.paths.allow(entropyMap);
    const jobId = this.jobOf(record.id);
    return toLibraryPhoto(record, { path, ...(output && { output }), ...(jobId && { jobId }) });
  }

  // ---- the page's calls ----

  /** Queues photos in the given order; done ones with the same settings and bytes stay done. */
  async restore(ids: readonly number[], job: JobSettings, all = false): Promise<QueueOutcome> {
    this.o.settings.job = job;
    const outcome: QueueOutcome = { queued: 0, alreadyDone: 0 };
    const changed: number[] = [];
    let pos = this.o.records.nextPos();
    for (const id of ids) {
      const record = this.o.records.get(id);
      if (!record || record.state === 'running' || (record.state === 'pending' && record.queuePos !== undefined)) continue;
      if (record.state === 'done') {
        const { hash } = photoSettings(job, record);
        if ((await decide(record, hash, false)).action === 'done-before') {
          outcome.alreadyDone += 1;
          continue;
        }
      }
      if (record.state !== 'pending') this.o.store.markPending([id]);
      this.o.store.setQueuePos(id, pos++);
      this.o.records.refresh(id);
      changed.push(id);
      outcome.queued += 1;
    }
    if (all && outcome.queued === 0) this.o.log(`restore all: nothing to do (${outcome.alreadyDone} done before)`);
    await this.announce(changed);
    // The total grew (the top bar says so even while paused), then the next photo may start.
    this.emitQueue();
    this.pump();
    return outcome;
  }

  /** Every photo not restored yet, and done ones whose original or settings changed since. */
  restoreAll(job: JobSettings): Promise<QueueOutcome> {
    const ids = this.o.records.all().sort(byPlace).map((r) => r.id);
    return this.restore(ids, job, true);
  }

  pause(paused: boolean): void {
    this.o.settings.paused = paused;
    this.emitQueue();
    if (!paused) this.pump();
  }

  async retryFailed(): Promise<number> {
    const failed = this.o.records.all().filter((r) => r.state === 'failed').map((r) => r.id);
    if (failed.length === 0) return 0;
    return (await this.restore(failed, this.o.settings.job)).queued;
  }

  /** A running photo is cancelled, waiting ones leave the queue; all go back to idle. */
  async cancel(ids: readonly number[]): Promise<void> {
    const changed: number[] = [];
    for (const id of ids) {
      if (this.running?.id === id) {
        this.running.withdrawn ??= 'cancel';
        this.o.workers.cancel(this.running.jobId);
        continue;
      }
      const record = this.o.records.get(id);
      if (record?.state === 'pending' && record.queuePos !== undefined) {
        this.o.store.setQueuePos(id, undefined);
        this.o.records.refresh(id);
        changed.push(id);
      }
    }
    await this.announce(changed);
    this.emitQueue();
  }

  /** Moves a waiting photo to `toIndex` of the waiting order (0: next to run). */
  async move(id: number, toIndex: number): Promise<void> {
    const record = this.o.records.get(id);
    if (!record || record.state !== 'pending' || record.queuePos === undefined) {
      throw new EngineError('INVALID_OPTION', 'Only a photo waiting in the queue can be moved.');
    }
    const others = this.o.records.waiting().filter((r) => r.id !== id);
    const index = Math.min(toIndex, others.length);
    const before = others[index - 1]?.queuePos;
    const after = others[index]?.queuePos;
    // Between its new neighbours: positions are real numbers, so no other photo is rewritten.
    const pos = before === undefined ? (after === undefined ? this.o.records.nextPos() : after - 1) : after === undefined ? before + 1 : (before + after) / 2;
    this.o.store.setQueuePos(id, pos);
    this.o.records.refresh(id);
    await this.announce([id]);
  }

  /** Out of the library (never off the disk); a running one is cancelled first. */
  async remove(ids: readonly number[]): Promise<void> {
    const present = ids.filter((id) => this.o.records.get(id));
    if (this.running && present.includes(this.running.id)) {
      this.running.withdrawn = 'remove';
      this.o.workers.cancel(this.running.jobId);
    }
    this.o.records.remove(present);
    // Kept tiles and an unsaved working result belong to nobody now: a photo removed from the
    // library takes them along (a saved result lies in the output folder and stays).
    for (const id of present) {
      await rm(join(this.o.tilesDir, String(id)), { recursive: true, force: true });
      await rm(workFolder(this.o.workDir, id), { recursive: true, force: true });
    }
    if (present.length) this.o.emit({ type: 'library-removed', ids: present });
    this.emitQueue();
  }

  // ---- feeding the worker ----

  /** Starts the next waiting photo unless one runs, one is being prepared, or the queue is paused. */
  pump(): void {
    if (this.running || this.starting || this.paused) return;
    const next = this.o.records.waiting()[0];
    if (!next) return this.finishIfEmpty();
    this.starting = true;
    this.startPhoto(next)
      .catch((error: unknown) => this.o.log(`library: could not start photo ${next.id}: ${toErrorPayload(error).message}`))
      .finally(() => {
        this.starting = false;
        this.pump();
      });
  }

  private async startPhoto(record: PhotoRecord): Promise<void> {
    let job: PreparedJob;
    let fingerprint: Running['fingerprint'];
    try {
      fingerprint = await fingerprintInput(record.input);
      job = await prepareJob(record, {
        job: this.o.settings.job,
        store: this.o.store,
        autoSave: this.o.settings.autoSave,
        outputRoot: this.o.settings.outputFolder,
        workDir: this.o.workDir,
      });
    } catch (error) {
      return this.failed(record.id, toErrorPayload(error));
    }
    // Cancelled, removed or paused while the input was read: leave it where it now is.
    const now = this.o.records.get(record.id);
    if (!now || now.state !== 'pending' || now.queuePos === undefined || this.paused) return;
    this.o.store.markRunning(record.id, job.settingsHash);
    let jobId: string;
    try {
      jobId = this.o.workers.restore(record.input, job.output, { ...job.options, overwrite: true }, { resumeTiles: join(this.o.tilesDir, String(record.id)) });
    } catch (error) {
      return this.failed(record.id, toErrorPayload(error));
    }
    this.running = { id: record.id, jobId, job, fingerprint };
    this.progress.started(rateRequest(job.options), megapixelsOf(record));
    this.o.records.refresh(record.id);
    await this.announce([record.id]);
    this.emitQueue();
  }

  /** A job event of the running photo (the host routes them here, see `owns`). */
  async jobEvent(event: JobEvent): Promise<void> {
    const running = this.running;
    if (!running || running.jobId !== event.jobId) return;
    if (event.type === 'progress') {
      this.progress.progressed(event.progress.fraction);
      const now = Date.now();
      if (now - this.lastProgressEvent >= PROGRESS_EVENT_MS) {
        this.lastProgressEvent = now;
        this.emitQueue();
      }
      return;
    }
    this.running = undefined;
    try {
      if (event.type === 'done') await this.done(running, event.result);
      else if (running.withdrawn) this.withdrawn(running);
      else this.failed(running.id, event.error);
    } finally {
      this.pump();
    }
  }

  private async done(running: Running, result: RestoreResult): Promise<void> {
    const record = this.o.records.get(running.id);
    this.progress.ended('restored', result);
    // Removed while it ran: the output was written all the same; the library no longer lists it.
    if (!record) return this.emitQueue();
    const earlier = running.job.saved ? undefined : savedTo(record);
    this.o.store.markDone(running.id, { output: result.output, settingsHash: running.job.settingsHash, fingerprint: running.fingerprint, result: keptResult(result, earlier) });
    if (running.job.saved) this.o.store.markSaved(running.id, Date.now());
    this.o.paths.forget(result.output);
    this.o.records.refresh(running.id);
    await this.announce([running.id]);
    this.emitQueue();
  }

  private withdrawn(running: Running): void {
    this.progress.ended('withdrawn');
    if (this.o.records.get(running.id)) {
      // Back to idle: in the library, out of the queue.
      this.o.store.markPending([running.id]);
      this.o.store.setQueuePos(running.id, undefined);
      this.o.records.refresh(running.id);
      void this.announce([running.id]);
    }
    this.emitQueue();
  }

  private failed(id: number, error: ErrorPayload): void {
    this.progress.ended('failed');
    if (this.o.records.get(id)) {
      this.o.store.markFailed(id, error);
      this.o.store.setQueuePos(id, undefined);
      this.o.records.refresh(id);
      void this.announce([id]);
    }
    this.o.log(`library: photo ${id} failed: ${error.code} ${error.message}`);
    this.emitQueue();
  }

  // ---- events ----

  status(): LibraryEvent {
    return { type: 'queue', ...this.progress.status(this.o.records.waiting().map(megapixelsOf), this.paused, rateRequest(this.o.settings.job.options)) };
  }

  private emitQueue(): void {
    this.o.emit(this.status());
  }

  private finishIfEmpty(): void {
    const counts = this.progress.finishRun();
    if (counts) this.o.emit({ type: 'queue-finished', ...counts });
  }

  /** One event per changed photo, or one "changed" for many. */
  private async announce(ids: readonly number[]): Promise<void> {
    if (ids.length > ITEM_EVENTS_MAX) return this.o.emit({ type: 'library-changed' });
    for (const id of ids) {
      const record = this.o.records.get(id);
      if (record) this.o.emit({ type: 'library', item: await this.photo(record) });
    }
  }
}
