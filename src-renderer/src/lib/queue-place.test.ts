// "3 of 40": places while the queue runs, while it is paused, and before its first status.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { queuePlaceOf } from './queue-place';

test('while one runs: it is at the queue position, the waiting follow it', () => {
  // 2 finished, the 3rd running, 37 waiting.
  const queue = { position: 3, total: 40 };
  const counts = { waiting: 37, running: 1 };
  assert.deepEqual(queuePlaceOf({ waitIndex: undefined, running: true }, queue, counts), { position: 3, total: 40 });
  assert.deepEqual(queuePlaceOf({ waitIndex: 0, running: false }, queue, counts), { position: 4, total: 40 });
  assert.deepEqual(queuePlaceOf({ waitIndex: 36, running: false }, queue, counts), { position: 40, total: 40 });
});

test('paused with none running: the next one is right after the finished ones', () => {
  assert.deepEqual(queuePlaceOf({ waitIndex: 0, running: false }, { position: 2, total: 5 }, { waiting: 3, running: 0 }), { position: 3, total: 5 });
});

test('before the first queue status: counted from the photos on the page', () => {
  assert.deepEqual(queuePlaceOf({ waitIndex: 1, running: false }, undefined, { waiting: 3, running: 1 }), { position: 3, total: 4 });
  assert.deepEqual(queuePlaceOf({ waitIndex: 0, running: false }, undefined, { waiting: 3, running: 0 }), { position: 1, total: 3 });
});

test('a photo neither waiting nor running has no place', () => {
  assert.equal(queuePlaceOf({ waitIndex: undefined, running: false }, { position: 1, total: 2 }, { waiting: 1, running: 1 }), undefined);
});
