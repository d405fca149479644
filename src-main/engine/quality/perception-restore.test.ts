// Perception through the public engine API: every restore result carries it, and it passes the
// protocol's runtime validation on its way to the renderer.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import * as v from 'valibot';
import sharp from 'sharp';
import { RestoreResultSchema } from '../../protocol/messages';
import { photo, tempDir } from '../../testing/fixtures';
import { Restorer } from '../restore/restore';

test('Restorer.restore returns the estimated perception of its input', async (t) => {
  const dir = tempDir();
  const input = join(dir, 'noisy.png');
  const { data, info } = await sharp(photo('chelsea.png')).extract({ left: 120, top: 60, width: 96, height: 96 }).raw().toBuffer({ resolveWithObject: true });
  for (let i = 0; i < data.length; i++) data[i] = Math.min(255, Math.max(0, data[i] + Math.round(Math.sin(i * 12.9898) * 43758.5453 % 1 * 40)));
  await sharp(data, { raw: { width: info.width, height: info.height, channels: 3 } }).png().toFile(input);
  const restorer = new Restorer();
  t.after(() => restorer.close());
  const result = await restorer.restore(input, join(dir, 'out.png'), { engine: 'realesrgan-x4fast', threads: 1 });
  assert.equal(result.perception?.source, 'estimated');
  assert.equal(result.perception?.noise, 'large', JSON.stringify(result.perception)); // uniform noise, sigma ~ 23 on 0..255
  assert.ok(result.perception.estimates.noiseSigma > 15);
  assert.equal(v.safeParse(RestoreResultSchema, result).success, true);
  assert.equal(v.safeParse(RestoreResultSchema, { ...result, perception: { ...result.perception, noise: 'huge' } }).success, false);
});
