// The library queue's ETA from measured rates: a restored photo's seconds per megapixel (its
// model load left out) is saved in the state folder, and the next session's queue uses it before
// its own first photo finishes; then that session's own rate takes over.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { join } from 'node:path';
import { MeasuredRates } from '../../engine/library/measured-rates';
import { tempDir } from '../../testing/fixtures';
import type { RestoreResult } from '../../protocol/restore';
import { rateRequest } from '../../engine/library/measured-rates';
import { megapixelsOf, QueueProgress } from './queue-progress';
import type { PhotoRecord } from '../../engine/library/library-types';

function result(width: number, height: number, loadModelMs: number): RestoreResult {
  return {
    input: '/photos/a.jpg',
    output: '/photos/a-restored.jpg',
    engine: 'realesrgan-x4fast',
    provider: 'cpu',
    threads: 2,
    inputSize: { width, height },
    outputSize: { width: width * 4, height: height * 4 },
    tiles: 1,
    timings: { decodeMs: 10, loadModelMs, inferenceMs: 1, encodeMs: 10, totalMs: 1 },
    workerPeakRssBytes: 0,
  };
}

const x4fast = rateRequest({ engine: 'realesrgan-x4fast', providers: ['auto'] });

test('a rate measured in one session gives the next its ETA before its first photo finishes', async () => {
  const file = join(tempDir(), 'measured-rates.json');
  let now = 0;
  const rates = new MeasuredRates(file);
  const first = new QueueProgress(() => now, rates);
  first.started(x4fast, 2);
  now = 21_000;
  // 2000x1000 in 21 s, 1 s of it the model's load: 10 s per megapixel.
  first.ended('restored', result(2000, 1000, 1000));
  await rates.saved();

  // A new session: nothing has run, the photos waiting are 2, 3 and (not triaged yet) 2.5 MP.
  const second = new QueueProgress(() => now, new MeasuredRates(file));
  assert.equal(second.status([2, 3, undefined], false, x4fast).etaSeconds, 75);
  // Its first photo (1 MP, already loaded) takes 30 s: this session's own rate now counts.
  second.started(x4fast, 1);
  now += 30_000;
  second.ended('restored', result(1000, 1000, 0));
  assert.equal(second.status([2], false, x4fast).etaSeconds, 60);
});

test('nothing measured yet: the engine estimate, then the running photo; another engine has its own rate', () => {
  let now = 0;
  const progress = new QueueProgress(() => now, new MeasuredRates(join(tempDir(), 'measured-rates.json')));
  const twoThreads = rateRequest({ engine: 'realesrgan-x4fast', providers: ['cpu'], threads: 2 });
  assert.deepEqual(twoThreads, { engine: 'realesrgan-x4fast', provider: 'cpu', threads: 2 });
  // 16 CPU s per MP over 2 threads: 8 s per MP for 2 MP.
  assert.equal(progress.status([2], false, twoThreads).etaSeconds, 16);
  progress.started(twoThreads, 2);
  now = 5_000;
  progress.progressed(0.5); // its own rate: 5 s per MP
  assert.equal(progress.status([2], false, twoThreads).etaSeconds, 15);
  // PURE has no estimate and nothing measured: no ETA for it.
  assert.equal(new QueueProgress(() => now).status([2], false, rateRequest({ engine: 'pure' })).etaSeconds, undefined);
});

test("a library photo's megapixels come from its triage", () => {
  const record = { triage: { width: 2000, height: 1500 } } as unknown as PhotoRecord;
  assert.equal(megapixelsOf(record), 3);
  assert.equal(megapixelsOf({ triage: { unreadable: 'HEIC' } } as unknown as PhotoRecord), undefined);
});
