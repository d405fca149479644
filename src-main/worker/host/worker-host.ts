// Main's side of the worker: starts it, routes requests to it and events back, notices when it
// dies (failing the job that was running with a readable reason, starting a fresh worker and
// handing it the jobs that were waiting), answers PURE estimates (one request, one reply, failed
// like a job when the worker dies), and stops it on quit by asking first and killing after
// a grace period. The process itself is behind `spawn`, so all of
// this runs in plain Node tests; app/spawn-worker.ts adapts Electron's utilityProcess to it and
// node-worker.ts Node's child_process.fork (for the HTTP bridge).
import { randomUUID } from 'node:crypto';
import { cancelledError, EngineError, toErrorPayload } from '../../engine/common/errors';
import type { ErrorPayload } from '../../engine/common/errors';
import { parseWorkerEvent, parseWorkerRequest } from '../../protocol/messages';
import type { EstimateEvent, JobEvent, WorkerRequestInput } from '../../protocol/messages';
import type { RestoreEstimate } from '../../protocol/restore';

/** Why a worker ended, when the platform says: 'oom' is reported to the person differently. */
export type ExitReason = 'oom' | 'crashed' | 'killed';

export interface WorkerChild {
  readonly pid: number | undefined;
  post(message: WorkerRequestInput): void;
  onMessage(listener: (message: unknown) => void): void;
  onExit(listener: (code: number, reason?: ExitReason) => void): void;
  kill(): void;
}

export interface WorkerHostOptions {
  spawn: () => WorkerChild;
  /** Every job event, including the WORKER_CRASHED failures the host makes up itself. */
  onEvent: (event: JobEvent) => void;
  /** Called with each new worker, first or restarted (the desktop app hands it a progress port). */
  onStart?: (child: WorkerChild) => void;
  log?: (line: string) => void;
  newJobId?: () => string;
  now?: () => number;
  /** More crashes than this within `crashWindowMs` stop eager restarts: the next job starts it. */
  maxRestarts?: number;
  crashWindowMs?: number;
}

export const STOP_GRACE_MS = 2000;

export class WorkerHost {
  private child: WorkerChild | undefined;
  /** Jobs sent to the worker that have not yet ended with 'done' or 'failed', oldest first (the
   * worker runs them in that order, so the first is the one running), and whether a cancel was
   * asked for. */
  private readonly pending = new Map<string, { request: WorkerRequestInput; cancelRequested: boolean }>();
  /** Estimates asked of the worker and not yet answered. */
  private readonly estimates = new Map<string, { resolve: (result: RestoreEstimate) => void; reject: (error: EngineError) => void }>();
  private crashTimes: number[] = [];
  private closing = false;
  private stopped: Promise<void> | undefined;
  private readonly log: (line: string) => void;

  constructor(private readonly options: WorkerHostOptions) {
    this.log = options.log ?? (() => {});
  }

  /** Starts the worker unless it is running (or the app is closing). */
  start(): void {
    if (this.child || this.closing) return;
    const child = this.options.spawn();
    this.child = child;
    child.onMessage((message) => this.receive(message));
    child.onExit((code, reason) => this.exited(child, code, reason));
    this.log(`worker started (pid ${child.pid ?? '?'})`);
    this.options.onStart?.(child);
  }

  /**
   * Checks the request and queues it in the worker. Returns the new job's id; throws an
   * EngineError (INVALID_OPTION for bad options) when the request does not fit the protocol.
   */
  restore(input: unknown, output: unknown, options: unknown, extra: { resumeTiles?: string } = {}): string {
    if (this.closing) throw new EngineError('CANCELLED', 'PURE Studio is closing.');
    const jobId = (this.options.newJobId ?? randomUUID)();
    // Checked here as well as in the worker: the renderer is not trusted, and a bad request
    // should be refused before it costs a process hop.
    const request = parseWorkerRequest({ type: 'restore', jobId, input, output, options, ...(extra.resumeTiles !== undefined && { resumeTiles: extra.resumeTiles }) });
    this.start();
    this.pending.set(jobId, { request, cancelRequested: false });
    this.child?.post(request);
    return jobId;
  }

