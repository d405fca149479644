import { test } from 'node:test';
import assert from 'node:assert/strict';
import { roundHalfEven } from './py-round';

test('rounds like Python: ties to even', () => {
  // Python: round(0.5)=0, round(1.5)=2, round(2.5)=2, round(-0.5)=0, round(-1.5)=-2, round(-2.5)=-2
  const cases: [number, number][] = [
    [0.5, 0], [1.5, 2], [2.5, 2], [3.5, 4], [-0.5, 0], [-1.5, -2], [-2.5, -2],
    [1000.5, 1000], [1001.5, 1002], [1000.4999999, 1000], [1000.5000001, 1001], [2.6, 3], [-2.6, -3], [7, 7],
  ];
  for (const [x, want] of cases) assert.equal(roundHalfEven(x), want, `round(${x})`);
  assert.ok(Object.is(roundHalfEven(0.2), 0) && Object.is(roundHalfEven(-0.4), 0), 'no negative zero');
});
