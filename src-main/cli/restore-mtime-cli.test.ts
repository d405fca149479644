// The restore command keeps the original's modification time unless told not to, and refuses a
// TIFF cut short with exit 3 (issue 13).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { photoLike, uncompressedTiff } from '../engine/image/test-fixtures';
import { tempDir } from '../testing/fixtures';

const CLI = resolve(import.meta.dirname, 'restore.ts');
const run = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], { encoding: 'utf8' });

test('the output has the original\'s modification time; --no-keep-mtime dates it now', async () => {
  const dir = tempDir();
  const input = join(dir, 'old.png');
  await sharp(Buffer.from(photoLike(16, 16).data), { raw: { width: 16, height: 16, channels: 3 } }).png().toFile(input);
  const taken = new Date('1987-06-05T04:03:02Z');
  utimesSync(input, taken, taken);
  const kept = join(dir, 'kept.jpg');
  const r = run([input, '-o', kept, '--engine', 'realesrgan-x4fast', '--threads', '2']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(statSync(kept).mtimeMs, taken.getTime());
  const before = Date.now() - 2000;
  const fresh = join(dir, 'fresh.jpg');
  const r2 = run([input, '-o', fresh, '--engine', 'realesrgan-x4fast', '--threads', '2', '--no-keep-mtime']);
  assert.equal(r2.status, 0, r2.stderr);
  assert.ok(statSync(fresh).mtimeMs >= before, 'dated at the restore');
});

test('an uncompressed TIFF cut in half exits 3 CORRUPT_IMAGE and writes nothing', () => {
  const dir = tempDir();
  const whole = uncompressedTiff(photoLike(64, 64));
  const cut = join(dir, 'cut.tif');
  writeFileSync(cut, whole.subarray(0, whole.length >> 1));
  const r = run([cut, '--engine', 'realesrgan-x4fast']);
  assert.equal(r.status, 3, r.stderr);
  assert.match(r.stderr, /^error CORRUPT_IMAGE: /m);
  assert.equal(existsSync(join(dir, 'cut-restored.tif')), false);
});
