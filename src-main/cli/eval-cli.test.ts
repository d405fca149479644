// eval end to end on two small crops of committed photos with bicubic and Real-ESRGAN x4fast:
// the report files, their numbers, a reproducible LQ input, and the usage errors.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { photo, tempDir } from '../testing/fixtures';
import type { EvalResults } from './eval-run';

const run = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', resolve(import.meta.dirname, 'eval.ts'), ...args], { encoding: 'utf8' });

async function dataset(): Promise<string> {
  const dir = join(tempDir(), 'hq');
  mkdirSync(dir);
  await sharp(photo('chelsea.png')).extract({ left: 100, top: 40, width: 240, height: 224 }).png().toFile(join(dir, 'cat.png'));
  await sharp(photo('rocket.jpg')).extract({ left: 200, top: 100, width: 224, height: 224 }).png().toFile(join(dir, 'rocket.png'));
  return dir;
}

test('eval writes Markdown, CSV, JSON and HTML with sane numbers for each image and engine', async () => {
  const hq = await dataset();
  const out = join(tempDir(), 'report');
  const r = run(['--dataset', hq, '--engines', 'bicubic,realesrgan-x4fast', '--crop', '208', '--seed', '3', '--out', out]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /\[\d+\/6\]/); // progress lines (stderr is a pipe here)
  assert.match(r.stderr, /ETA/);
  const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as EvalResults;
  assert.deepEqual(results.images.map((i) => [i.name, i.hq.width, i.lq.width]), [['cat.png', 208, 52], ['rocket.png', 208, 52]]);
  assert.equal(results.rows.length, 4);
  assert.deepEqual(results.metrics.map((m) => m.id), ['psnr', 'ssim', 'niqe']);
  for (const { metrics: m, seconds } of results.rows) {
    assert.ok(m.psnr !== null && m.psnr > 18 && m.psnr < 40, JSON.stringify(m));
    assert.ok(m.ssim !== null && m.ssim > 0.3 && m.ssim < 1, JSON.stringify(m));
    assert.ok(m.niqe !== null && m.niqe > 0 && seconds > 0, JSON.stringify(m));
  }
  // Restoring beats bicubic on this degradation (sharper, and NIQE, which prefers sharp, agrees).
  const mean = (engine: string) => results.means.find((m) => m.engine === engine)!.metrics;
  assert.ok(mean('realesrgan-x4fast').niqe! < mean('bicubic').niqe!, JSON.stringify(results.means));
  assert.deepEqual(results.means.map((m) => m.engine), ['bicubic', 'realesrgan-x4fast']);
  assert.ok(results.images.every((i) => i.steps.some((s) => s.op === 'jpeg')));
  const csv = readFileSync(join(out, 'results.csv'), 'utf8').trim().split('\n');
  assert.equal(csv[0], 'image,engine,psnr,ssim,niqe,seconds');
  assert.equal(csv.length, 5);
  const md = readFileSync(join(out, 'results.md'), 'utf8');
  assert.match(md, /\| realesrgan-x4fast \| 2 \| \d+\.\d\d \| 0\.\d{4} \| \d+\.\d\d \|/);
  const html = readFileSync(join(out, 'index.html'), 'utf8');
  assert.match(html, /crops\/cat\/input\.png/);
  for (const f of ['input', 'bicubic', 'realesrgan_x4fast', 'ground_truth']) assert.ok(existsSync(join(out, 'crops', 'cat', `${f}.png`)), f);

  // The same seed makes the same LQ input, bit for bit (degrade.test.ts shows other seeds differ).
  const again = join(tempDir(), 'again');
  assert.equal(run(['--dataset', hq, '--engines', 'bicubic', '--crop', '208', '--seed', '3', '--limit', '1', '--out', again]).status, 0);
  assert.deepEqual(readFileSync(join(again, 'images', 'cat', 'lq.png')), readFileSync(join(out, 'images', 'cat', 'lq.png')));
});

test('eval refuses bad usage, an unknown engine and an empty dataset in one line', () => {
  const empty = tempDir();
  // More usage errors are checked in-process by eval-args.test.ts.
  const cases: [string[], number, string][] = [
    [['--dataset', empty, '--out', empty, '--engines', 'bicubic,nope'], 2, 'INVALID_OPTION'],
    [['--dataset', empty, '--out', empty], 3, 'INPUT_NOT_FOUND'],
  ];
  for (const [args, status, code] of cases) {
    const r = run(args);
    assert.equal(r.status, status, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`^error ${code}: `, 'm'));
    assert.doesNotMatch(r.stderr, /^\s+at /m);
  }
});
