import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EngineError } from '../engine/common/errors';
import { jobIdOf, parseJobEvent, parseWorkerEvent, parseWorkerRequest, ProtocolError } from './messages';

const result = {
  input: '/photos/a.jpg',
  output: '/photos/a-restored.png',
  engine: 'realesrgan-x4plus',
  provider: 'cpu',
  inputSize: { width: 10, height: 20 },
  outputSize: { width: 40, height: 80 },
  tiles: 1,
  timings: { decodeMs: 1, loadModelMs: 2, inferenceMs: 3, encodeMs: 4, totalMs: 10 },
  workerPeakRssBytes: 1,
};

describe('parseWorkerRequest', () => {
  test('fills in option defaults on a restore request', () => {
    const request = parseWorkerRequest({ type: 'restore', jobId: 'j1', input: '/a.jpg', options: { scale: 2 } });
    assert.equal(request.type, 'restore');
    if (request.type !== 'restore') return;
    assert.equal(request.output, undefined);
    assert.equal(request.options.scale, 2);
    assert.equal(request.options.engine, 'realesrgan-x4plus');
    assert.equal(request.options.tile, undefined, 'unset: each engine uses its own measured tile size');
    assert.equal(request.options.maxInputPixels, 40_000_000);
  });

  test('accepts cancel, ping and shutdown', () => {
    assert.deepEqual(parseWorkerRequest({ type: 'cancel', jobId: 'j1' }), { type: 'cancel', jobId: 'j1' });
    assert.deepEqual(parseWorkerRequest({ type: 'ping' }), { type: 'ping' });
    assert.deepEqual(parseWorkerRequest({ type: 'shutdown' }), { type: 'shutdown' });
  });

  test('drops fields the protocol does not know', () => {
    assert.deepEqual(parseWorkerRequest({ type: 'cancel', jobId: 'j1', extra: true }), { type: 'cancel', jobId: 'j1' });
  });

  test('a bad option is INVALID_OPTION and names the field', () => {
    assert.throws(
      () => parseWorkerRequest({ type: 'restore', jobId: 'j1', input: '/a.jpg', options: { tile: 7 } }),
      (error: unknown) => {
        assert.ok(error instanceof ProtocolError);
        assert.ok(error instanceof EngineError);
        assert.equal(error.code, 'INVALID_OPTION');
        assert.match(error.message, /options\.tile/);
        return true;
      },
    );
  });

  test('a malformed message is INTERNAL', () => {
    for (const bad of [null, 'restore', {}, { type: 'explode' }, { type: 'restore', jobId: 'j1', options: {} }, { type: 'cancel', jobId: '' }]) {
      assert.throws(() => parseWorkerRequest(bad), (error: unknown) => error instanceof ProtocolError && error.code === 'INTERNAL');
    }
  });
});

describe('parseWorkerEvent', () => {
  test('accepts progress, done, failed and pong', () => {
    assert.deepEqual(parseWorkerEvent({ type: 'progress', jobId: 'j', progress: { stage: 'restoring', fraction: 0.5, tilesDone: 2, tilesTotal: 4 } }), {
      type: 'progress',
      jobId: 'j',
      progress: { stage: 'restoring', fraction: 0.5, tilesDone: 2, tilesTotal: 4 },
    });
    assert.deepEqual(parseWorkerEvent({ type: 'done', jobId: 'j', result }), { type: 'done', jobId: 'j', result });
    const failed = { type: 'failed', jobId: 'j', error: { code: 'CANCELLED', message: 'Cancelled.' } };
    assert.deepEqual(parseWorkerEvent(failed), failed);
    assert.deepEqual(parseWorkerEvent({ type: 'pong' }), { type: 'pong' });
  });

  test('rejects an unknown error code and an out-of-range fraction', () => {
    assert.throws(() => parseWorkerEvent({ type: 'failed', jobId: 'j', error: { code: 'OOPS', message: 'x' } }), /error\.code/);
    assert.throws(() => parseWorkerEvent({ type: 'progress', jobId: 'j', progress: { stage: 'restoring', fraction: 1.5 } }), /progress\.fraction/);
  });

  test('rejects a done event whose result is incomplete', () => {
    const { timings: _timings, ...partial } = result;
    assert.throws(() => parseWorkerEvent({ type: 'done', jobId: 'j', result: partial }), /result\.timings/);
  });
});

test('jobIdOf reads the id of an otherwise invalid message', () => {
  assert.equal(jobIdOf({ type: 'restore', jobId: 'j7', options: 'nonsense' }), 'j7');
  assert.equal(jobIdOf({ type: 'ping' }), undefined);
  assert.equal(jobIdOf(42), undefined);
});

test('the progress-port request carries nothing but its type (the port travels beside it)', () => {
  assert.deepEqual(parseWorkerRequest({ type: 'attach-progress-port', port: 'ignored' }), { type: 'attach-progress-port' });
});

describe('parseJobEvent, the preload check on what reaches the page', () => {
  test('accepts the three job events', () => {
    const progress = { type: 'progress', jobId: 'j', progress: { stage: 'decoding', fraction: 0 } };
    assert.deepEqual(parseJobEvent(progress), progress);
    assert.deepEqual(parseJobEvent({ type: 'done', jobId: 'j', result }), { type: 'done', jobId: 'j', result });
  });

  test('rejects a pong, junk and look-alikes with an error rather than passing them on', () => {
    for (const bad of [{ type: 'pong' }, null, [], 'progress', { type: 'progress', jobId: 'j' }, { type: 'failed', jobId: 'j', error: 'boom' }]) {
      assert.throws(() => parseJobEvent(bad), ProtocolError);
    }
  });
});
