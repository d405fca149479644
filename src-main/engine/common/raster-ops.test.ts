import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rasterRectToNCHW } from './raster-ops';

test('a rectangle becomes planar floats in [0, 1]', () => {
  // 3x2 RGB image, pixel (x, y) = (10x + y, 100 + x, 255 * (y == 1))
  const data = new Uint8Array(3 * 2 * 3);
  for (let y = 0; y < 2; y++) for (let x = 0; x < 3; x++) data.set([10 * x + y, 100 + x, y ? 255 : 0], (y * 3 + x) * 3);
  const t = rasterRectToNCHW({ width: 3, height: 2, channels: 3, bitDepth: 8, data }, 1, 0, 2, 2);
  const expectR = [10, 20, 11, 21].map((v) => v / 255);
  const expectG = [101, 102, 101, 102].map((v) => v / 255);
  assert.deepEqual(Array.from(t.subarray(0, 4)), Array.from(Float32Array.from(expectR)));
  assert.deepEqual(Array.from(t.subarray(4, 8)), Array.from(Float32Array.from(expectG)));
  assert.deepEqual(Array.from(t.subarray(8, 12)), [0, 0, 1, 1]);
});

test('16-bit samples scale by 65535', () => {
  const t = rasterRectToNCHW({ width: 1, height: 1, channels: 3, bitDepth: 16, data: new Uint16Array([65535, 0, 32768]) }, 0, 0, 1, 1);
  assert.deepEqual(Array.from(t), [1, 0, Math.fround(32768 / 65535)]);
});
