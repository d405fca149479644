// Bad inputs and hostile surroundings found by probing the app (issue 13, section 2): a cut TIFF,
// huge colour profiles, a full temporary folder, a quit during encoding, names near the limit.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import sharp from 'sharp';
import { decodeImage } from './decode';
import { writeImage } from './encode';
import { insertPngIccProfile } from './metadata-inject';
import { adobeLikeProfile, hugeProfile, jpegWithProfile, photoLike, rasterSharp, rejectsWith, tempDir, uncompressedTiff } from './test-fixtures';
import type { EncodeOptions, OutputFormat } from './types';

const LIMIT = { maxPixels: 40_000_000 };

function options(format: OutputFormat, extra: Partial<EncodeOptions> = {}): EncodeOptions {
  return { format, overwrite: false, protectedPaths: [], software: 'PURE Studio (test)', ...extra };
}

const here = fileURLToPath(new URL('.', import.meta.url));

const iccLeftovers = (dir: string): string[] => readdirSync(dir).filter((n) => /^pure-studio-.*\.icc$/.test(n));

test('an uncompressed TIFF cut in half is refused as CORRUPT_IMAGE, not restored half black', async (t) => {
  const dir = tempDir(t);
  const image = photoLike(96, 64);
  const whole = uncompressedTiff(image);
  const good = join(dir, 'whole.tif');
  writeFileSync(good, whole);
  const decoded = await decodeImage(good, LIMIT);
  assert.deepEqual([...decoded.rgb.data.subarray(0, 30)], [...image.data.subarray(0, 30)], 'the fixture is a valid TIFF');
  for (const keep of [0.5, 0.99]) {
    const path = join(dir, `cut-${keep}.tif`);
    writeFileSync(path, whole.subarray(0, Math.floor(whole.length * keep)));
    await rejectsWith(decodeImage(path, LIMIT), 'CORRUPT_IMAGE', /damaged or truncated TIFF.*image data block \d+ of 4/);
  }
});

test('an 8 MiB colour profile is written into PNG output whole', async (t) => {
  const dir = tempDir(t);
  const icc = hugeProfile(8 * 1024 * 1024);
  const input = join(dir, 'big-icc.png');
  writeFileSync(input, insertPngIccProfile(await rasterSharp(photoLike(48, 32)).png().toBuffer(), icc));
  const decoded = await decodeImage(input, LIMIT);
  assert.equal(decoded.metadata.icc?.length, icc.length);
  const out = join(dir, 'out.png');
  await writeImage(out, decoded.rgb, options('png', { metadata: decoded.metadata }));
  const meta = await sharp(out).metadata();
  assert.equal(meta.icc?.length, icc.length);
  assert.ok(Buffer.from(meta.icc).equals(icc), 'the same profile, byte for byte');
});

test('a JPEG whose 8 MiB profile is read cut short is written as sRGB PNG with a warning', async (t) => {
  const dir = tempDir(t);
  const input = join(dir, 'big-icc.jpg');
  writeFileSync(input, await jpegWithProfile(hugeProfile(8 * 1024 * 1024)));
  const decoded = await decodeImage(input, LIMIT);
  const warnings: string[] = [];
  for (const format of ['png', 'jpeg', 'tiff'] as const) {
    const out = join(dir, `out.${format}`);
    await writeImage(out, decoded.rgb, options(format, { metadata: decoded.metadata, onWarning: (m) => warnings.push(m) }));
    const meta = await sharp(out).metadata();
    assert.ok(!meta.icc || meta.icc.length < 10_000, `${format}: no damaged profile embedded`);
  }
  assert.equal(warnings.length, 3);
  assert.match(warnings[0], /colour profile .* cut short .* sRGB/);
});

test('a full temporary folder is DISK_FULL and leaves no profile file behind', async (t) => {
  const small = mkdtempSync(join(tmpdir(), 'pure-tmpfs-'));
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=16k', 'tmpfs', small]);
  if (mounted.status !== 0) {
    rmdirSync(small);
    t.skip('mounting a 16 KiB tmpfs needs root (CI runs as root)');
    return;
  }
  t.after(() => {
    spawnSync('umount', [small]);
    rmdirSync(small);
  });
  const dir = tempDir(t);
  const input = join(dir, 'in.png');
  writeFileSync(input, insertPngIccProfile(await rasterSharp(photoLike(48, 32)).png().toBuffer(), hugeProfile(64 * 1024)));
  const decoded = await decodeImage(input, LIMIT);
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = small;
  try {
    await rejectsWith(writeImage(join(dir, 'out.tif'), decoded.rgb, options('tiff', { metadata: decoded.metadata })), 'DISK_FULL', /temporary folder .* is full/);
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
  assert.deepEqual(iccLeftovers(small), []);
  assert.deepEqual(readdirSync(dir), ['in.png']);
});

test('quitting with a second Ctrl-C while encoding leaves no profile file in TMPDIR', (t) => {
  const dir = tempDir(t);
  const tmp = join(dir, 'tmp');
  mkdirSync(tmp);
  const icc = adobeLikeProfile();
  // The child encodes a large image with a profile and gets two Ctrl-C while sharp is at work.
  const script = `
    import { abortOnCtrlC } from ${JSON.stringify(join(here, '../../cli/interrupt.ts'))};
    import { writeImage } from ${JSON.stringify(join(here, 'encode.ts'))};
    const signal = abortOnCtrlC('Cancelling');
    const side = 3000;
    const data = new Uint8Array(side * side * 3);
    (await import('node:crypto')).randomFillSync(data); // incompressible: deflate takes a while
    const icc = new Uint8Array(Buffer.from(${JSON.stringify(icc.toString('base64'))}, 'base64'));
    // Both Ctrl-C arrive while the profile file exists, that is while sharp is encoding.
    const { readdirSync } = await import('node:fs');
    const watch = setInterval(() => {
      if (!readdirSync(process.env.TMPDIR).some((n) => n.endsWith('.icc'))) return;
      clearInterval(watch);
      process.kill(process.pid, 'SIGINT');
      setTimeout(() => process.kill(process.pid, 'SIGINT'), 10);
    }, 2);
    await writeImage(${JSON.stringify(join(dir, 'out.tif'))}, { width: side, height: side, channels: 3, bitDepth: 8, data },
      { format: 'tiff', overwrite: false, protectedPaths: [], software: 'x', metadata: { format: 'png', orientation: 1, icc }, signal });
    console.log('finished before the second Ctrl-C');
  `;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    env: { ...process.env, TMPDIR: tmp },
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(child.status, 130, child.stderr);
  assert.doesNotMatch(child.stdout, /finished/);
  assert.deepEqual(iccLeftovers(tmp), []);
});

test('output names of 238-255 bytes are written; longer ones are refused before any work', async (t) => {
  const dir = tempDir(t);
  const image = photoLike(16, 16);
  for (const length of [238, 250, 255]) {
    const name = `${'n'.repeat(length - 4)}.png`;
    await writeImage(join(dir, name), image, options('png'));
    assert.ok(readFileSync(join(dir, name)).length > 0);
  }
  const multiByte = `${'é'.repeat(126)}.png`; // 256 bytes in UTF-8, 130 characters
  const big = photoLike(3000, 3000);
  const started = performance.now();
  await rejectsWith(writeImage(join(dir, multiByte), big, options('png')), 'OUTPUT_UNWRITABLE', /256 bytes long.*at most 255/);
  assert.ok(performance.now() - started < 500, 'refused before encoding');
  assert.equal(readdirSync(dir).filter((n) => n.endsWith('.tmp')).length, 0);
});
