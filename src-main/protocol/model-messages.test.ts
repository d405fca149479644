// Model events are checked in the desktop page's preload like job events: what does not fit
// the protocol is refused with a code, whatever the sender promised.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseModelEvent, ProtocolError } from './messages';

test('accepts each kind of model event', () => {
  const progress = { type: 'progress', id: 'pure-7b', task: 'pull', progress: { phase: 'downloading', bytesDone: 10, bytesTotal: 100, bytesPerSecond: 5, etaSeconds: 18 } };
  assert.deepEqual(parseModelEvent(progress), progress);
  assert.deepEqual(parseModelEvent({ type: 'ended', id: 'm', task: 'verify', outcome: 'done' }), { type: 'ended', id: 'm', task: 'verify', outcome: 'done' });
  const failed = { type: 'failed', id: 'm', task: 'import', error: { code: 'DIGEST_MISMATCH', message: 'x', hint: 'y' } };
  assert.deepEqual(parseModelEvent(failed), failed);
  assert.deepEqual(parseModelEvent({ type: 'changed' }), { type: 'changed' });
});

test('refuses events that do not fit, as INTERNAL protocol errors', () => {
  const bad: unknown[] = [
    { type: 'progress', id: 'm', task: 'pull', progress: { phase: 'teleporting' } },
    { type: 'progress', id: 'm', task: 'pull', progress: { phase: 'downloading', bytesDone: -1 } },
    { type: 'progress', id: 'm', task: 'pull', progress: { phase: 'verifying', fraction: 1.5 } },
    { type: 'ended', id: 'm', task: 'pull', outcome: 'exploded' },
    { type: 'ended', id: '../m', task: 'pull', outcome: 'done' },
    { type: 'failed', id: 'm', task: 'remove', error: { code: 'CANCELLED', message: 'x' } },
    { type: 'failed', id: 'm', task: 'pull', error: { code: 'NOT_A_CODE', message: 'x' } },
    { type: 'nonsense' },
    null,
  ];
  for (const event of bad) {
    assert.throws(() => parseModelEvent(event), (error: unknown) => error instanceof ProtocolError && error.code === 'INTERNAL', JSON.stringify(event));
  }
});
