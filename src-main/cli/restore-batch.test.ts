// The restore command over a photo library, as a person runs it for nights on end: a nested tree
// (unicode and space names, one name in two folders, a corrupt file, the output folder inside
// the input tree), reruns that do only what is left, and SIGKILL at random moments followed by a
// rerun that leaves every output exactly once, no temporary file, and the inputs untouched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import sharp from 'sharp';
import { MeasuredRates } from '../engine/library/measured-rates';
import { modelsDir } from '../engine/models/paths';
import { cliRatesFile } from './restore-batch';
import { mulberry32 } from '../testing/mulberry32';
import { photo, tempDir } from '../testing/fixtures';

const CLI = resolve(import.meta.dirname, 'restore.ts');
const FAST = ['--engine', 'realesrgan-x4fast', '--threads', '1'];

/** A home of its own (its own library database) that uses the installed models. */
function isolatedHome(): string {
  const home = tempDir('pure-studio-home-');
  writeFileSync(join(home, 'models-location.json'), JSON.stringify({ modelsDir: modelsDir() }));
  return home;
}

const run = (home: string, args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], { encoding: 'utf8', env: { ...process.env, PURE_STUDIO_HOME: home } });

interface Summary {
  total: number;
  restored: number;
  doneBefore: number;
  failed: number;
  failures: { input: string; code: string }[];
}
const summaryOf = (stdout: string): Summary => (JSON.parse(stdout.trim().split('\n').at(-1)!) as { summary: Summary }).summary;

/** Every file under `dir`, relative, sorted (hidden ones included: temp files are hidden). */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

const hashOf = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

/** The library of the tests: 7 photos in 3 folders and a corrupt one. */
async function library(): Promise<{ root: string; inputs: string[]; expected: string[] }> {
  const root = tempDir();
  const src = join(root, 'scans');
  for (const d of ['1975 summer', '1975 summer/ünïcode dir', 'other']) mkdirSync(join(src, d), { recursive: true });
  const photos: [string, string, number][] = [
    ['a.jpg', 'rocket.jpg', 40],
    ['img2.png', 'chelsea.png', 36],
    ['1975 summer/a.jpg', 'chelsea.png', 44],
    ['1975 summer/beach day.png', 'rocket.jpg', 40],
    ['1975 summer/ünïcode dir/grand-mère.webp', 'chelsea.png', 36],
    ['other/a.jpg', 'camera.png', 32],
    ['other/img10.png', 'rocket.jpg', 40],
  ];
  for (const [name, from, width] of photos) await sharp(photo(from as 'rocket.jpg')).resize(width).toFile(join(src, name));
  const jpeg = readFileSync(join(src, 'a.jpg'));
  writeFileSync(join(src, 'other', 'cut.jpg'), jpeg.subarray(0, Math.floor(jpeg.length / 2)));
  const expected = photos.map(([name]) => name.replace(/\.(\w+)$/, '-restored.$1')).sort();
  return { root, inputs: photos.map(([name]) => join(src, name)), expected };
}

