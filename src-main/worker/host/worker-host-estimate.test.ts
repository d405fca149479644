// WorkerHost's side of an estimate: one request, one answer matched by id; a worker that dies
// or an app that closes first fails the caller instead of leaving it waiting.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RestoreEstimate } from '../../protocol/restore';
import type { WorkerRequestInput } from '../../protocol/messages';
import { WorkerHost } from './worker-host';
import type { ExitReason, WorkerChild } from './worker-host';

/** A worker process stand-in that records requests and answers only when the test says. */
class QuietChild implements WorkerChild {
  readonly pid = 7;
  readonly sent: WorkerRequestInput[] = [];
  private messages: ((message: unknown) => void)[] = [];
  private exits: ((code: number, reason?: ExitReason) => void)[] = [];
  post(message: WorkerRequestInput): void {
    this.sent.push(message);
    if (message.type === 'shutdown') setTimeout(() => this.exit(0), 1);
  }
  onMessage(listener: (message: unknown) => void): void {
    this.messages.push(listener);
  }
  onExit(listener: (code: number, reason?: ExitReason) => void): void {
    this.exits.push(listener);
  }
  kill(): void {
    this.exit(137, 'killed');
  }
  emit(message: unknown): void {
    this.messages.forEach((listener) => listener(message));
  }
  exit(code: number, reason?: ExitReason): void {
    this.exits.forEach((listener) => listener(code, reason));
  }
}

function harness() {
  const children: QuietChild[] = [];
  let id = 0;
  const host = new WorkerHost({
    spawn: () => {
      children.push(new QuietChild());
      return children[children.length - 1];
    },
    onEvent: () => {},
    newJobId: () => `r${++id}`,
  });
  return { host, last: () => children[children.length - 1] };
}

const answer: RestoreEstimate = {
  input: '/a.jpg',
  engine: 'pure',
  inputSize: { width: 300, height: 200 },
  outputSize: { width: 1200, height: 800 },
  testModel: false,
  estimate: { tiles: 6, columns: 3, rows: 2, tileSize: 128, factor: 4, tokensPerTile: 4200, tokensPerSecond: 3, overheadSecondsPerTile: 5, seconds: 8430, source: 'assumed' },
};

test('answers are matched to their requests by id, whatever the order', async () => {
  const { host, last } = harness();
  const first = host.estimate('/a.jpg', { engine: 'pure' });
  const second = host.estimate('/b.jpg', { engine: 'pure', scale: 2 });
  assert.deepEqual(last().sent.map((m) => m.type === 'estimate' && [m.requestId, m.input]), [['r1', '/a.jpg'], ['r2', '/b.jpg']]);
  last().emit({ type: 'estimate-failed', requestId: 'r2', error: { code: 'MODEL_MISSING', message: 'No PURE model.', hint: 'Pull it.' } });
  last().emit({ type: 'estimated', requestId: 'r1', result: answer });
  assert.deepEqual(await first, answer);
  await assert.rejects(second, { code: 'MODEL_MISSING', message: 'No PURE model.', hint: 'Pull it.' });
});

test('bad options are refused before they reach the worker', async () => {
  const { host } = harness();
  await assert.rejects(host.estimate('/a.jpg', { engine: 'pure', scale: 3 }), { code: 'INVALID_OPTION' });
});

test('a worker that dies fails the estimates it had; closing fails the rest', async () => {
  const { host, last } = harness();
  const lost = host.estimate('/a.jpg', { engine: 'pure' });
  last().exit(1, 'crashed');
  await assert.rejects(lost, { code: 'WORKER_CRASHED' });
  const closing = assert.rejects(host.estimate('/a.jpg', { engine: 'pure' }), { code: 'CANCELLED' });
  await host.stop(50);
  await closing;
  await assert.rejects(host.estimate('/a.jpg', { engine: 'pure' }), { code: 'CANCELLED' });
});
