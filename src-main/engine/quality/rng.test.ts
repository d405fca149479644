import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from './rng';

test('a seed gives the same sequence; another seed a different one', () => {
  const draw = (seed: number): number[] => {
    const r = new Rng(seed);
    return [r.nextU32(), r.next(), r.normal(), r.poisson(3), r.poisson(40), r.int(1, 6)];
  };
  assert.deepEqual(draw(7), draw(7));
  assert.notDeepEqual(draw(7), draw(8));
  assert.notDeepEqual(draw(2 ** 40), draw(0)); // high bits count
  assert.throws(() => new Rng(-1), /Seed/);
});

function moments(values: number[]): { mean: number; variance: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return { mean, variance: values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1) };
}

test('uniform, normal and Poisson have the right moments', () => {
  const r = new Rng(1);
  const n = 40000;
  const u = moments(Array.from({ length: n }, () => r.next()));
  assert.ok(Math.abs(u.mean - 0.5) < 0.01 && Math.abs(u.variance - 1 / 12) < 0.003);
  const g = moments(Array.from({ length: n }, () => r.normal()));
  assert.ok(Math.abs(g.mean) < 0.02 && Math.abs(g.variance - 1) < 0.03, JSON.stringify(g));
  for (const lambda of [0.3, 4, 25, 200]) {
    const p = moments(Array.from({ length: n }, () => r.poisson(lambda)));
    assert.ok(Math.abs(p.mean - lambda) < 0.03 * lambda + 0.02, `${lambda}: ${JSON.stringify(p)}`);
    assert.ok(Math.abs(p.variance - lambda) < 0.06 * lambda + 0.02, `${lambda}: ${JSON.stringify(p)}`);
  }
});

test('choose follows the weights', () => {
  const r = new Rng(3);
  const counts = [0, 0, 0];
  for (let i = 0; i < 30000; i++) counts[r.choose([0, 1, 2], [0.2, 0.7, 0.1])]++;
  assert.ok(Math.abs(counts[0] / 30000 - 0.2) < 0.015 && Math.abs(counts[1] / 30000 - 0.7) < 0.015, String(counts));
});