  /**
   * PURE's up-front estimate for a photo, worked out in the worker (which decodes the photo and
   * reads the model's manifest; no model is loaded). Rejects with an EngineError: the worker's
   * (MODEL_MISSING, INVALID_OPTION...), or WORKER_CRASHED / CANCELLED when it went away first.
   */
  estimate(input: unknown, options: unknown): Promise<RestoreEstimate> {
    if (this.closing) return Promise.reject(new EngineError('CANCELLED', 'PURE Studio is closing.'));
    const requestId = (this.options.newJobId ?? randomUUID)();
    let request;
    try {
      request = parseWorkerRequest({ type: 'estimate', requestId, input, options });
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    this.start();
    return new Promise<RestoreEstimate>((resolve, reject) => {
      this.estimates.set(requestId, { resolve, reject });
      this.child?.post(request);
    });
  }

  cancel(jobId: string): void {
    const job = this.pending.get(jobId);
    if (!job) return;
    job.cancelRequested = true;
    this.child?.post({ type: 'cancel', jobId });
  }

  /** Asks the worker to finish, waits up to `graceMs`, then kills it. Safe to call twice. */
  stop(graceMs = STOP_GRACE_MS): Promise<void> {
    this.closing = true;
    this.stopped ??= this.shutDown(graceMs);
    return this.stopped;
  }

  private async shutDown(graceMs: number): Promise<void> {
    const child = this.child;
    this.pending.clear(); // nobody is left to tell about them
    this.failEstimates(new EngineError('CANCELLED', 'PURE Studio is closing.'));
    if (!child) return;
    const exited = new Promise<void>((resolve) => child.onExit(() => resolve()));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const graceOver = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), graceMs)));
    child.post({ type: 'shutdown' });
    if ((await Promise.race([exited, graceOver])) === 'timeout') {
      this.log(`worker did not stop within ${graceMs} ms: killing it`);
      child.kill();
    }
    clearTimeout(timer);
  }

  private receive(message: unknown): void {
    let event;
    try {
      event = parseWorkerEvent(message);
    } catch (error) {
      this.log(`dropped a message from the worker: ${toErrorPayload(error).message}`);
      return;
    }
    if (event.type === 'pong') return;
    if (event.type === 'estimated' || event.type === 'estimate-failed') return this.answered(event);
    // Unknown ids belong to jobs already ended, e.g. failed by a crash report or a cancel race.
    if (!this.pending.has(event.jobId)) return;
    if (event.type !== 'progress') this.pending.delete(event.jobId);
    this.options.onEvent(event);
  }

  private answered(event: EstimateEvent): void {
    const waiting = this.estimates.get(event.requestId);
    if (!waiting) return;
    this.estimates.delete(event.requestId);
    if (event.type === 'estimated') waiting.resolve(event.result);
    else waiting.reject(EngineError.fromPayload(event.error));
  }

  private failEstimates(error: EngineError): void {
    const waiting = [...this.estimates.values()];
    this.estimates.clear();
    for (const { reject } of waiting) reject(error);
  }

  /** Number of jobs sent and not yet ended. */
  get activeJobs(): number {
    return this.pending.size;
  }

  private exited(child: WorkerChild, code: number, reason: ExitReason | undefined): void {
    if (child !== this.child) return;
    this.child = undefined;
    if (this.closing) return;
    this.log(`worker (pid ${child.pid ?? '?'}) exited unexpectedly with code ${code}${reason ? ` (${reason})` : ''}`);
    // An estimate is cheap to ask again: the page does so with its next change.
    const crash = crashError(reason);
    this.failEstimates(new EngineError(crash.code, crash.message, crash.hint));
    const restart = this.noteCrash();
    const jobs = [...this.pending.entries()];
    this.pending.clear();
    const waiting: WorkerRequestInput[] = [];
    jobs.forEach(([jobId, job], index) => {
      // Stopping a native run can take the process down with it; the person asked for the job to
      // stop, and it has, so that is what they are told.
      if (job.cancelRequested) return this.options.onEvent({ type: 'failed', jobId, error: cancelledError().toPayload() });
      // The first job is the one that was running when the worker died; the others never started,
      // and are not lost: the fresh worker gets them (unless it keeps crashing).
      if (index === 0 || !restart) return this.options.onEvent({ type: 'failed', jobId, error: crashError(reason) });
      this.pending.set(jobId, job);
      waiting.push(job.request);
    });
    if (!restart) return this.log('worker keeps crashing: it will start again with the next job');
    this.start();
    const fresh = this.running();
    for (const request of waiting) fresh?.post(request);
  }

  /** The worker now running (a method, so that TypeScript does not keep a stale narrowing). */
  private running(): WorkerChild | undefined {
    return this.child;
  }

  /** Records a crash; says whether to restart at once. Stops a crash loop from spinning. */
  private noteCrash(): boolean {
    const now = (this.options.now ?? Date.now)();
    const windowMs = this.options.crashWindowMs ?? 60_000;
    this.crashTimes = [...this.crashTimes.filter((t) => now - t < windowMs), now];
    return this.crashTimes.length <= (this.options.maxRestarts ?? 3);
  }
}

function crashError(reason: ExitReason | undefined): ErrorPayload {
  if (reason === 'oom') {
    return {
      code: 'OUT_OF_MEMORY',
      message: 'The restoration ran out of memory and was stopped.',
      hint: 'Choose a smaller output size or a smaller tile, close other programs, then try again.',
    };
  }
  if (reason === 'killed') {
    return {
      code: 'WORKER_CRASHED',
      message: 'The restoration was stopped by the system, usually because memory ran short.',
      hint: 'Choose a smaller output size or close other programs, then try again.',
    };
  }
  return {
    code: 'WORKER_CRASHED',
    message: 'The restoration worker stopped unexpectedly.',
    hint: 'Try again. If it happens again, a smaller tile size uses less memory.',
  };
}
