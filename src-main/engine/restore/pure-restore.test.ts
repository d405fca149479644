// The public restore API with engine 'pure', on the TEST MODEL (random weights in PURE's real
// formats, converted by our converter): it proves the plumbing, never the quality.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { makeTinyPureCheckpoint } from '../pure/fixtures/make-tiny-checkpoint';
import { convertPure } from '../pure/package/convert-pure';
import { Restorer } from './restore';
import { photo, tempDir } from '../../testing/fixtures';

const dir = tempDir();
const model = join(dir, 'pure-tiny');
const restorer = new Restorer(join(dir, 'home'));
test.after(() => restorer.close());

test.before(async () => {
  const made = await makeTinyPureCheckpoint(join(dir, 'checkpoint'), { seed: 5 });
  await convertPure({ checkpoint: join(dir, 'checkpoint'), vq: made.vqFile, out: model, dtype: 'fp32' });
});

// Forced text skips the text phase; a token budget keeps the test short (the rest of the image
// is the input's own codes).
const quick = { engine: 'pure' as const, model, threads: 2, caption: 'noise: large, blur: small. A cat.', maxNewTokens: 300 };

test('engine pure writes the output at x4, an entropy map, and reports what it perceived', { timeout: 300_000 }, async () => {
  const input = join(dir, 'cat.png');
  await sharp(photo('chelsea.png')).extract({ left: 100, top: 40, width: 96, height: 64 }).toFile(input);
  const phases = new Set<string>();
  const result = await restorer.restore(input, undefined, quick, { onProgress: (p) => p.phase && phases.add(p.phase) });
  assert.deepEqual(result.outputSize, { width: 384, height: 256 });
  assert.equal(result.engine, 'pure');
  assert.ok(result.pure);
  assert.equal(result.pure.testModel, true);
  assert.match(result.pure.model, /TEST MODEL/);
  assert.equal(result.pure.caption, 'A cat.');
  assert.deepEqual([result.perception?.noise, result.perception?.blur, result.perception?.source], ['large', 'small', 'model']);
  assert.ok(phases.has('restore'));
  const map = await sharp(result.pure.entropyMap).metadata();
  assert.deepEqual([map.width, map.height, map.channels], [512, 512, 1]);
  assert.equal((await sharp(result.output).metadata()).width, 384);
});

test('a missing PURE model says how to convert one', async () => {
  const input = join(dir, 'small.png');
  await sharp(photo('chelsea.png')).resize(32, 32).toFile(input);
  await assert.rejects(restorer.restore(input, undefined, { engine: 'pure', model: join(dir, 'nope') }), (e: { code: string; hint: string }) => e.code === 'MODEL_MISSING' && /npm run convert/.test(e.hint));
});

test('cancelling a PURE restoration leaves nothing behind', { timeout: 300_000 }, async () => {
  const work = join(dir, 'cancel');
  const input = join(dir, 'cancel-in.png');
  await sharp(photo('rocket.jpg')).resize(64, 48).toFile(input);
  const controller = new AbortController();
  const { mkdirSync } = await import('node:fs');
  mkdirSync(work);
  await assert.rejects(
    restorer.restore(input, join(work, 'out.png'), { ...quick, maxNewTokens: 4000 }, {
      signal: controller.signal,
      onProgress: (p) => {
        if ((p.rowsDone ?? 0) >= 1) controller.abort();
      },
    }),
    { code: 'CANCELLED' },
  );
  assert.deepEqual(readdirSync(work), []);
  assert.equal(existsSync(join(work, 'out.entropy.png')), false);
});
