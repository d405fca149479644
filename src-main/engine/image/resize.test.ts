import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EngineError } from '../common/errors';
import { isOpaque, joinAlpha, rgbToGrey, splitAlpha, to8Bit } from './raster';
import { resizeRaster } from './resize';
import { photoLike } from './test-fixtures';
import type { RasterImage } from './types';

function flat(width: number, height: number, channels: 1 | 3 | 4, bitDepth: 8 | 16, value: number): RasterImage {
  const data = bitDepth === 16 ? new Uint16Array(width * height * channels) : new Uint8Array(width * height * channels);
  data.fill(value);
  return { width, height, channels, bitDepth, data };
}

test('downscaling keeps channels and depth; a flat image stays exactly flat', async () => {
  for (const channels of [1, 3, 4] as const) {
    for (const bitDepth of [8, 16] as const) {
      const value = bitDepth === 16 ? 40000 : 150;
      const image = flat(64, 48, channels, bitDepth, value);
      if (channels === 4) for (let i = 3; i < image.data.length; i += 4) image.data[i] = bitDepth === 16 ? 65535 : 255;
      const out = await resizeRaster(image, 16, 12);
      assert.equal(out.width, 16);
      assert.equal(out.height, 12);
      assert.equal(out.channels, channels);
      assert.equal(out.bitDepth, bitDepth);
      assert.ok(bitDepth === 16 ? out.data instanceof Uint16Array : out.data instanceof Uint8Array);
      assert.equal(out.data.length, 16 * 12 * channels);
      assert.deepEqual(out.data, image.data.subarray(0, out.data.length), `${channels}ch ${bitDepth}-bit stayed flat`);
    }
  }
  // RGBA is resized premultiplied (no colour bleeds from transparent pixels); un-premultiplying a
  // semi-transparent 8-bit colour may round one level down.
  const translucent = await resizeRaster(flat(64, 48, 4, 8, 150), 16, 12);
  assert.ok(translucent.data.every((v) => v === 150 || v === 149));
});

test('16-bit detail is resampled at 16 bits, not through 8', async () => {
  // A ramp of steps smaller than one 8-bit level: an 8-bit detour would collapse it.
  const width = 256;
  const image = flat(width, 8, 3, 16, 0);
  for (let y = 0; y < 8; y++) for (let x = 0; x < width; x++) image.data.fill(30000 + x * 20, (y * width + x) * 3, (y * width + x) * 3 + 3);
  const out = await resizeRaster(image, 64, 2);
  const row = Array.from({ length: 64 }, (_, x) => out.data[x * 3]);
  for (let x = 2; x < 62; x++) assert.ok(row[x + 1] > row[x], `strictly increasing at ${x}: ${row[x]} -> ${row[x + 1]}`);
});

test('upscaling an alpha plane keeps it one channel and follows the edge', async () => {
  const alpha = flat(8, 8, 1, 8, 0);
  for (let y = 0; y < 8; y++) alpha.data.fill(255, y * 8 + 4, y * 8 + 8); // right half opaque
  const out = await resizeRaster(alpha, 32, 32);
  assert.equal(out.channels, 1);
  assert.equal(out.data[5 * 32 + 2], 0);
  assert.equal(out.data[5 * 32 + 29], 255);
});

test('results larger than sharp\'s default input limit can be resized (x4 outputs are big)', async () => {
  const big = flat(16384, 16385, 1, 8, 7); // 268,451,840 pixels > 0x3FFF * 0x3FFF
  const out = await resizeRaster(big, 64, 64);
  assert.ok(out.data.every((v) => v === 7));
});

test('bad sizes and buffers are refused', async () => {
  await assert.rejects(resizeRaster(photoLike(8, 8), 0, 4), (e: unknown) => e instanceof EngineError && e.code === 'INVALID_OPTION');
  const wrong: RasterImage = { width: 8, height: 8, channels: 3, bitDepth: 8, data: new Uint8Array(10) };
  await assert.rejects(resizeRaster(wrong, 4, 4), (e: unknown) => e instanceof EngineError && e.code === 'INVALID_OPTION');
});

test('raster helpers: split/join alpha round trip, opacity, depth and grey', () => {
  const rgba = photoLike(10, 6, { channels: 4, bitDepth: 16 });
  const { rgb, alpha } = splitAlpha(rgba);
  assert.ok(alpha);
  assert.equal(rgb.channels, 3);
  assert.deepEqual(joinAlpha(rgb, alpha).data, rgba.data);
  assert.equal(isOpaque(alpha), false);
  assert.equal(isOpaque(flat(4, 4, 1, 16, 65535)), true);
  assert.deepEqual(Array.from(to8Bit({ ...flat(1, 1, 3, 16, 0), data: Uint16Array.from([0, 32896, 65535]) }).data), [0, 128, 255]);
  const grey = rgbToGrey({ width: 2, height: 1, channels: 3, bitDepth: 8, data: Uint8Array.from([10, 10, 10, 255, 0, 0]) });
  assert.deepEqual(Array.from(grey.data), [10, 76]);
  assert.throws(() => joinAlpha(rgb, flat(3, 3, 1, 16, 0)), (e: unknown) => e instanceof EngineError);
});
