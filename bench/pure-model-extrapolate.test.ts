// The restoration-time extrapolation of `npm run bench:pure`, against figures worked by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extrapolateRestoration, msPerStepAt } from './pure-model-extrapolate';
import type { StepTiming } from './pure-model-extrapolate';

const TIMINGS: StepTiming[] = [
  { context: 4096, batch: 1, msPerStep: 10 },
  { context: 8192, batch: 1, msPerStep: 14 },
  { context: 4096, batch: 2, msPerStep: 12 },
  { context: 8192, batch: 2, msPerStep: 20 },
];

const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-3, `${what}: ${a} vs ${b}`);

test('msPerStepAt: interpolates, extrapolates on both sides, and is constant with one point', () => {
  close(msPerStepAt(TIMINGS, 1, 6144)!, 12, 'middle');
  close(msPerStepAt(TIMINGS, 2, 10240)!, 24, 'beyond');
  close(msPerStepAt(TIMINGS, 2, 2048)!, 8, 'before');
  assert.equal(msPerStepAt([{ context: 512, batch: 1, msPerStep: 3 }], 1, 9000), 3);
  // noise that makes longer contexts look faster is not extended beyond the measurements
  const noisy = [{ context: 256, batch: 1, msPerStep: 5 }, { context: 512, batch: 1, msPerStep: 4 }];
  close(msPerStepAt(noisy, 1, 384)!, 4.5, 'between noisy points');
  close(msPerStepAt(noisy, 1, 8192)!, 5, 'beyond noisy points: held at the first');
  assert.equal(msPerStepAt(TIMINGS, 3, 4096), undefined);
  // three points: each context uses its own segment
  const three = [...TIMINGS.filter((t) => t.batch === 1), { context: 16384, batch: 1, msPerStep: 30 }];
  close(msPerStepAt(three, 1, 12288)!, 22, 'second segment');
});

test('512x512 restoration: prompt 4200, text 256, 4164 image tokens with CFG', () => {
  const e = extrapolateRestoration(TIMINGS, 2, { promptTokens: 4200, textTokens: 256, imageTokens: 4164 });
  close(e.prefillS, 8.4, 'prefill'); // 2 ms x 4200
  // text: 256 steps at the middle context 4327.5: 10 + 4 x 231.5 / 4096 = 10.22607 ms
  close(e.textS, (256 * 10.226074) / 1000, 'text');
  // image: middle context 4456 + 2081.5 = 6537.5; batch 2: 12 + 8 x 2441.5 / 4096 = 16.76855 ms
  close(e.imageBatchedS!, (4164 * 16.768555) / 1000, 'image batched');
  // two batch-1 calls: 2 x (10 + 4 x 2441.5 / 4096) = 24.76855 ms
  close(e.imageTwoCallsS, (4164 * 24.768555) / 1000, 'image two calls');
  close(e.totalBatchedS!, e.prefillS + e.textS + e.imageBatchedS!, 'total');
  assert.equal(extrapolateRestoration(TIMINGS.filter((t) => t.batch === 1), 2).imageBatchedS, undefined);
  assert.throws(() => extrapolateRestoration(TIMINGS.filter((t) => t.batch === 2), 2), /batch-1/);
});
