// Main's side of the worker: starts it, routes requests to it and events back, notices when it
// dies (failing its jobs with WORKER_CRASHED and starting a fresh one), and stops it on quit by
// asking first and killing after a grace period. The process itself is behind `spawn`, so all of
// this runs in plain Node tests; spawn-worker.ts adapts Electron's utilityProcess to it.
import { randomUUID } from 'node:crypto';
import { cancelledError, EngineError, toErrorPayload } from '../engine/common/errors';
import type { ErrorPayload } from '../engine/common/errors';
import { parseWorkerEvent, parseWorkerRequest } from '../protocol/messages';
import type { JobEvent, WorkerRequestInput } from '../protocol/messages';

export interface WorkerChild {
  readonly pid: number | undefined;
  post(message: WorkerRequestInput): void;
  onMessage(listener: (message: unknown) => void): void;
  onExit(listener: (code: number) => void): void;
  kill(): void;
}

export interface WorkerHostOptions {
  spawn: () => WorkerChild;
  /** Every job event, including the WORKER_CRASHED failures the host makes up itself. */
  onEvent: (event: JobEvent) => void;
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
  /** Jobs sent to the worker that have not yet ended with 'done' or 'failed', and whether a
   * cancel was asked for. */
  private readonly pending = new Map<string, { cancelRequested: boolean }>();
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
    child.onExit((code) => this.exited(child, code));
    this.log(`worker started (pid ${child.pid ?? '?'})`);
  }

  /**
   * Checks the request and queues it in the worker. Returns the new job's id; throws an
   * EngineError (INVALID_OPTION for bad options) when the request does not fit the protocol.
   */
  restore(input: unknown, output: unknown, options: unknown): string {
    if (this.closing) throw new EngineError('CANCELLED', 'PURE Studio is closing.');
    const jobId = (this.options.newJobId ?? randomUUID)();
    // Checked here as well as in the worker: the renderer is not trusted, and a bad request
    // should be refused before it costs a process hop.
    const request = parseWorkerRequest({ type: 'restore', jobId, input, output, options });
    this.start();
    this.pending.set(jobId, { cancelRequested: false });
    this.child?.post(request);
    return jobId;
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
    // Unknown ids belong to jobs already ended, e.g. failed by a crash report or a cancel race.
    if (!this.pending.has(event.jobId)) return;
    if (event.type !== 'progress') this.pending.delete(event.jobId);
    this.options.onEvent(event);
  }

  private exited(child: WorkerChild, code: number): void {
    if (child !== this.child) return;
    this.child = undefined;
    if (this.closing) return;
    this.log(`worker (pid ${child.pid ?? '?'}) exited unexpectedly with code ${code}`);
    for (const [jobId, { cancelRequested }] of this.pending) {
      // Stopping a native run can take the process down with it; the person asked for the job to
      // stop, and it has, so that is what they are told.
      const error: ErrorPayload = cancelRequested
        ? cancelledError().toPayload()
        : {
            code: 'WORKER_CRASHED',
            message: 'The restoration worker stopped unexpectedly.',
            hint: 'Try again. If it happens again, a smaller tile size uses less memory.',
          };
      this.options.onEvent({ type: 'failed', jobId, error });
    }
    this.pending.clear();
    if (this.noteCrash()) this.start();
    else this.log('worker keeps crashing: it will start again with the next job');
  }

  /** Records a crash; says whether to restart at once. Stops a crash loop from spinning. */
  private noteCrash(): boolean {
    const now = (this.options.now ?? Date.now)();
    const windowMs = this.options.crashWindowMs ?? 60_000;
    this.crashTimes = [...this.crashTimes.filter((t) => now - t < windowMs), now];
    return this.crashTimes.length <= (this.options.maxRestarts ?? 3);
  }
}
