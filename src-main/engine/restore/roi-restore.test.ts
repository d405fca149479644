// A region of interest through the public API with a real engine (Real-ESRGAN x4fast): restoring
// a region gives exactly what restoring a file of just that region gives, and a bad region is
// refused before any model is loaded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { Restorer } from './restore';
import { photo, tempDir } from '../../testing/fixtures';

const dir = tempDir();
const restorer = new Restorer();
test.after(() => restorer.close());

test('Real-ESRGAN restores only the region: the same pixels as restoring a crop of it', { timeout: 120_000 }, async () => {
  const input = join(dir, 'rocket.png');
  await sharp(photo('rocket.jpg')).extract({ left: 200, top: 100, width: 120, height: 90 }).png().toFile(input);
  const crop = join(dir, 'crop.png');
  await sharp(input).extract({ left: 30, top: 20, width: 48, height: 40 }).png().toFile(crop);
  const options = { engine: 'realesrgan-x4fast' as const, threads: 2 };
  const viaRoi = await restorer.restore(input, join(dir, 'roi.png'), { ...options, roi: { x: 30, y: 20, width: 48, height: 40 } });
  const viaCrop = await restorer.restore(crop, join(dir, 'crop-out.png'), options);
  assert.deepEqual(viaRoi.outputSize, { width: 192, height: 160 });
  assert.deepEqual(viaRoi.inputSize, { width: 120, height: 90 });
  assert.deepEqual(viaRoi.roi, { x: 30, y: 20, width: 48, height: 40 });
  const [a, b] = await Promise.all([sharp(viaRoi.output).raw().toBuffer(), sharp(viaCrop.output).raw().toBuffer()]);
  assert.equal(a.length, 192 * 160 * 3);
  assert.ok(a.equals(b), 'identical to restoring the crop');
  const elsewhere = await restorer.restore(input, join(dir, 'other.png'), { ...options, roi: { x: 0, y: 0, width: 48, height: 40 } });
  assert.ok(!(await sharp(elsewhere.output).raw().toBuffer()).equals(a), 'another region gives another picture');
});

test('a region outside the photo is refused with INVALID_OPTION and writes nothing', async () => {
  const input = join(dir, 'small.png');
  await sharp(photo('chelsea.png')).resize(64, 48).png().toFile(input);
  await assert.rejects(
    restorer.restore(input, join(dir, 'bad.png'), { engine: 'realesrgan-x4fast', roi: { x: 60, y: 0, width: 10, height: 10 } }),
    (e: { code: string; message: string }) => e.code === 'INVALID_OPTION' && /60,0,10,10 reaches outside the 64x48 photo/.test(e.message),
  );
  await assert.rejects(restorer.restore(input, join(dir, 'bad.png'), { engine: 'realesrgan-x4fast', roi: { x: 0, y: 0, width: 0, height: 10 } }), { code: 'INVALID_OPTION' });
  assert.equal(existsSync(join(dir, 'bad.png')), false);
});

test('a region keeps its print size: the density scales from the region, not the whole photo', { timeout: 120_000 }, async () => {
  const input = join(dir, 'dpi.png');
  await sharp(photo('rocket.jpg')).extract({ left: 0, top: 0, width: 120, height: 90 }).withMetadata({ density: 300 }).png().toFile(input);
  const result = await restorer.restore(input, join(dir, 'dpi-roi.png'), { engine: 'realesrgan-x4fast', threads: 2, roi: { x: 10, y: 10, width: 48, height: 40 } });
  // 48 px at 300 dpi is 0.16 in; 192 px over 0.16 in is 1200 dpi (480 if scaled from the 120 px photo).
  assert.equal(Math.round((await sharp(result.output).metadata()).density ?? 0), 1200);
});
