// The worker's message loop: validates requests, runs restore jobs one at a time, and reports
// progress / done / failed. PURE estimates are answered as they come, beside the queue: they
// only read the photo and the model's manifest, and a person asks for one while a job runs.
// It knows nothing about Electron: `port` is anything that can send and receive messages, so the
// loop runs (and is tested) in plain Node.
import { cancelledError, EngineError, toErrorPayload } from '../engine/common/errors';
import type { ErrorPayload } from '../engine/common/errors';
import { jobIdOf, parseWorkerRequest, requestIdOf } from '../protocol/messages';
import type { EstimateRequest, RestoreRequest, WorkerEvent } from '../protocol/messages';
import type { RestoreEstimate, RestoreOptionsInput, RestoreProgress, RestoreResult } from '../protocol/restore';

export interface JobPort {
  post(message: WorkerEvent): void;
  onMessage(handler: (message: unknown) => void): void;
}

/** The engine's restore API (restoreImage); injected so tests can stand in for it. */
export type RestoreFn = (
  input: string,
  output: string | undefined,
  options: RestoreOptionsInput,
  ctx: { signal: AbortSignal; onProgress: (progress: RestoreProgress) => void; previews?: boolean; resumeTiles?: string },
) => Promise<RestoreResult>;

/** The engine's up-front PURE estimate (Restorer.estimate). */
export type EstimateFn = (input: string, options: RestoreOptionsInput) => Promise<RestoreEstimate>;

export interface JobLoopOptions {
  restore: RestoreFn;
  /** Absent: estimate requests are answered with an INTERNAL error. */
  estimate?: EstimateFn;
  /** Runs once 'shutdown' has cancelled every job and the running one has settled. */
  onShutdown?: () => void | Promise<void>;
  log?: (line: string) => void;
}

export interface JobLoop {
  /** Resolves when no job is running or waiting. */
  whenIdle(): Promise<void>;
}

interface Job {
  request: RestoreRequest;
  controller: AbortController;
}

export function startJobLoop(port: JobPort, options: JobLoopOptions): JobLoop {
  const log = options.log ?? (() => {});
  // One job at a time: a 4x upscale can take gigabytes, and two at once would only share the CPU.
  const waiting: Job[] = [];
  const known = new Map<string, Job>();
  let running: Promise<void> | undefined;
  let stopping = false;
  let idleWaiters: (() => void)[] = [];

  const fail = (jobId: string, error: ErrorPayload): void => port.post({ type: 'failed', jobId, error });

  function handle(raw: unknown): void {
    let request;
    try {
      request = parseWorkerRequest(raw);
    } catch (error) {
      const jobId = jobIdOf(raw);
      const requestId = requestIdOf(raw);
      // Failing a job we are running because of some other malformed message would lie to main.
      if (requestId !== undefined) port.post({ type: 'estimate-failed', requestId, error: toErrorPayload(error) });
      else if (jobId !== undefined && !known.has(jobId)) fail(jobId, toErrorPayload(error));
      else log(`ignored an invalid message: ${toErrorPayload(error).message}`);
      return;
    }
    switch (request.type) {
      case 'restore':
        return enqueue(request);
      case 'estimate':
        return void answerEstimate(request);
      case 'cancel':
        return cancel(request.jobId);
      case 'ping':
        return port.post({ type: 'pong' });
      case 'shutdown':
        shutdown().catch((error: unknown) => log(`shutdown failed: ${toErrorPayload(error).message}`));
        return;
      case 'attach-progress-port':
        return; // the port itself travels beside the message: the process entry takes it (index.ts)
    }
  }

  function enqueue(request: RestoreRequest): void {
    if (known.has(request.jobId)) return log(`ignored a second restore for job ${request.jobId}`);
    if (stopping) return fail(request.jobId, { code: 'CANCELLED', message: 'The worker is shutting down.' });
    const job = { request, controller: new AbortController() };
    known.set(request.jobId, job);
    waiting.push(job);
    pump();
  }

  async function answerEstimate({ requestId, input, options: estimateOptions }: EstimateRequest): Promise<void> {
    try {
      if (stopping) throw cancelledError();
      if (!options.estimate) throw new EngineError('INTERNAL', 'This worker cannot estimate restorations.');
      port.post({ type: 'estimated', requestId, result: await options.estimate(input, estimateOptions) });
    } catch (error) {
      port.post({ type: 'estimate-failed', requestId, error: toErrorPayload(error) });
    }
  }

  function cancel(jobId: string): void {
    const job = known.get(jobId);
    if (!job) return; // already finished: the cancel crossed its 'done' on the way
    const index = waiting.indexOf(job);
    if (index >= 0) {
      // Never started: say so now rather than when its turn would have come.
      waiting.splice(index, 1);
      known.delete(jobId);
      fail(jobId, cancelledError().toPayload());
      settleIfIdle();
    } else {
      job.controller.abort(cancelledError());
    }
  }

  function pump(): void {
    if (running) return;
    const job = waiting.shift();
    if (!job) return settleIfIdle();
    running = run(job).finally(() => {
      known.delete(job.request.jobId);
      running = undefined;
      pump();
    });
  }

  async function run({ request, controller }: Job): Promise<void> {
    const { jobId, input, output, options: jobOptions, resumeTiles } = request;
    const { signal } = controller;
    try {
      const result = await options.restore(input, output, jobOptions, {
        signal,
        // A page is listening: PURE's live previews are worth writing.
        previews: true,
        ...(resumeTiles !== undefined && { resumeTiles }),
        onProgress: (progress) => {
          if (!signal.aborted) port.post({ type: 'progress', jobId, progress });
        },
      });
      port.post({ type: 'done', jobId, result });
    } catch (error) {
      // Once cancelled, whatever the engine threw on the way out (a terminated thread, a closed
      // session) is the cancel itself.
      fail(jobId, signal.aborted ? cancelledError().toPayload() : toErrorPayload(error));
    }
  }

  async function shutdown(): Promise<void> {
    if (stopping) return;
    stopping = true;
    for (const job of waiting.splice(0)) {
      known.delete(job.request.jobId);
      fail(job.request.jobId, cancelledError().toPayload());
    }
    for (const job of known.values()) job.controller.abort(cancelledError());
    await running;
    await options.onShutdown?.();
  }

  function settleIfIdle(): void {
    if (running || waiting.length > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  port.onMessage(handle);

  return {
    whenIdle: () =>
      running || waiting.length > 0 ? new Promise<void>((resolve) => idleWaiters.push(resolve)) : Promise.resolve(),
  };
}
