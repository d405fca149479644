import { test } from 'node:test';
import assert from 'node:assert/strict';
import { vqLqRgb8 } from './vq-lq-rgb8';

const rgb = { width: 3, height: 1, channels: 3 as const, bitDepth: 8 as const, data: Uint8Array.from([10, 20, 30, 0, 0, 0, 200, 100, 50]) };

test('transparent pixels become white, half-transparent ones are blended onto white (truncated)', () => {
  const alpha = { width: 3, height: 1, channels: 1 as const, bitDepth: 8 as const, data: Uint8Array.from([255, 0, 128]) };
  const out = vqLqRgb8(rgb, alpha);
  assert.deepEqual([out.channels, out.bitDepth], [3, 8]);
  // a = 128/255: (1 - a) * 255 + a * v, truncated -> 127 + 0.50196 v
  const blend = (v: number): number => Math.trunc((1 - 128 / 255) * 255 + (128 / 255) * v);
  assert.deepEqual(Array.from(out.data), [10, 20, 30, 255, 255, 255, blend(200), blend(100), blend(50)]);
});

test('without alpha the RGB is passed as it is; 16-bit input is reduced to 8 bits first', () => {
  assert.deepEqual(Array.from(vqLqRgb8(rgb, undefined).data), Array.from(rgb.data));
  const deep = { ...rgb, bitDepth: 16 as const, data: Uint16Array.from(rgb.data, (v) => v * 257) };
  const alpha = { width: 3, height: 1, channels: 1 as const, bitDepth: 16 as const, data: Uint16Array.from([65535, 0, 65535]) };
  assert.deepEqual(Array.from(vqLqRgb8(deep, alpha).data), [10, 20, 30, 255, 255, 255, 200, 100, 50]);
});
