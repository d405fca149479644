// The queue's words: places counted from 1, ETAs in words, the finished tab title.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { etaWords, finishedText, finishedTitle, queuePlace, relFolder } from './library-text';

test('a queued photo says where it stands', () => {
  assert.equal(queuePlace(3, 40), '3 of 40');
});

test('the ETA reads as words, and says nothing before a rate is known', () => {
  assert.equal(etaWords(undefined), undefined);
  assert.equal(etaWords(Number.NaN), undefined);
  assert.equal(etaWords(0.2), 'almost done');
  assert.equal(etaWords(45), 'about 45 s left');
  assert.equal(etaWords(2 * 3600 + 10 * 60), 'about 2 h 10 min left');
});

test('the finished title counts restored and failed photos', () => {
  assert.equal(finishedTitle(40, 0), '✓ 40 restored — PURE Studio');
  assert.equal(finishedTitle(38, 2), '✓ 38 restored, 2 failed — PURE Studio');
  assert.equal(finishedTitle(0, 3), '3 failed — PURE Studio');
  assert.equal(finishedText(1, 0), 'The queue is done: 1 photo restored.');
  assert.equal(finishedText(3, 1), 'The queue is done: 3 photos restored, 1 failed.');
});

test('the relative folder of a photo, for telling same-named photos apart', () => {
  assert.equal(relFolder('2019/summer/img001.jpg'), '2019/summer');
  assert.equal(relFolder('img001.jpg'), '');
});
