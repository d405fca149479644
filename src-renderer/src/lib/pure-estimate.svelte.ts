// The estimate beside Restore: asks the host what the restore call would take, a moment after the
// last change (typing a width or dragging a region should not ask at every step), and keeps only
// the answer to the latest question: an older one arriving late is dropped.
import type { PureStudioApi, RestoreCall } from '../../../src-main/protocol/api';
import type { ErrorPayload } from '../../../src-main/protocol/messages';
import type { RestoreEstimate } from '../../../src-main/protocol/restore';
import { toPayload } from './errors';

export const ESTIMATE_DELAY_MS = 300;

export class PureEstimateState {
  /** The latest answer; kept (marked pending) while a newer question about the same photo is out. */
  result = $state<RestoreEstimate | undefined>();
  error = $state<ErrorPayload | undefined>();
  pending = $state(false);

  #asked: string | undefined;
  #input: string | undefined;
  #serial = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly ask: PureStudioApi['estimate'],
    private readonly delayMs = ESTIMATE_DELAY_MS,
  ) {}

  /** The call a Restore would make now; undefined when there is nothing to estimate. */
  update(call: RestoreCall | undefined): void {
    const key = call && JSON.stringify(call);
    if (key === this.#asked) return;
    this.#asked = key;
    clearTimeout(this.#timer);
    const serial = ++this.#serial;
    if (!call) {
      this.#show(undefined, undefined, undefined);
      return;
    }
    // Another photo's figures would mislead while this one's are worked out.
    if (call.input !== this.#input) this.#show(undefined, undefined, call.input);
    this.error = undefined;
    this.pending = true;
    this.#timer = setTimeout(() => void this.#ask(call, serial), this.delayMs);
  }

  dispose(): void {
    clearTimeout(this.#timer);
    this.#serial++;
  }

  async #ask(call: RestoreCall, serial: number): Promise<void> {
    try {
      const result = await this.ask(call);
      if (serial === this.#serial) this.#show(result, undefined, call.input);
    } catch (error) {
      if (serial === this.#serial) this.#show(undefined, toPayload(error), call.input);
    }
  }

  #show(result: RestoreEstimate | undefined, error: ErrorPayload | undefined, input: string | undefined): void {
    this.result = result;
    this.error = error;
    this.pending = false;
    this.#input = input;
  }
}
