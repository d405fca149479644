// The restore command as a user runs it: exit codes, one-line errors with hints (never a stack
// trace), --json, and Ctrl-C leaving nothing behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { photo, tempDir } from '../testing/fixtures';

const CLI = resolve(import.meta.dirname, 'restore.ts');
const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });

function assertCleanError(stderr: string, code: string): void {
  assert.match(stderr, new RegExp(`^error ${code}: `, 'm'));
  assert.doesNotMatch(stderr, /^\s+at /m, 'no stack trace');
}

test('bad inputs exit 3 with a one-line error and write nothing', async () => {
  const dir = tempDir();
  const jpeg = await sharp(photo('rocket.jpg')).jpeg().toBuffer();
  const png = await sharp(photo('chelsea.png')).png().toBuffer();
  const cases: [string, Uint8Array | string, string][] = [
    ['notes.jpg', 'this is not an image', 'UNSUPPORTED_IMAGE'],
    ['empty.png', new Uint8Array(0), 'EMPTY_FILE'],
    ['cut.jpg', jpeg.subarray(0, Math.floor(jpeg.length / 2)), 'CORRUPT_IMAGE'],
    ['cut.png', png.subarray(0, Math.floor(png.length / 2)), 'CORRUPT_IMAGE'],
    ['dot.png', await sharp({ create: { width: 1, height: 1, channels: 3, background: '#888' } }).png().toBuffer(), 'IMAGE_TOO_SMALL'],
  ];
  for (const [name, bytes, code] of cases) {
    writeFileSync(join(dir, name), bytes);
    const r = run([join(dir, name), '--engine', 'realesrgan-x4fast']);
    assert.equal(r.status, 3, `${name}: ${r.stderr}`);
    assertCleanError(r.stderr, code);
  }
  const big = join(dir, 'big.png');
  await sharp({ create: { width: 3000, height: 2000, channels: 3, background: '#777' } }).png().toFile(big);
  const r = run([big, '--max-pixels', '1000000']);
  assert.equal(r.status, 3);
  assertCleanError(r.stderr, 'IMAGE_TOO_LARGE');
  // One line for the error and one for the hint, nothing else after it.
  assert.equal(r.stderr.slice(r.stderr.indexOf('error ')).trim().split('\n').length, 2, r.stderr);
  assert.deepEqual(readdirSync(dir).filter((n) => n.includes('restored')), []);
});

test('usage and output problems have their own exit codes', async () => {
  const dir = tempDir();
  const input = join(dir, 'in.png');
  await sharp(photo('chelsea.png')).resize(16, 16).toFile(input);
  const noInput = run([]);
  assert.equal(noInput.status, 2);
  assertCleanError(noInput.stderr, 'INVALID_OPTION');
  assert.equal(run([input, '--scale', '3']).status, 2);
  assert.equal(run([input, '--bogus']).status, 2);
  writeFileSync(join(dir, 'taken.png'), 'x');
  const taken = run([input, '-o', join(dir, 'taken.png')]);
  assert.equal(taken.status, 4);
  assertCleanError(taken.stderr, 'OUTPUT_EXISTS');
  assert.equal(readFileSync(join(dir, 'taken.png'), 'utf8'), 'x', 'the existing file is untouched');
  const missingModel = run([input], { PURE_STUDIO_HOME: join(dir, 'empty-home') });
  assert.equal(missingModel.status, 5);
  assertCleanError(missingModel.stderr, 'MODEL_MISSING');
  assert.match(missingModel.stderr, /npm run setup-models/);
});

test('--json prints one machine-readable result per input', async () => {
  const dir = tempDir();
  const a = join(dir, 'a.png');
  const b = join(dir, 'b.jpg');
  await sharp(photo('chelsea.png')).resize(20, 16).toFile(a);
  await sharp(photo('rocket.jpg')).resize(24, 16).toFile(b);
  const r = run([a, b, '--engine', 'realesrgan-x4fast', '--out-dir', dir, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const all = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { ok: boolean; output: string; outputSize: { width: number }; engine: string; timings: { totalMs: number }; summary?: { restored: number } });
  // One object per photo, then the batch's summary.
  assert.equal(all.length, 3);
  assert.equal(all[2].summary?.restored, 2);
  const lines = all.slice(0, 2);
  assert.deepEqual(lines.map((l) => [l.ok, l.output, l.outputSize.width, l.engine]), [
    [true, join(dir, 'a-restored.png'), 80, 'realesrgan-x4fast'],
    [true, join(dir, 'b-restored.jpg'), 96, 'realesrgan-x4fast'],
  ]);
  assert.ok(lines[0].timings.totalMs > 0);
  assert.equal((await sharp(join(dir, 'b-restored.jpg')).metadata()).format, 'jpeg');
});

test('Ctrl-C cancels cleanly: exit 130 and no partial file', async () => {
  const dir = tempDir();
  const input = join(dir, 'photo.png');
  await sharp(photo('rocket.jpg')).toFile(input);
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, input, '--tile', '64', '--threads', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const started = Date.now();
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    if (/restoring/.test(stderr) && !child.killed) child.kill('SIGINT');
  });
  const code = await new Promise<number | null>((done) => child.on('exit', (c) => done(c)));
  assert.equal(code, 130, stderr);
  assert.ok(Date.now() - started < 30_000, 'cancel takes effect at once, not after the job');
  assert.match(stderr, /error CANCELLED/);
  assert.equal(existsSync(join(dir, 'photo-restored.png')), false);
  assert.deepEqual(readdirSync(dir), ['photo.png']);
});
