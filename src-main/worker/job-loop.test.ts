import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EngineError, throwIfAborted } from '../engine/common/errors';
import type { WorkerEvent } from '../protocol/messages';
import type { RestoreResult } from '../protocol/restore';
import { startJobLoop } from './job-loop';
import type { JobLoopOptions, RestoreFn } from './job-loop';

function resultFor(input: string): RestoreResult {
  return {
    input,
    output: `${input}.out.png`,
    engine: 'realesrgan-x4plus',
    provider: 'cpu',
    inputSize: { width: 1, height: 1 },
    outputSize: { width: 4, height: 4 },
    tiles: 1,
    timings: { decodeMs: 0, loadModelMs: 0, inferenceMs: 0, encodeMs: 0, totalMs: 0 },
    workerPeakRssBytes: 0,
  };
}

/** A port whose messages are delivered synchronously, with a record of what the loop posted. */
function harness(restore: RestoreFn, extra: Partial<JobLoopOptions> = {}) {
  let deliver: (message: unknown) => void = () => assert.fail('loop did not subscribe');
  const posted: WorkerEvent[] = [];
  const logs: string[] = [];
  const loop = startJobLoop(
    { post: (message) => posted.push(message), onMessage: (handler) => (deliver = handler) },
    { restore, log: (line) => logs.push(line), ...extra },
  );
  const restoreRequest = (jobId: string, options: object = {}) => deliver({ type: 'restore', jobId, input: `/in/${jobId}.jpg`, options });
  return { send: (message: unknown) => deliver(message), restoreRequest, posted, logs, loop };
}

/** A restore that waits until its signal fires, like a long inference does. */
const untilAborted: RestoreFn = (_input, _output, _options, { signal }) =>
  new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('session terminated'))));

const byType = (events: WorkerEvent[], type: WorkerEvent['type']) => events.filter((e) => e.type === type);

test('runs a job: progress events, then done with the result', async () => {
  const calls: unknown[][] = [];
  const h = harness(async (input, output, options, { onProgress }) => {
    calls.push([input, output, options]);
    onProgress({ stage: 'restoring', fraction: 0.5, tilesDone: 1, tilesTotal: 2 });
    return resultFor(input);
  });
  h.restoreRequest('a', { scale: 2 });
  await h.loop.whenIdle();

  assert.equal(calls.length, 1);
  assert.equal(calls[0][0], '/in/a.jpg');
  assert.equal(calls[0][1], undefined);
  assert.equal((calls[0][2] as { scale: number; tile: number }).scale, 2);
  assert.equal((calls[0][2] as { engine: string }).engine, 'realesrgan-x4plus', 'defaults are filled in before the engine sees them');
  assert.deepEqual(h.posted, [
    { type: 'progress', jobId: 'a', progress: { stage: 'restoring', fraction: 0.5, tilesDone: 1, tilesTotal: 2 } },
    { type: 'done', jobId: 'a', result: resultFor('/in/a.jpg') },
  ]);
});

test('cancel aborts the running job and reports CANCELLED, whatever the engine threw', async () => {
  const h = harness(untilAborted);
  h.restoreRequest('a');
  h.send({ type: 'cancel', jobId: 'a' });
  await h.loop.whenIdle();
  assert.deepEqual(h.posted, [{ type: 'failed', jobId: 'a', error: { code: 'CANCELLED', message: 'Cancelled.' } }]);
});

test('cancel of a queued job reports it at once and the job never starts', async () => {
  const started: string[] = [];
  const h = harness((input, output, options, ctx) => {
    started.push(input);
    return untilAborted(input, output, options, ctx);
  });
  h.restoreRequest('a');
  h.restoreRequest('b');
  h.send({ type: 'cancel', jobId: 'b' });
  assert.deepEqual(h.posted, [{ type: 'failed', jobId: 'b', error: { code: 'CANCELLED', message: 'Cancelled.' } }]);
  h.send({ type: 'cancel', jobId: 'a' });
  await h.loop.whenIdle();
  assert.deepEqual(started, ['/in/a.jpg']);
  assert.deepEqual(
    h.posted.map((e) => [e.type, 'jobId' in e ? e.jobId : '']),
    [
      ['failed', 'b'],
      ['failed', 'a'],
    ],
  );
});

test('jobs run one at a time, in order', async () => {
  let active = 0;
  let most = 0;
  const h = harness(async (input) => {
    most = Math.max(most, ++active);
    await new Promise((resolve) => setTimeout(resolve, 5));
    active--;
    return resultFor(input);
  });
  h.restoreRequest('a');
  h.restoreRequest('b');
  h.restoreRequest('c');
  await h.loop.whenIdle();
  assert.equal(most, 1);
  assert.deepEqual(
    byType(h.posted, 'done').map((e) => (e.type === 'done' ? e.result.input : '')),
    ['/in/a.jpg', '/in/b.jpg', '/in/c.jpg'],
  );
});

