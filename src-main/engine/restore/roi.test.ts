// Region of interest: the flag, the checks against the photo, and the crop itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DecodedImage } from '../image/types';
import { checkRoi, cropDecoded, cropRaster, parseRoiFlag } from './roi';

test('--roi reads x,y,width,height', () => {
  assert.deepEqual(parseRoiFlag('10,20,300,200'), { x: 10, y: 20, width: 300, height: 200 });
  assert.deepEqual(parseRoiFlag(' 0, 0 ,4,4'), { x: 0, y: 0, width: 4, height: 4 });
  for (const bad of ['10,20,300', '10,20,300,200,5', '10,20,3.5,200', '-1,0,10,10', 'a,b,c,d', '10,,300,200', '']) {
    assert.throws(() => parseRoiFlag(bad), { code: 'INVALID_OPTION' }, bad);
  }
});

test('a region must lie inside the photo and be at least 4x4', () => {
  checkRoi({ x: 0, y: 0, width: 400, height: 300 }, 400, 300);
  checkRoi({ x: 396, y: 296, width: 4, height: 4 }, 400, 300);
  assert.throws(() => checkRoi({ x: 397, y: 0, width: 4, height: 4 }, 400, 300), (e: { code: string; message: string }) => e.code === 'INVALID_OPTION' && /397,0,4,4 reaches outside the 400x300 photo/.test(e.message));
  assert.throws(() => checkRoi({ x: 0, y: 1, width: 10, height: 300 }, 400, 300), { code: 'INVALID_OPTION' });
  assert.throws(() => checkRoi({ x: 0, y: 0, width: 3, height: 10 }, 400, 300), (e: { code: string; message: string }) => e.code === 'INVALID_OPTION' && /too small/.test(e.message));
});

test('cropping keeps channels and depth and takes the right pixels', () => {
  // 4x3 RGBA 16-bit, sample value = 1000*y + 100*x + c.
  const data = new Uint16Array(4 * 3 * 4);
  for (let y = 0; y < 3; y++) for (let x = 0; x < 4; x++) for (let c = 0; c < 4; c++) data[(y * 4 + x) * 4 + c] = 1000 * y + 100 * x + c;
  const crop = cropRaster({ width: 4, height: 3, channels: 4, bitDepth: 16, data }, { x: 1, y: 1, width: 2, height: 2 });
  assert.equal(crop.data.constructor, Uint16Array);
  assert.deepEqual([crop.width, crop.height, crop.channels, crop.bitDepth], [2, 2, 4, 16]);
  assert.deepEqual(Array.from(crop.data), [1100, 1101, 1102, 1103, 1200, 1201, 1202, 1203, 2100, 2101, 2102, 2103, 2200, 2201, 2202, 2203]);
});

test('a decoded photo is cut colour and alpha alike, and a bad region is refused', () => {
  const rgb = { width: 8, height: 8, channels: 3 as const, bitDepth: 8 as const, data: Uint8Array.from({ length: 192 }, (_, i) => i) };
  const alpha = { width: 8, height: 8, channels: 1 as const, bitDepth: 8 as const, data: Uint8Array.from({ length: 64 }, (_, i) => i) };
  const decoded: DecodedImage = { rgb, alpha, highBitDepth: false, grey: false, metadata: { format: 'png', orientation: 1 } };
  const cut = cropDecoded(decoded, { x: 4, y: 2, width: 4, height: 5 });
  assert.deepEqual([cut.rgb.width, cut.rgb.height, cut.alpha?.width, cut.alpha?.height], [4, 5, 4, 5]);
  assert.equal(cut.alpha?.data[0], 2 * 8 + 4);
  assert.deepEqual(Array.from(cut.rgb.data.subarray(0, 3)), [(2 * 8 + 4) * 3, (2 * 8 + 4) * 3 + 1, (2 * 8 + 4) * 3 + 2]);
  assert.throws(() => cropDecoded(decoded, { x: 4, y: 4, width: 5, height: 4 }), { code: 'INVALID_OPTION' });
});
