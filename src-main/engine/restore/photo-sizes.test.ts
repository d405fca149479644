import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { photo, tempDir } from '../../testing/fixtures';
import { PhotoSizes } from './photo-sizes';

test('a photo is decoded once per version of its file; the pixel limit is checked every time', async () => {
  const dir = tempDir();
  const path = join(dir, 'cat.png');
  await copyFile(photo('chelsea.png'), path);
  const when = new Date('2020-01-02T03:04:05Z'); // a whole second: utimes sets it back exactly
  await utimes(path, when, when);
  const sizes = new PhotoSizes();
  const meta = await sharp(path).metadata();
  assert.deepEqual(await sizes.of(path, 40e6), { width: meta.width, height: meta.height });

  // Same length and time, bytes no decoder accepts: the known size is answered without decoding.
  await writeFile(path, Buffer.alloc((await stat(path)).size));
  await utimes(path, when, when);
  assert.deepEqual(await sizes.of(path, 40e6), { width: meta.width, height: meta.height });
  await assert.rejects(sizes.of(path, 100), (e: { code: string }) => e.code === 'IMAGE_TOO_LARGE');

  // A new version of the file is decoded again.
  await sharp(photo('chelsea.png')).resize(50, 40).toFile(join(dir, 'small.png'));
  await copyFile(join(dir, 'small.png'), path);
  assert.deepEqual(await sizes.of(path, 40e6), { width: 50, height: 40 });
  // A missing file is decodeImage's error.
  await assert.rejects(sizes.of(join(dir, 'gone.png'), 40e6), (e: { code: string }) => typeof e.code === 'string' && e.code !== 'INTERNAL');
});
