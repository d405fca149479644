// The public restore API with engine 'pure', on the TEST MODEL (random weights in PURE's real
// formats, converted by our converter): it proves the plumbing (tiles, blending, entropy mosaic,
// previews, region, estimate), never the quality.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { makeTinyPureCheckpoint } from '../pure/fixtures/make-tiny-checkpoint';
import { convertPure } from '../pure/package/convert-pure';
import { Restorer, type EstimateResult } from './restore';
import type { RestoreProgress } from '../../protocol/restore';
import { photo, tempDir } from '../../testing/fixtures';

const dir = tempDir();
const model = join(dir, 'pure-tiny');
const home = join(dir, 'home');
const restorer = new Restorer(home);
test.after(() => restorer.close());

test.before(async () => {
  const made = await makeTinyPureCheckpoint(join(dir, 'checkpoint'), { seed: 5 });
  await convertPure({ checkpoint: join(dir, 'checkpoint'), vq: made.vqFile, out: model, dtype: 'fp32' });
});

// Forced text skips the text phase; a token budget keeps the test short (the rest of the image
// is the input's own codes).
const quick = { engine: 'pure' as const, model, threads: 2, caption: 'noise: large, blur: small. A cat.', maxNewTokens: 150 };

/** Grey value of the single-channel PNG at (x, y). */
async function greyAt(path: string, x: number, y: number): Promise<number> {
  const { data, info } = await sharp(path).raw().toBuffer({ resolveWithObject: true });
  return data[(y * info.width + x) * info.channels];
}

test('a region of one tile: x4 output of the region, its text, a live preview of the rows so far', { timeout: 300_000 }, async () => {
  const input = join(dir, 'cat.png');
  await sharp(photo('chelsea.png')).extract({ left: 60, top: 20, width: 200, height: 150 }).toFile(input);
  const events: RestoreProgress[] = [];
  const seen: boolean[] = [];
  const result = await restorer.restore(input, join(dir, 'cat-roi.png'), { ...quick, roi: { x: 40, y: 20, width: 96, height: 64 }, maxNewTokens: 700 }, {
    previews: true,
    previewLingerMs: 300,
    onProgress: (p) => {
      events.push(p);
      if (p.preview) seen.push(existsSync(p.preview)); // the file is there when it is announced
    },
  });
  assert.deepEqual(result.inputSize, { width: 200, height: 150 });
  assert.deepEqual(result.roi, { x: 40, y: 20, width: 96, height: 64 });
  assert.deepEqual(result.outputSize, { width: 384, height: 256 });
  assert.equal(result.tiles, 1);
  assert.equal(result.engine, 'pure');
  assert.ok(result.pure);
  assert.equal(result.pure.testModel, true);
  assert.match(result.pure.model, /TEST MODEL/);
  assert.equal(result.pure.caption, 'A cat.');
  assert.equal(result.pure.estimate.source, 'assumed', 'nothing was measured in this home before');
  assert.deepEqual([result.perception?.noise, result.perception?.blur, result.perception?.source], ['large', 'small', 'model']);
  assert.ok(events.some((p) => p.phase === 'restore'));
  // A preview made from the generated rows arrives while the tile is still being generated.
  assert.ok(events.some((p) => p.preview && p.tilesDone === 0 && (p.rowsDone ?? 0) >= 8), 'a row preview during the tile');
  assert.ok(seen.length > 0 && seen.every(Boolean));
  assert.equal(events.at(-1)?.preview, undefined, 'the done report names no preview');
  // The page learns of the end after the job's own end: the last preview it was told of is still
  // there for it to load (a 404 otherwise), and the folder goes a moment later.
  const lastPreview = events.findLast((p) => p.preview)?.preview;
  assert.ok(lastPreview && existsSync(lastPreview), 'the last preview outlives the job');
  await new Promise((resolve) => setTimeout(resolve, 600));
  assert.deepEqual(readdirSync(dir).filter((n) => n.startsWith('.pure-preview-')), [], 'previews are removed');
  const map = await sharp(result.pure.entropyMap).metadata();
  assert.deepEqual([map.width, map.height, map.channels], [384, 256, 1]);
  assert.equal((await sharp(result.output).metadata()).width, 384);
});

