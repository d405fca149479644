// The logit comparison used to report int4's error, on rows worked by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareLogits } from './logit-error';

test('max / mean |d|, range, top-1 and KL on two 3-token rows', () => {
  const a = [0, 1, 2, 5, 0, 0];
  const b = [0, 1, 2.5, 4, 6, 0]; // row 1: same argmax; row 2: argmax moves to token 1
  const e = compareLogits(a, b, 3);
  assert.equal(e.maxAbs, 6);
  assert.equal(e.meanAbs, (0 + 0 + 0.5 + 1 + 6 + 0) / 6);
  assert.equal(e.meanRange, (2 + 5) / 2);
  assert.deepEqual([e.top1Agree, e.positions], [1, 2]);
  // KL by hand: row 1 p = softmax(0,1,2), q = softmax(0,1,2.5); row 2 p = softmax(5,0,0), q = softmax(4,6,0)
  const softmax = (r: number[]) => r.map((x) => Math.exp(x) / r.reduce((s, y) => s + Math.exp(y), 0));
  const kl = (p: number[], q: number[]) => p.reduce((s, pi, i) => s + pi * Math.log(pi / q[i]), 0);
  const want = (kl(softmax([0, 1, 2]), softmax([0, 1, 2.5])) + kl(softmax([5, 0, 0]), softmax([4, 6, 0]))) / 2;
  assert.ok(Math.abs(e.meanKl - want) < 1e-12, `${e.meanKl} vs ${want}`);
  assert.equal(compareLogits(a, a, 3).meanKl, 0);
  assert.throws(() => compareLogits(a, b.slice(1), 3), /compareLogits/);
});