test('an invalid option fails the job with INVALID_OPTION without calling the engine', async () => {
  let called = false;
  const h = harness(async (input) => {
    called = true;
    return resultFor(input);
  });
  h.restoreRequest('a', { tile: 3 });
  await h.loop.whenIdle();
  assert.equal(called, false);
  assert.equal(h.posted.length, 1);
  const [event] = h.posted;
  assert.ok(event.type === 'failed');
  assert.equal(event.jobId, 'a');
  assert.equal(event.error.code, 'INVALID_OPTION');
  assert.match(event.error.message, /options\.tile/);
});

test('a message without a usable job id is logged and otherwise ignored', () => {
  const h = harness(untilAborted);
  h.send({ type: 'explode' });
  h.send('not even an object');
  assert.deepEqual(h.posted, []);
  assert.equal(h.logs.length, 2);
  assert.match(h.logs[0], /invalid message/);
});

test('engine errors are mapped to payloads a person can act on', async () => {
  const errors: Record<string, unknown> = {
    missing: new EngineError('MODEL_MISSING', 'The model is not installed.', 'Run npm run setup-models.'),
    oom: new Error('std::bad_alloc'),
    bug: new TypeError('x is undefined'),
    thrownString: 'boom',
  };
  const h = harness(async (input) => {
    throw errors[input.slice('/in/'.length, -'.jpg'.length)];
  });
  for (const jobId of Object.keys(errors)) h.restoreRequest(jobId);
  await h.loop.whenIdle();

  const failures = new Map(byType(h.posted, 'failed').map((e) => (e.type === 'failed' ? [e.jobId, e.error] : ['', undefined])));
  assert.deepEqual(failures.get('missing'), { code: 'MODEL_MISSING', message: 'The model is not installed.', hint: 'Run npm run setup-models.' });
  assert.equal(failures.get('oom')?.code, 'OUT_OF_MEMORY');
  assert.equal(failures.get('bug')?.code, 'INTERNAL');
  assert.doesNotMatch(failures.get('bug')?.message ?? '', /at .*\.ts:\d+/, 'no stack traces');
  assert.equal(failures.get('thrownString')?.code, 'INTERNAL');
});

test('ping is answered with pong', () => {
  const h = harness(untilAborted);
  h.send({ type: 'ping' });
  assert.deepEqual(h.posted, [{ type: 'pong' }]);
});

test('a repeated job id is ignored rather than run twice', async () => {
  let runs = 0;
  const h = harness(async (input, _output, _options, { signal }) => {
    runs++;
    await new Promise((resolve) => setTimeout(resolve, 5));
    throwIfAborted(signal);
    return resultFor(input);
  });
  h.restoreRequest('a');
  h.restoreRequest('a');
  await h.loop.whenIdle();
  assert.equal(runs, 1);
  assert.equal(byType(h.posted, 'done').length, 1);
  assert.match(h.logs.join('\n'), /second restore/);
});

test('shutdown cancels everything, waits for the running job, then calls onShutdown', async () => {
  const order: string[] = [];
  let shutDown!: () => void;
  const finished = new Promise<void>((resolve) => (shutDown = resolve));
  const h = harness(
    async (input, output, options, ctx) => {
      try {
        return await untilAborted(input, output, options, ctx);
      } finally {
        order.push('engine settled');
      }
    },
    {
      onShutdown: () => {
        order.push('onShutdown');
        shutDown();
      },
    },
  );
  h.restoreRequest('a');
  h.restoreRequest('b');
  h.send({ type: 'shutdown' });
  await finished;
  assert.deepEqual(order, ['engine settled', 'onShutdown']);
  assert.deepEqual(
    h.posted.map((e) => (e.type === 'failed' ? `${e.jobId}:${e.error.code}` : e.type)),
    ['b:CANCELLED', 'a:CANCELLED'],
  );
  h.restoreRequest('c');
  assert.deepEqual(h.posted.at(-1), { type: 'failed', jobId: 'c', error: { code: 'CANCELLED', message: 'The worker is shutting down.' } });
});

test('attach-progress-port is the entry point’s business: the loop neither answers nor logs it', () => {
  const h = harness(untilAborted);
  h.send({ type: 'attach-progress-port' });
  assert.deepEqual(h.posted, []);
  assert.deepEqual(h.logs, []);
});

test('a restore request carries its resume folder for PURE tiles to the engine', async () => {
  const seen: (string | undefined)[] = [];
  const h = harness(async (input, _output, _options, ctx) => {
    seen.push(ctx.resumeTiles);
    return resultFor(input);
  });
  h.send({ type: 'restore', jobId: 'tiles', input: '/in/tiles.jpg', options: {}, resumeTiles: '/state/tiles/7' });
  h.restoreRequest('plain');
  await h.loop.whenIdle();
  assert.deepEqual(seen, ['/state/tiles/7', undefined]);
});
