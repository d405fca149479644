// PURE end to end on the TEST MODEL (random weights in PURE's real formats): fixture checkpoint ->
// our converter -> package -> pipeline on a real photo. Proves the plumbing, not the quality:
// a random model restores nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { makeTinyPureCheckpoint } from '../fixtures/make-tiny-checkpoint';
import { convertPure } from '../package/convert-pure';
import { describePureModel, PURE_FILES } from '../package/pure-manifest';
import { PurePipeline } from './pure-pipeline';
import { photo, tempDir } from '../../../testing/fixtures';
import type { RasterImage } from '../../image/types';

const dir = tempDir();
const packageDir = join(dir, 'pure-tiny');
let pipeline: PurePipeline;

async function lqPhoto(): Promise<RasterImage> {
  const { data, info } = await sharp(photo('chelsea.png')).extract({ left: 120, top: 40, width: 128, height: 128 }).raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: 3, bitDepth: 8, data: new Uint8Array(data) };
}

test('the converter turns a checkpoint in the real formats into a labelled package', { timeout: 300_000 }, async () => {
  const checkpoint = join(dir, 'checkpoint');
  const made = await makeTinyPureCheckpoint(checkpoint, { seed: 3 });
  const stages = new Set<string>();
  const manifest = await convertPure({ checkpoint, vq: made.vqFile, out: packageDir, dtype: 'fp32', onProgress: (s) => stages.add(s) });
  assert.equal(manifest.testModel, true);
  assert.match(describePureModel(manifest), /TEST MODEL/);
  assert.deepEqual([...stages], ['decoder', 'vq', 'hashing', 'done']);
  for (const name of [PURE_FILES.decoder, PURE_FILES.vqEncoder, PURE_FILES.vqDecoder, PURE_FILES.tokenizer, 'manifest.json']) {
    assert.ok(existsSync(join(packageDir, name)), name);
  }
  assert.deepEqual(readdirSync(dir).filter((n) => n.includes('staging')), [], 'no staging folder left');
  await assert.rejects(convertPure({ checkpoint, vq: made.vqFile, out: packageDir, dtype: 'fp32' }), { code: 'OUTPUT_EXISTS' });
  pipeline = await PurePipeline.load(packageDir, 2);
});

test('the self-test runs one generation step: finite scores over the whole vocabulary, the same token twice', async () => {
  const first = await pipeline.selfTest();
  assert.equal(first.logitsWidth, pipeline.manifest.config.decoder.vocabSize);
  assert.ok(first.token >= 0 && first.token < first.logitsWidth);
  assert.deepEqual(await pipeline.selfTest(), first, 'greedy and seedless: the same token every time');
});

// A user-supplied text skips the text phase (a random model would babble up to the guard).
const text = 'noise: small, blur: medium. A cat.';

test('restores a real photo to 512x512 with an entropy map and previews', { timeout: 600_000 }, async () => {
  const image = await lqPhoto();
  const previews: number[] = [];
  let lastPhase = '';
  const out = await pipeline.restore(image, { seed: 7, previewEveryRows: 32, text }, {
    onPreview: (rgb, size, rows) => {
      assert.equal(rgb.length, size * size * 3);
      previews.push(rows);
    },
    onProgress: (p) => (lastPhase = p.phase),
  });
  assert.equal(out.size, 512);
  assert.equal(out.rgb.length, 512 * 512 * 3);
  assert.equal(out.generation.codes.length, 64 * 64);
  assert.equal(lastPhase, 'restore');
  const measured = Array.from(out.generation.entropy).filter((h) => Number.isFinite(h));
  assert.equal(measured.length, 64 * 64, 'an entropy for every generated code');
  assert.ok(measured.every((h) => h >= 0 && h <= 10));
  assert.equal(out.generation.imageComplete, true);
  assert.equal(out.generation.textForced, true);
  assert.equal(out.generation.perception.noise, 'small');
  assert.equal(out.generation.perception.blur, 'medium');
  await new Promise((r) => setTimeout(r, 3000)); // previews decode in the background
  assert.ok(previews.length >= 1, 'at least one preview');
});

test('the same seed gives the same image tokens, another seed others', { timeout: 300_000 }, async () => {
  const image = await lqPhoto();
  const run = (seed: number) => pipeline.restore(image, { seed, previewEveryRows: 0, text, maxNewTokens: 160 });
  const [a, b, c] = [await run(7), await run(7), await run(8)];
  assert.deepEqual(a.generation.tokens, b.generation.tokens);
  assert.notDeepEqual(a.generation.tokens, c.generation.tokens);
  assert.equal(a.generation.imageComplete, false);
});

test('cancel stops generation with CANCELLED', { timeout: 300_000 }, async () => {
  const controller = new AbortController();
  await assert.rejects(
    pipeline.restore(await lqPhoto(), { seed: 1, previewEveryRows: 0, text }, {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.rowsDone >= 2) controller.abort();
      },
    }),
    { code: 'CANCELLED' },
  );
  await pipeline.close();
});