test('a photo of 2x2 tiles: 800x600 output, an entropy mosaic, tile progress, previews, the estimate', { timeout: 300_000 }, async () => {
  const input = join(dir, 'wide.png');
  await sharp(photo('chelsea.png')).extract({ left: 100, top: 40, width: 200, height: 150 }).toFile(input);
  const events: RestoreProgress[] = [];
  const result = await restorer.restore(input, join(dir, 'wide-out.png'), quick, { previews: true, onProgress: (p) => events.push(p) });
  assert.deepEqual(result.outputSize, { width: 800, height: 600 });
  assert.equal(result.tiles, 4);
  assert.ok(result.pure);
  assert.deepEqual([result.pure.estimate.tiles, result.pure.estimate.columns, result.pure.estimate.rows, result.pure.estimate.tileSize, result.pure.estimate.tokensPerTile], [4, 2, 2, 128, 150]);
  assert.equal(result.pure.estimate.source, 'measured', 'the run above measured this model here');
  assert.equal(result.pure.imageComplete, false, 'the token budget cut every tile short');

  const tileCounts = events.filter((p) => p.tilesTotal !== undefined).map((p) => p.tilesDone);
  assert.ok(events.every((p) => p.tilesTotal === undefined || p.tilesTotal === 4));
  assert.deepEqual([...new Set(tileCounts)], [0, 1, 2, 3, 4], 'tiles finish one after another');
  assert.ok(events[events.findIndex((p) => p.tilesDone === 0)].etaSeconds! > 0, 'an estimate before the first token');
  const previews = new Set(events.map((p) => p.preview).filter(Boolean));
  assert.ok(previews.size >= 2, `previews after finished tiles, got ${previews.size}`);
  const fractions = events.map((p) => p.fraction);
  assert.ok(fractions.every((f, i) => i === 0 || f >= fractions[i - 1]), 'progress never goes back');

  const meta = await sharp(result.pure.entropyMap).metadata();
  assert.deepEqual([meta.width, meta.height, meta.channels], [800, 600, 1]);
  // Each tile generated only its first image row (150 tokens), so the mosaic is lit in the first
  // 8 output rows of each tile and dark below: tile (0,0) at x = 100, tile (0,1) alone at x = 600
  // (tile (0,0) ends at input x 128 = output 512), and nothing at y = 300.
  assert.ok((await greyAt(result.pure.entropyMap, 100, 3)) > 0, 'tile (0,0) first row');
  assert.ok((await greyAt(result.pure.entropyMap, 600, 3)) > 0, 'tile (0,1) first row, in its place');
  assert.equal(await greyAt(result.pure.entropyMap, 600, 300), 0, 'rows not generated are 0');
});

test('--estimate prints tiles and time and runs nothing; after a run the speed is the measured one', { timeout: 120_000 }, async () => {
  const input = join(dir, 'wide.png'); // written by the test above, which also measured the speed
  const cli = resolve(import.meta.dirname, '../../cli/restore.ts');
  const run = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', cli, input, '--engine', 'pure', '--model', model, '--threads', '2', '--estimate', ...args], { encoding: 'utf8', env: { ...process.env, PURE_STUDIO_HOME: home } });
  const json = run(['--json', '--max-new-tokens', '150']);
  assert.equal(json.status, 0, json.stderr);
  const e = JSON.parse(json.stdout) as { ok: boolean } & EstimateResult;
  assert.equal(e.ok, true);
  assert.deepEqual([e.estimate.tiles, e.estimate.columns, e.estimate.rows, e.estimate.factor], [4, 2, 2, 4]);
  assert.deepEqual(e.outputSize, { width: 800, height: 600 });
  assert.equal(e.estimate.source, 'measured');
  assert.equal(e.testModel, true, 'the fixture package is a TEST MODEL and the estimate says so');
  assert.ok(Math.abs(e.estimate.seconds - 4 * (e.estimate.overheadSecondsPerTile + 150 / e.estimate.tokensPerSecond)) < 1e-6);

  const text = run(['--scale', '2', '--roi', '0,0,150,100']);
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /region 0,0,150x100 of 200x150 -> 300x200/);
  assert.match(text.stdout, /1 tile \(1x1 of 256 px at x2\), 4213 tokens each/);
  assert.match(text.stdout, /about .+ measured here/);
  assert.match(text.stdout, /TEST MODEL installed/);
  assert.deepEqual(readdirSync(dir).filter((n) => n.startsWith('wide-restored')), [], 'nothing restored');

  const outside = run(['--roi', '150,100,100,100']);
  assert.equal(outside.status, 2);
  assert.match(outside.stderr, /error INVALID_OPTION: .*reaches outside the 200x150 photo/);
});

test('a missing PURE model says how to convert one', async () => {
  const input = join(dir, 'small.png');
  await sharp(photo('chelsea.png')).resize(32, 32).toFile(input);
  await assert.rejects(restorer.restore(input, undefined, { engine: 'pure', model: join(dir, 'nope') }), (e: { code: string; hint: string }) => e.code === 'MODEL_MISSING' && /npm run convert/.test(e.hint));
});

test('cancelling a PURE restoration leaves nothing behind, previews included', { timeout: 300_000 }, async () => {
  const work = join(dir, 'cancel');
  const input = join(dir, 'cancel-in.png');
  await sharp(photo('rocket.jpg')).resize(64, 48).toFile(input);
  const controller = new AbortController();
  mkdirSync(work);
  await assert.rejects(
    restorer.restore(input, join(work, 'out.png'), { ...quick, maxNewTokens: 4000 }, {
      signal: controller.signal,
      previews: true,
      previewLingerMs: 300,
      onProgress: (p) => {
        if ((p.rowsDone ?? 0) >= 1) controller.abort();
      },
    }),
    { code: 'CANCELLED' },
  );
  await new Promise((resolve) => setTimeout(resolve, 600)); // the previews outlive the job a moment
  assert.deepEqual(readdirSync(work), []);
  assert.equal(existsSync(join(work, 'out.entropy.png')), false);
});
