// The worker's loop answers PURE estimates beside its queue: a person asks for one while a long
// restore runs, and waiting hours for the answer would defeat it. The estimate is the engine's
// own (Restorer.estimate on the PURE TEST MODEL); the restore is a stand-in that runs until
// cancelled, as a PURE tile does for minutes.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { makeTinyPureCheckpoint } from '../engine/pure/fixtures/make-tiny-checkpoint';
import { convertPure } from '../engine/pure/package/convert-pure';
import { Restorer } from '../engine/restore/restore';
import type { WorkerEvent } from '../protocol/messages';
import { photo, tempDir } from '../testing/fixtures';
import { startJobLoop } from './job-loop';
import type { RestoreFn } from './job-loop';

const dir = tempDir('pure-loop-estimate-');
const model = join(dir, 'pure-tiny');
const restorer = new Restorer(join(dir, 'home'));
const cat = photo('chelsea.png');

before(async () => {
  const made = await makeTinyPureCheckpoint(join(dir, 'checkpoint'), { seed: 4 });
  await convertPure({ checkpoint: join(dir, 'checkpoint'), vq: made.vqFile, out: model, dtype: 'fp32' });
});

/** A restore that waits until its signal fires, like a long inference does. */
const untilAborted: RestoreFn = (_input, _output, _options, { signal }) =>
  new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('session terminated'))));

function harness() {
  let deliver: (message: unknown) => void = () => assert.fail('loop did not subscribe');
  const posted: WorkerEvent[] = [];
  const loop = startJobLoop(
    { post: (message) => posted.push(message), onMessage: (handler) => (deliver = handler) },
    { restore: untilAborted, estimate: (input, options) => restorer.estimate(input, options) },
  );
  /** Resolves with the first event the loop posts that answers `requestId`. */
  const answer = (requestId: string) =>
    new Promise<WorkerEvent>((resolve) => {
      const poll = (): void => {
        const found = posted.find((e) => 'requestId' in e && e.requestId === requestId);
        if (found) resolve(found);
        else setTimeout(poll, 5);
      };
      poll();
    });
  return { send: (message: unknown) => deliver(message), posted, loop, answer };
}

test('an estimate is answered while a restore is still running, with the engine’s figures', async () => {
  const h = harness();
  h.send({ type: 'restore', jobId: 'long', input: cat, options: { engine: 'pure', model } });
  const options = { engine: 'pure' as const, model, providers: ['cpu' as const] };
  h.send({ type: 'estimate', requestId: 'e1', input: cat, options });
  const event = await h.answer('e1');
  assert.deepEqual(event, { type: 'estimated', requestId: 'e1', result: await restorer.estimate(cat, options) });
  assert.deepEqual(h.posted.filter((e) => 'jobId' in e), [], 'the restore is still running');
  h.send({ type: 'cancel', jobId: 'long' });
  await h.loop.whenIdle();
});

test('failures come back as the usual error payloads, under the request’s id', async () => {
  const h = harness();
  h.send({ type: 'estimate', requestId: 'missing', input: cat, options: { engine: 'pure', model: join(dir, 'nothing-here') } });
  h.send({ type: 'estimate', requestId: 'bad', input: cat, options: { engine: 'pure', scale: 3 } });
  h.send({ type: 'estimate', requestId: 'esrgan', input: cat, options: { engine: 'realesrgan-x4plus' } });
  const [missing, bad, esrgan] = await Promise.all([h.answer('missing'), h.answer('bad'), h.answer('esrgan')]);
  for (const [event, code] of [[missing, 'MODEL_MISSING'], [bad, 'INVALID_OPTION'], [esrgan, 'INVALID_OPTION']] as const) {
    assert.equal(event.type, 'estimate-failed');
    assert.equal(event.type === 'estimate-failed' && event.error.code, code, JSON.stringify(event));
  }
});
