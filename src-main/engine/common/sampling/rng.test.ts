import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cloneRng, createRng, nextFloat, nextUint32, rngFromState } from './rng';

test('xoshiro128** from state [1, 2, 3, 4] gives the hand-computed outputs', () => {
  // out = rotl(s1 * 5, 7) * 9, then the state update (t = s1 << 9; s2 ^= s0; s3 ^= s1; s1 ^= s2;
  // s0 ^= s3; s2 ^= t; s3 = rotl(s3, 11)).
  // 1: s1 = 2 -> rotl(10, 7) = 1280 -> 11520; state becomes [7, 0, 1026, 12288].
  // 2: s1 = 0 -> 0; state becomes [12295, 1029, 1029, 25165824].
  // 3: s1 = 1029 -> rotl(5145, 7) = 658560 -> 5927040.
  const rng = rngFromState([1, 2, 3, 4]);
  assert.equal(nextUint32(rng), 11520);
  assert.deepEqual([...rng.s], [7, 0, 1026, 12288]);
  assert.equal(nextUint32(rng), 0);
  assert.deepEqual([...rng.s], [12295, 1029, 1029, 25165824]);
  assert.equal(nextUint32(rng), 5927040);
});

test('the same seed replays the same stream, other seeds do not', () => {
  const draw = (seed: number) => {
    const rng = createRng(seed);
    return Array.from({ length: 8 }, () => nextUint32(rng));
  };
  assert.deepEqual(draw(42), draw(42));
  assert.notDeepEqual(draw(42), draw(43));
  assert.notDeepEqual(draw(0), draw(2 ** 32)); // the high half of the seed counts too
});

test('uniform floats stay in [0, 1) and look uniform', () => {
  const rng = createRng(7);
  const bins = new Array<number>(10).fill(0);
  for (let i = 0; i < 20000; i++) {
    const u = nextFloat(rng);
    assert.ok(u >= 0 && u < 1, `out of range: ${u}`);
    bins[Math.floor(u * 10)]++;
  }
  for (const b of bins) assert.ok(Math.abs(b - 2000) < 200, `bin count ${b} far from 2000`);
});

test('a cloned state replays from where it was copied', () => {
  const rng = createRng(5);
  nextUint32(rng);
  const copy = cloneRng(rng);
  assert.equal(nextFloat(rng), nextFloat(copy));
});

test('bad seeds and states are refused', () => {
  assert.throws(() => createRng(-1), RangeError);
  assert.throws(() => createRng(1.5), RangeError);
  assert.throws(() => rngFromState([0, 0, 0, 0]), RangeError);
});