test('a nested library: mirrored outputs, a rerun restores nothing, a changed photo is redone, exit 7 for a partial batch', { timeout: 240_000 }, async () => {
  const home = isolatedHome();
  const { root, inputs, expected } = await library();
  const src = join(root, 'scans');
  const out = join(src, 'restored'); // inside the input tree: never read as input
  const before = inputs.map(hashOf);

  const first = run(home, [src, '--out-dir', out, '--recursive', '--json', ...FAST]);
  assert.equal(first.status, 7, first.stderr);
  const s1 = summaryOf(first.stdout);
  assert.deepEqual([s1.total, s1.restored, s1.doneBefore, s1.failed], [8, 7, 0, 1]);
  assert.deepEqual(s1.failures.map((f) => [relative(src, f.input), f.code]), [['other/cut.jpg', 'CORRUPT_IMAGE']]);
  assert.deepEqual(filesUnder(out), expected);
  assert.match(first.stderr, /Restored 7 photos, 1 failed \(CORRUPT_IMAGE 1/);
  assert.equal((await sharp(join(out, '1975 summer/ünïcode dir/grand-mère-restored.webp')).metadata()).width, 36 * 4);

  const again = run(home, [src, '--out-dir', out, '--recursive', '--json', ...FAST]);
  const s2 = summaryOf(again.stdout);
  assert.deepEqual([s2.restored, s2.doneBefore, s2.failed], [0, 7, 1], 'only the failed photo is tried again');
  assert.match(again.stderr, /7 of 8 photos were done before and are skipped/);
  assert.deepEqual(filesUnder(out), expected, 'no -restored-2, nothing read from the output folder');

  // A photo whose bytes changed is restored again, into the same file.
  await sharp(photo('camera.png')).resize(40).toFile(join(src, 'img2.png'));
  const mtimeBefore = statSync(join(out, 'img2-restored.png')).mtimeMs;
  const changed = run(home, [src, '--out-dir', out, '--recursive', '--json', ...FAST]);
  const s3 = summaryOf(changed.stdout);
  assert.deepEqual([s3.restored, s3.doneBefore, s3.failed], [1, 6, 1]);
  assert.ok(statSync(join(out, 'img2-restored.png')).mtimeMs > mtimeBefore);
  assert.deepEqual(filesUnder(out), expected);

  // --redo restores everything again, in place.
  const redo = run(home, [join(src, 'other'), '--out-dir', join(root, 'other-out'), '--json', ...FAST]);
  assert.equal(redo.status, 7);
  const redone = run(home, [join(src, 'other'), '--out-dir', join(root, 'other-out'), '--redo', '--json', ...FAST]);
  assert.deepEqual([summaryOf(redone.stdout).restored, summaryOf(redone.stdout).doneBefore], [2, 0]);
  assert.deepEqual(filesUnder(join(root, 'other-out')), ['a-restored.jpg', 'img10-restored.png']);

  assert.deepEqual(inputs.slice(0, 1).concat(inputs.slice(2)).map(hashOf), before.slice(0, 1).concat(before.slice(2)), 'inputs are never modified');
});

test('all photos failing exits with their own code; a top-level folder without --recursive', { timeout: 120_000 }, async () => {
  const home = isolatedHome();
  const dir = tempDir();
  writeFileSync(join(dir, 'x.jpg'), 'not a photo');
  writeFileSync(join(dir, 'y.png'), 'not a photo either');
  mkdirSync(join(dir, 'sub'));
  await sharp(photo('chelsea.png')).resize(20).toFile(join(dir, 'sub', 'deep.png'));
  const r = run(home, [dir, '--out-dir', join(dir, 'out'), ...FAST]);
  assert.equal(r.status, 3, r.stderr);
  assert.match(r.stderr, /Restored 0 photos, 2 failed \(UNSUPPORTED_IMAGE 2/);
  assert.deepEqual(readdirSync(join(dir, 'out')), [], 'sub-folders wait for --recursive');
});

test('one photo shows an ETA from its first line, from the speed measured on this machine before', { timeout: 120_000 }, async () => {
  const home = isolatedHome();
  const dir = tempDir();
  const input = join(dir, 'scan.png');
  await sharp(photo('rocket.jpg')).resize(100, 80, { fit: 'fill' }).toFile(input); // 0.008 MP
  // An earlier batch measured 1000 s per megapixel (a slow day): 8 s for this photo.
  await new MeasuredRates(cliRatesFile(home)).record({ engine: 'realesrgan-x4fast', provider: 'cpu', threads: 1 }, 1000, 1);
  const r = run(home, [input, ...FAST, '--provider', 'cpu']);
  assert.equal(r.status, 0, r.stderr);
  // The piped log writes a line at each stage: the first already says how long it will take.
  assert.match(r.stderr.split('\n').find((line) => line.includes('decoding')) ?? '', /decoding · ETA 8 s/);
  assert.doesNotMatch(r.stderr.split('\n').find((line) => line.includes('100% done')) ?? 'no done line', /ETA|no done line/, 'a finished photo has no time left to say');
  const rate = new MeasuredRates(cliRatesFile(home)).lookup('realesrgan-x4fast', { provider: 'cpu', threads: 1 })!;
  assert.ok(rate < 1000, 'this run is added to the rate');
  // --output (one photo to a named file, no batch) says the same, by the rate as it is now.
  const named = run(home, [input, '-o', join(dir, 'named.png'), ...FAST, '--provider', 'cpu']);
  assert.equal(named.status, 0, named.stderr);
  const seconds = Math.round(rate * 0.008);
  assert.match(named.stderr.split('\n').find((line) => line.includes('decoding')) ?? '', new RegExp(`decoding · ETA ${seconds} s`));
  assert.doesNotMatch(named.stderr.split('\n').find((line) => line.includes('100% done')) ?? 'no done line', /ETA|no done line/);
  assert.ok(new MeasuredRates(cliRatesFile(home)).lookup('realesrgan-x4fast', { provider: 'cpu', threads: 1 })! < rate, 'and adds to it');
});

test('SIGKILL at random moments, then a rerun: every output exactly once, no temporary file, inputs untouched', { timeout: 600_000 }, async () => {
  const home = isolatedHome();
  const { root, inputs, expected } = await library();
  const src = join(root, 'scans');
  const out = join(root, 'out');
  const before = inputs.map(hashOf);
  const random = mulberry32(12);
  for (let round = 0; round < 5; round++) {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, src, '--out-dir', out, '--recursive', ...FAST], { env: { ...process.env, PURE_STUDIO_HOME: home }, stdio: ['ignore', 'ignore', 'pipe'] });
    const exited = new Promise<void>((done) => child.on('exit', () => done()));
    // Killed after a random number of progress lines (any stage of any photo: decoding,
    // inference, the atomic write), plus a random fraction of a second.
    const after = 1 + Math.floor(random() * 30);
    let lines = 0;
    child.stderr.on('data', (chunk: Buffer) => {
      lines += chunk.toString().split('\n').length - 1;
      if (lines >= after && !child.killed) setTimeout(() => child.kill('SIGKILL'), random() * 300);
    });
    await exited;
    if (process.env.DEBUG_KILLS) console.log(`round ${round}: killed after ${lines} lines, ${filesUnder(out).length} files`);
  }
  const final = run(home, [src, '--out-dir', out, '--recursive', '--json', ...FAST]);
  assert.equal(final.status, 7, final.stderr);
  const s = summaryOf(final.stdout);
  assert.equal(s.restored + s.doneBefore, 7, `every good photo done exactly once in total: ${final.stderr}`);
  assert.equal(s.failed, 1);
  assert.deepEqual(filesUnder(out), expected, 'each output once at its mirrored path, no temp or partial file');
  assert.deepEqual(inputs.map(hashOf), before, 'inputs are byte-identical');
  for (const name of expected) assert.ok(((await sharp(join(out, name)).metadata()).width ?? 0) > 100, `${name} is a whole image`);
  // And the batch is finished: one more rerun restores nothing.
  const rerun = run(home, [src, '--out-dir', out, '--recursive', '--json', ...FAST]);
  assert.deepEqual([summaryOf(rerun.stdout).restored, summaryOf(rerun.stdout).doneBefore], [0, 7]);
});
