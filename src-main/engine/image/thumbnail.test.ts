import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { displayFile, probeImage, thumbnailFile } from './thumbnail';

const photos = join(import.meta.dirname, '../../../test-data/photos');
const dir = mkdtempSync(join(tmpdir(), 'pure-thumb-'));
const cache = join(dir, 'cache');
after(() => rmSync(dir, { recursive: true, force: true }));

test('probe reads the size from the header and names what is wrong with a non-photo', async () => {
  assert.deepEqual(await probeImage(join(photos, 'chelsea.png')), { format: 'png', width: 451, height: 300 });
  const text = join(dir, 'notes.jpg');
  writeFileSync(text, 'hello, this is text');
  await assert.rejects(probeImage(text), { code: 'UNSUPPORTED_IMAGE' });
  const empty = join(dir, 'empty.png');
  writeFileSync(empty, '');
  await assert.rejects(probeImage(empty), { code: 'EMPTY_FILE' });
  await assert.rejects(probeImage(join(dir, 'missing.png')), { code: 'INPUT_NOT_FOUND' });
});

test('a thumbnail is a small WebP, made once and then served from the cache', async () => {
  const first = await thumbnailFile(join(photos, 'chelsea.png'), cache, 128);
  const meta = await sharp(first).metadata();
  assert.equal(meta.format, 'webp');
  assert.equal(Math.max(meta.width, meta.height), 128);
  const made = statSync(first).mtimeMs;
  assert.equal(await thumbnailFile(join(photos, 'chelsea.png'), cache, 128), first);
  assert.equal(statSync(first).mtimeMs, made);
});

test('an edited photo gets a new thumbnail', async () => {
  const photo = join(dir, 'edited.png');
  await sharp(join(photos, 'camera.png')).toFile(photo);
  const before = await thumbnailFile(photo, cache);
  await new Promise((resolve) => setTimeout(resolve, 20));
  await sharp(join(photos, 'chelsea.png')).toFile(join(dir, 'tmp.png'));
  writeFileSync(photo, readFileSync(join(dir, 'tmp.png')));
  assert.notEqual(await thumbnailFile(photo, cache), before);
});

test('browsers show JPEG and PNG as they are; TIFF gets a WebP rendition', async () => {
  assert.equal(await displayFile(join(photos, 'rocket.jpg'), cache), join(photos, 'rocket.jpg'));
  const tiff = join(dir, 'scan.tif');
  await sharp(join(photos, 'chelsea.png')).tiff().toFile(tiff);
  const shown = await displayFile(tiff, cache);
  assert.notEqual(shown, tiff);
  const meta = await sharp(shown).metadata();
  assert.deepEqual([meta.format, meta.width, meta.height], ['webp', 451, 300]);
});

test('a truncated photo cannot be thumbnailed', async () => {
  const broken = join(dir, 'broken.jpg');
  const bytes = readFileSync(join(photos, 'rocket.jpg'));
  writeFileSync(broken, bytes.subarray(0, bytes.length / 3));
  await assert.rejects(thumbnailFile(broken, cache));
});
