// LQ preprocessing and the VQ output conversions, on hand-computed values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resizeBicubicPil } from './pil-bicubic';
import { rgb8ToUnitPlanar, unitPlanarToRgb8, vqOutputToRgb8 } from './vq-postprocess';
import { preprocessLq, rgb8ToVqInput, toWhitenedRgb8 } from './vq-preprocess';

test('alpha is blended onto white and truncated as numpy does', () => {
  const rgba = Uint8Array.from([200, 100, 0, 128, 10, 20, 30, 0, 255, 255, 255, 1, 0, 0, 0, 254]);
  // (1 - a) * 255 + a * v with a = A / 255: 127 + 100.39 -> 227, 127 + 50.2 -> 177, 127 -> 127;
  // alpha 0 -> white; alpha 254 over black -> 0.99999999999998 -> 0 (numpy gives the same).
  const rgb = toWhitenedRgb8({ width: 4, height: 1, channels: 4, bitDepth: 8, data: rgba });
  assert.deepEqual(Array.from(rgb), [227, 177, 127, 255, 255, 255, 255, 255, 255, 0, 0, 0]);
  assert.deepEqual(Array.from(toWhitenedRgb8({ width: 2, height: 1, channels: 1, bitDepth: 8, data: Uint8Array.of(7, 250) })), [7, 7, 7, 250, 250, 250]);
  const deep = toWhitenedRgb8({ width: 1, height: 1, channels: 3, bitDepth: 16, data: Uint16Array.of(0, 32896, 65535) });
  assert.deepEqual(Array.from(deep), [0, 128, 255]);
});

test('scaling to [-1, 1] and the encoder input layout', () => {
  const input = rgb8ToVqInput(Uint8Array.from([0, 128, 255, 255, 0, 64]), 1, 2); // two pixels
  // Planar: R plane [0, 255], G [128, 0], B [255, 64].
  assert.deepEqual(Array.from(input), [-1, 1, Math.fround(128 / 255 * 2 - 1), -1, 1, Math.fround(64 / 255 * 2 - 1)]);
});

test('preprocessLq: 512x512 is kept as is, other sizes go through PIL bicubic', () => {
  const square = new Uint8Array(512 * 512 * 3).map((_, i) => (i * 7) % 256);
  const kept = preprocessLq({ width: 512, height: 512, channels: 3, bitDepth: 8, data: square });
  assert.deepEqual(kept.rgb, square);
  assert.equal(kept.input.length, 3 * 512 * 512);
  const small = new Uint8Array(128 * 96 * 3).map((_, i) => (i * 13) % 256);
  const lq = preprocessLq({ width: 128, height: 96, channels: 3, bitDepth: 8, data: small });
  assert.deepEqual(lq.rgb, resizeBicubicPil(small, 128, 96, 3, 512, 512));
  assert.deepEqual(lq.input, rgb8ToVqInput(lq.rgb, 512, 512));
});

test('vqOutputToRgb8: clamp to [-1, 1], (x + 1) / 2 * 255, truncated, planar -> interleaved', () => {
  // Two pixels; R plane [-2, 0], G [0.5, 1], B [-0.99, 3].
  const rgb = vqOutputToRgb8(Float32Array.from([-2, 0, 0.5, 1, -0.99, 3]), 1, 2);
  // 0 -> 127.5 -> 127; 0.5 -> 191.25 -> 191; -0.99 -> 1.275 -> 1.
  assert.deepEqual(Array.from(rgb), [0, 191, 1, 127, 255, 255]);
});

test('ToTensor / ToPILImage conversions around the colour fix', () => {
  const planar = rgb8ToUnitPlanar(Uint8Array.from([0, 128, 255]), 1, 1);
  assert.deepEqual(Array.from(planar), [0, Math.fround(128 / 255), 1]);
  // mul(255).byte() truncates: 0.999 -> 254.745 -> 254; out-of-range values are clamped first.
  assert.deepEqual(Array.from(unitPlanarToRgb8(Float32Array.from([0.999, 1.5, -0.1]), 1, 1)), [254, 255, 0]);
  assert.deepEqual(Array.from(unitPlanarToRgb8(planar, 1, 1)), [0, 128, 255]);
});
