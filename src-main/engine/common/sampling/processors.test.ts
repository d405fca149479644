import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClassifierFreeGuidance, DynamicTopK, ImageMask, Temperature } from './processors';
import { PURE_SAMPLING } from './settings';
import type { StepKind } from './step-tracker';

const near = (actual: ArrayLike<number>, expected: number[]) => {
  assert.equal(actual.length, expected.length);
  expected.forEach((e, i) => assert.ok(Math.abs(actual[i] - e) < 1e-6, `[${i}] ${actual[i]} != ${e}`));
};

test('CFG: g * (cond - uncond) + uncond, by hand', () => {
  const cond = Float32Array.of(1, 2, 3);
  const uncond = Float32Array.of(3, 2, 0);
  // g = 0.8: 0.8*(1-3)+3 = 1.4; 0.8*0+2 = 2; 0.8*3+0 = 2.4
  near(new ClassifierFreeGuidance(0.8).apply(cond, uncond, new Float32Array(3)), [1.4, 2, 2.4]);
  // g = 3 (Lumina-mGPT's default) extrapolates: 3*(-2)+3 = -3; 2; 9
  near(new ClassifierFreeGuidance(3).apply(cond, uncond, new Float32Array(3)), [-3, 2, 9]);
  // g = 1 is skipped: the conditional scores come back as they are (same array).
  const off = new ClassifierFreeGuidance(1);
  assert.equal(off.active, false);
  assert.equal(off.apply(cond, uncond, new Float32Array(3)), cond);
  assert.equal(new ClassifierFreeGuidance(0.8).apply(cond, undefined, new Float32Array(3)), cond);
});

test('CFG at the masked ids equals CFG over the vocabulary, then the mask', () => {
  const cond = Float32Array.from({ length: 8 }, (_, i) => i * 0.5);
  const uncond = Float32Array.from({ length: 8 }, (_, i) => 3 - i);
  const ids = Int32Array.of(1, 4, 6);
  const cfg = new ClassifierFreeGuidance(0.8);
  const full = cfg.apply(cond, uncond, new Float32Array(8));
  const at = new Float32Array(3);
  cfg.applyAt(cond, uncond, ids, 3, at);
  near(at, [full[1], full[4], full[6]]);
  cfg.applyAt(cond, undefined, ids, 3, at); // no uncond: the conditional scores
  near(at, [0.5, 2, 3]);
});

test('mask: row end alone, image end alone, else the image codes from the map', () => {
  const mask = new ImageMask({ codeIds: Int32Array.of(2, 5, 7), rowEnd: 8, imageEnd: 9 });
  const at = (slot: 'code' | 'rowEnd' | 'imageEnd'): StepKind => ({ mode: 'image', position: 0, slot, height: 1, width: 1 });
  const codes = mask.allowed(at('code'));
  assert.ok(codes.kind === 'set');
  assert.deepEqual([...codes.ids], [2, 5, 7]);
  assert.deepEqual(mask.allowed(at('rowEnd')), { kind: 'only', id: 8 });
  assert.deepEqual(mask.allowed(at('imageEnd')), { kind: 'only', id: 9 });
  // Text and grid tokens: nothing masked.
  assert.deepEqual(mask.allowed({ mode: 'text' }), { kind: 'all' });
  assert.deepEqual(mask.allowed({ mode: 'grid', index: 1 }), { kind: 'all' });
});

test('top-k: text uses textTopK, grid and image tokens the entropy', () => {
  const topK = new DynamicTopK({ ...PURE_SAMPLING, textTopK: 3 });
  assert.equal(topK.kFor({ mode: 'text' }, 9), 3);
  assert.equal(topK.kFor({ mode: 'grid', index: 0 }, 0), 14);
  assert.equal(topK.kFor({ mode: 'image', position: 5, slot: 'code', height: 64, width: 64 }, 5), 1000);
});

test('temperature divides the kept scores', () => {
  const c = { ids: Int32Array.of(4, 5), scores: Float32Array.of(0.9, -1.8), n: 2 };
  near(new Temperature(0.9).apply(c).scores, [1, -2]);
});
