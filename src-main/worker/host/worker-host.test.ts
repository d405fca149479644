import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { JobEvent, WorkerRequestInput } from '../../protocol/messages';
import { WorkerHost } from './worker-host';
import type { ExitReason, WorkerChild, WorkerHostOptions } from './worker-host';

/** A stand-in for the utility process: records what it was sent, exits when told to. */
class FakeChild implements WorkerChild {
  static nextPid = 100;
  readonly pid = FakeChild.nextPid++;
  readonly sent: WorkerRequestInput[] = [];
  killed = false;
  private messageListeners: ((message: unknown) => void)[] = [];
  private exitListeners: ((code: number, reason?: ExitReason) => void)[] = [];

  constructor(private readonly exitOnShutdown: boolean) {}

  post(message: WorkerRequestInput): void {
    this.sent.push(message);
    if (message.type === 'shutdown' && this.exitOnShutdown) setTimeout(() => this.exit(0), 1);
  }
  onMessage(listener: (message: unknown) => void): void {
    this.messageListeners.push(listener);
  }
  onExit(listener: (code: number, reason?: ExitReason) => void): void {
    this.exitListeners.push(listener);
  }
  kill(): void {
    this.killed = true;
    this.exit(143);
  }
  emit(message: unknown): void {
    for (const listener of this.messageListeners) listener(message);
  }
  exit(code: number, reason?: ExitReason): void {
    for (const listener of this.exitListeners) listener(code, reason);
  }
}

function harness(overrides: Partial<WorkerHostOptions> & { exitOnShutdown?: boolean } = {}) {
  const children: FakeChild[] = [];
  const events: JobEvent[] = [];
  const logs: string[] = [];
  let id = 0;
  const host = new WorkerHost({
    spawn: () => {
      const child = new FakeChild(overrides.exitOnShutdown ?? true);
      children.push(child);
      return child;
    },
    onEvent: (event) => events.push(event),
    log: (line) => logs.push(line),
    newJobId: () => `job-${++id}`,
    ...overrides,
  });
  return { host, children, events, logs, last: () => children[children.length - 1] };
}

