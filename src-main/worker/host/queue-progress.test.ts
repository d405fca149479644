// Whole-library progress with a clock the test moves: "3 of 5", counts per run, and the time
// left from the measured rate refined by the running photo's fraction.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { QueueProgress } from './queue-progress';

test('position, total and counts of a run; the ETA from the measured rate', () => {
  let now = 0;
  const progress = new QueueProgress(() => now);
  assert.deepEqual(progress.status(5, false), { position: 0, total: 5, done: 0, failed: 0, paused: false });

  progress.started();
  now = 1000;
  progress.progressed(0.5);
  // Nothing finished yet: the running photo's own rate (1 s for half) says 2 s a photo.
  assert.deepEqual(progress.status(4, false), { position: 1, total: 5, done: 0, failed: 0, paused: false, etaSeconds: 9 });
  now = 2000;
  progress.ended('restored');
  progress.started();
  progress.ended('failed');
  progress.started();
  now = 5000;
  progress.progressed(0.25);
  // 2 s a photo measured; 2 waiting and 0.75 of the running one left: 5.5 s.
  assert.deepEqual(progress.status(2, true), { position: 3, total: 5, done: 1, failed: 1, paused: true, etaSeconds: 6 });
  progress.ended('withdrawn');
  assert.equal(progress.status(2, false).total, 4, 'a photo taken out of the queue leaves the run');
});

test('the run ends with its counts, once, and the next run starts from zero', () => {
  let now = 0;
  const progress = new QueueProgress(() => now);
  assert.equal(progress.finishRun(), undefined, 'nothing ran');
  progress.started();
  now = 3000;
  progress.ended('restored');
  progress.ended('failed'); // failed before it could start (its input was gone)
  assert.deepEqual(progress.finishRun(), { restored: 1, failed: 1 });
  assert.equal(progress.finishRun(), undefined);
  assert.deepEqual(progress.status(2, false), { position: 0, total: 2, done: 0, failed: 0, paused: false, etaSeconds: 6 });
});
