// perceive and metrics as a user runs them: text and --json output, exit codes, one-line errors.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { photo, tempDir } from '../testing/fixtures';

const run = (cli: string, args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, ['--import', 'tsx', resolve(import.meta.dirname, cli), ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
const BABOON = resolve(import.meta.dirname, '../../../shared/data/niqe_reference_baboon.png');

function assertCleanError(stderr: string, code: string): void {
  assert.match(stderr, new RegExp(`^error ${code}: `, 'm'));
  assert.doesNotMatch(stderr, /^\s+at /m, 'no stack trace');
}

test('perceive prints levels and estimates, as text and as JSON', () => {
  const text = run('perceive.ts', [photo('rocket.jpg')]);
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /noise\s+(small|medium|large)\s+sigma [\d.]+/);
  assert.match(text.stdout, /blur\s+(small|medium|large)\s+sigma [\d.]+ px/);
  const json = run('perceive.ts', [photo('chelsea.png'), '--json']);
  assert.equal(json.status, 0, json.stderr);
  const out = JSON.parse(json.stdout) as { ok: boolean; perception: { noise: string; estimates: { noiseSigma: number } } };
  assert.equal(out.ok, true);
  assert.equal(out.perception.noise, 'small');
  assert.ok(out.perception.estimates.noiseSigma >= 0);
});

test('metrics: NIQE of the baboon, PSNR/SSIM against a reference, JSON', async () => {
  const r = run('metrics.ts', [BABOON]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /NIQE\s+5\.7\d/);
  const dir = tempDir();
  const jpeg = join(dir, 'q20.jpg');
  await sharp(BABOON).jpeg({ quality: 20 }).toFile(jpeg);
  const json = run('metrics.ts', [jpeg, '--ref', BABOON, '--crop-border', '4', '--json']);
  assert.equal(json.status, 0, json.stderr);
  const out = JSON.parse(json.stdout) as { niqe: number; psnr: number; ssim: number; cropBorder: number };
  assert.equal(out.cropBorder, 4);
  assert.ok(out.psnr > 15 && out.psnr < 35 && out.ssim > 0.3 && out.ssim < 0.99 && out.niqe > 0, json.stdout);
  const same = run('metrics.ts', [BABOON, '--ref', BABOON, '--json']);
  assert.equal((JSON.parse(same.stdout) as { psnr: null; ssim: number }).psnr, null); // identical: infinite
});

test('metrics and perceive fail in one line with the documented exit codes', () => {
  const mismatch = run('metrics.ts', [photo('chelsea.png'), '--ref', photo('camera.png')]);
  assert.equal(mismatch.status, 2);
  assertCleanError(mismatch.stderr, 'INVALID_OPTION');
  const missing = run('perceive.ts', ['/nonexistent/photo.png']);
  assert.equal(missing.status, 3);
  assertCleanError(missing.stderr, 'INPUT_NOT_FOUND');
  const usage = run('metrics.ts', [photo('chelsea.png'), '--bogus']);
  assert.equal(usage.status, 2);
  assertCleanError(usage.stderr, 'INVALID_OPTION');
  const noParams = run('metrics.ts', [photo('chelsea.png')], { PURE_NIQE_PARAMS: '/nonexistent.npz' });
  assert.equal(noParams.status, 5);
  assertCleanError(noParams.stderr, 'MODEL_MISSING');
  assert.match(run('perceive.ts', ['--help']).stdout, /^Usage: npm run perceive/);
});