describe('WorkerHost', () => {
  test('restore validates, fills in defaults and queues the job in the worker', () => {
    const h = harness();
    const jobId = h.host.restore('/in/a.jpg', undefined, { scale: 2 });
    assert.equal(jobId, 'job-1');
    assert.equal(h.children.length, 1, 'the worker starts with the first job');
    const [sent] = h.last().sent;
    assert.ok(sent.type === 'restore');
    assert.equal(sent.jobId, 'job-1');
    assert.equal(sent.options.scale, 2);
    assert.equal(sent.options.engine, 'realesrgan-x4plus', 'the default engine is filled in');
    assert.equal(sent.options.tile, undefined, 'unset: each engine uses its own measured tile size');
  });

  test('an invalid request is refused in main, before the worker sees it', () => {
    const h = harness();
    h.host.start();
    assert.throws(() => h.host.restore('/in/a.jpg', undefined, { tile: 1 }), { code: 'INVALID_OPTION' });
    assert.throws(() => h.host.restore(42, undefined, {}), { code: 'INTERNAL' });
    assert.deepEqual(h.last().sent, []);
  });

  test('job events pass through; unknown jobs and malformed messages are dropped', () => {
    const h = harness();
    const jobId = h.host.restore('/in/a.jpg', undefined, {});
    const progress = { type: 'progress', jobId, progress: { stage: 'decoding', fraction: 0.1 } } as const;
    h.last().emit(progress);
    h.last().emit({ type: 'progress', jobId: 'someone-else', progress: { stage: 'decoding', fraction: 0.1 } });
    h.last().emit({ type: 'progress', jobId }); // no progress field
    h.last().emit({ type: 'pong' });
    const failed = { type: 'failed', jobId, error: { code: 'CANCELLED', message: 'Cancelled.' } } as const;
    h.last().emit(failed);
    h.last().emit(failed); // a job ends once
    assert.deepEqual(h.events, [progress, failed]);
    assert.equal(h.logs.filter((line) => line.includes('dropped')).length, 1);
  });

  test('cancel is forwarded only for jobs still running', () => {
    const h = harness();
    const jobId = h.host.restore('/in/a.jpg', undefined, {});
    h.host.cancel(jobId);
    h.host.cancel('never-existed');
    assert.deepEqual(
      h.last().sent.map((m) => m.type),
      ['restore', 'cancel'],
    );
  });

  test('a crash fails the running job with WORKER_CRASHED; the jobs waiting behind it go to a fresh worker', () => {
    const h = harness();
    const a = h.host.restore('/in/a.jpg', undefined, {});
    const b = h.host.restore('/in/b.jpg', undefined, {});
    const first = h.last();
    first.exit(134);
    assert.deepEqual(
      h.events.map((e) => [e.jobId, e.type === 'failed' ? e.error.code : e.type]),
      [[a, 'WORKER_CRASHED']],
    );
    assert.match(h.events[0].type === 'failed' ? h.events[0].error.message : '', /stopped unexpectedly/);
    assert.equal(h.children.length, 2, 'restarted');
    assert.deepEqual(
      h.last().sent.map((m) => (m.type === 'restore' ? m.jobId : m.type)),
      [b],
      'the waiting job is not lost',
    );
    first.emit({ type: 'done', jobId: a, result: {} }); // a late message from the dead one
    assert.equal(h.events.length, 1);
    const done = { type: 'failed', jobId: b, error: { code: 'CANCELLED', message: 'Cancelled.' } } as const;
    h.last().emit(done);
    assert.deepEqual(h.events.at(-1), done, 'the fresh worker reports it as usual');
    const c = h.host.restore('/in/c.jpg', undefined, {});
    const sent = h.last().sent.at(-1);
    assert.ok(sent?.type === 'restore' && sent.jobId === c, 'new jobs go to the new worker');
  });

  test('an out-of-memory exit says so, and the next job still runs', () => {
    const h = harness();
    const a = h.host.restore('/in/a.jpg', undefined, {});
    h.last().exit(137, 'oom');
    const [failed] = h.events;
    assert.ok(failed.type === 'failed' && failed.jobId === a);
    assert.equal(failed.error.code, 'OUT_OF_MEMORY');
    assert.match(failed.error.message, /ran out of memory/);
    assert.ok(failed.error.hint);
    assert.equal(h.host.activeJobs, 0);
    h.host.restore('/in/b.jpg', undefined, {});
    assert.equal(h.host.activeJobs, 1);
    assert.equal(h.children.length, 2);
  });

  test('each new worker is announced, so a progress port can be attached to it', () => {
    const started: number[] = [];
    const h = harness({ onStart: (child) => started.push(child.pid ?? -1) });
    h.host.start();
    h.last().exit(1);
    assert.deepEqual(started, h.children.map((c) => c.pid));
    assert.equal(started.length, 2);
  });

  test('a crash while a job is being cancelled reports it as cancelled, and the next job still runs', () => {
    const h = harness();
    const a = h.host.restore('/in/a.jpg', undefined, {});
    const b = h.host.restore('/in/b.jpg', undefined, {});
    h.host.cancel(a);
    h.last().exit(134);
    assert.deepEqual(
      h.events.map((e) => [e.jobId, e.type === 'failed' ? e.error.code : e.type]),
      [[a, 'CANCELLED']],
    );
    assert.deepEqual(h.last().sent.map((m) => (m.type === 'restore' ? m.jobId : m.type)), [b]);
  });

  test('while the worker keeps crashing, waiting jobs fail too rather than loop', () => {
    let now = 0;
    const h = harness({ now: () => now, maxRestarts: 0 });
    const a = h.host.restore('/in/a.jpg', undefined, {});
    const b = h.host.restore('/in/b.jpg', undefined, {});
    now += 1;
    h.last().exit(1);
    assert.deepEqual(h.events.map((e) => [e.jobId, e.type === 'failed' ? e.error.code : e.type]), [
      [a, 'WORKER_CRASHED'],
      [b, 'WORKER_CRASHED'],
    ]);
    assert.equal(h.host.activeJobs, 0);
  });

  test('a crash loop stops eager restarts; the next job starts the worker again', () => {
    let now = 0;
    const h = harness({ now: () => now, maxRestarts: 2, crashWindowMs: 1000 });
    h.host.start();
    for (let i = 0; i < 3; i++) {
      now += 10;
      h.last().exit(1);
    }
    assert.equal(h.children.length, 3, 'two restarts, then it waits');
    assert.match(h.logs.join('\n'), /keeps crashing/);
    h.host.restore('/in/a.jpg', undefined, {});
    assert.equal(h.children.length, 4);
    now += 5000; // old crashes age out of the window
    h.last().exit(1);
    assert.equal(h.children.length, 5);
  });

  test('stop asks the worker to shut down and does not kill one that obeys', async () => {
    const h = harness();
    h.host.restore('/in/a.jpg', undefined, {});
    await h.host.stop(1000);
    assert.equal(h.last().sent.at(-1)?.type, 'shutdown');
    assert.equal(h.last().killed, false);
    assert.deepEqual(h.events, [], 'quitting is not a crash');
    assert.equal(h.children.length, 1, 'and is not restarted');
    assert.throws(() => h.host.restore('/in/b.jpg', undefined, {}), { code: 'CANCELLED' });
  });

  test('stop kills a worker that does not exit within the grace period', async () => {
    const h = harness({ exitOnShutdown: false });
    h.host.start();
    const started = Date.now();
    await Promise.all([h.host.stop(30), h.host.stop(30)]);
    assert.ok(Date.now() - started >= 25);
    assert.equal(h.last().killed, true);
    assert.equal(h.last().sent.filter((m) => m.type === 'shutdown').length, 1);
    assert.equal(h.children.length, 1);
  });
});
