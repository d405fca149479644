// The page's state for one restore at a time: what is being restored and how far it got.
// A rune-based class, so components read its fields and re-render when they change.
import type { PureStudioApi } from '../../../src-main/protocol/api';
import type { ErrorPayload, JobEvent } from '../../../src-main/protocol/messages';
import type { RestoreProgress, RestoreResult } from '../../../src-main/protocol/restore';

export type JobView =
  | { state: 'starting'; input: string }
  | { state: 'running'; jobId: string; input: string; progress: RestoreProgress | undefined; cancelling: boolean }
  | { state: 'done'; jobId: string; input: string; result: RestoreResult }
  | { state: 'failed'; input: string; error: ErrorPayload };

function isErrorPayload(value: unknown): value is ErrorPayload {
  return typeof value === 'object' && value !== null && typeof (value as ErrorPayload).code === 'string' && typeof (value as ErrorPayload).message === 'string';
}

function asErrorPayload(error: unknown): ErrorPayload {
  if (isErrorPayload(error)) return error;
  return { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
}

export class RestoreSession {
  job = $state<JobView | undefined>();
  readonly #api: PureStudioApi;

  constructor(api: PureStudioApi) {
    this.#api = api;
  }

  /** Follows the app's job events; returns the unsubscribe (an $effect's cleanup). */
  connect(): () => void {
    return this.#api.onEvent((event) => this.#apply(event));
  }

  get busy(): boolean {
    return this.job?.state === 'starting' || this.job?.state === 'running';
  }

  /** Asks for a photo and restores it with the default options. Never throws: failures become state. */
  async openAndRestore(): Promise<void> {
    if (this.busy) return;
    let input: string | undefined;
    try {
      input = await this.#api.openPhoto();
      if (input === undefined) return; // the person closed the dialog
      this.job = { state: 'starting', input };
      // Main answers before the worker's first event can arrive, so no event is missed here.
      const jobId = await this.#api.restore(input, undefined, {});
      if (this.job?.state === 'starting') this.job = { state: 'running', jobId, input, progress: undefined, cancelling: false };
    } catch (error) {
      this.job = { state: 'failed', input: input ?? '', error: asErrorPayload(error) };
    }
  }

  async cancel(): Promise<void> {
    const job = this.job;
    if (job?.state !== 'running' || job.cancelling) return;
    job.cancelling = true;
    try {
      await this.#api.cancel(job.jobId);
    } catch (error) {
      this.job = { state: 'failed', input: job.input, error: asErrorPayload(error) };
    }
  }

  /** Back to the empty state. */
  clear(): void {
    if (!this.busy) this.job = undefined;
  }

  #apply(event: JobEvent): void {
    const job = this.job;
    if (job?.state !== 'running' || job.jobId !== event.jobId) return;
    switch (event.type) {
      case 'progress':
        job.progress = event.progress;
        break;
      case 'done':
        this.job = { state: 'done', jobId: job.jobId, input: job.input, result: event.result };
        break;
      case 'failed':
        this.job = { state: 'failed', input: job.input, error: event.error };
        break;
    }
  }
}
