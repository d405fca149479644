// A converted package holds both decoder graphs (static cache for the host, concat cache for the
// GPU runner) over ONE weights file, and the pipeline picks between them by provider. On the tiny
// TEST MODEL (random weights in PURE's real formats; it restores nothing).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTinyPureCheckpoint } from '../fixtures/make-tiny-checkpoint';
import { DecoderSession } from '../decoder/decoder-session';
import { decoderPlanFor } from '../pipeline/decoder-runner-choice';
import { OrtDecoderRunner } from '../pipeline/ort-decoder-runner';
import { OrtStaticCacheRunner } from '../pipeline/ort-static-cache-runner';
import { PurePipeline } from '../pipeline/pure-pipeline';
import type { DecoderRunner } from '../generation/runner';
import { tempDir } from '../../../testing/fixtures';
import { convertPure } from './convert-pure';
import { decoderGraphFiles, PURE_FILES, PURE_MANIFEST, pureManifestJson, readPureManifest } from './pure-manifest';

const dir = tempDir();
const both = join(dir, 'both');
const concatOnly = join(dir, 'concat-only');
let checkpoint: string;
let vq: string;

test.before(async () => {
  checkpoint = join(dir, 'checkpoint');
  vq = (await makeTinyPureCheckpoint(checkpoint, { seed: 5 })).vqFile;
  await convertPure({ checkpoint, vq, out: both, dtype: 'fp32' });
});

test('a converted package holds both decoder graphs and the weights once', async () => {
  const manifest = await readPureManifest(both);
  assert.deepEqual(decoderGraphFiles(manifest), { static: PURE_FILES.decoder, concat: PURE_FILES.decoderConcat });
  const roles = manifest.files.map((f) => f.role);
  assert.equal(roles.filter((r) => r === 'decoderData').length, 1, 'one weights file');
  const size = async (name: string) => (await stat(join(both, name))).size;
  const data = await size(PURE_FILES.decoderData);
  const graphs = (await size(PURE_FILES.decoder)) + (await size(PURE_FILES.decoderConcat));
  console.log(`tiny TEST MODEL package: weights ${data} B, both graphs ${graphs} B`);
  assert.ok(data > 100_000, 'the weights are external data');
  assert.ok(data + graphs < 1.5 * data, 'the package is not twice the weights');
  // Both graphs name the one data file; neither carries the weights inline.
  for (const name of [PURE_FILES.decoder, PURE_FILES.decoderConcat]) {
    assert.ok((await readFile(join(both, name))).includes(Buffer.from(PURE_FILES.decoderData)), `${name} references ${PURE_FILES.decoderData}`);
  }
});

/** Greedy prompt + decode steps; the logits of every call (one sequence). */
async function greedy(runner: DecoderRunner, prompt: number[], steps: number): Promise<Float32Array[]> {
  const seq = await runner.openSequence();
  const out: Float32Array[] = [];
  let [logits] = await runner.forward([{ sequence: seq, tokens: Int32Array.from(prompt), position: 0 }]);
  for (let s = 0; s < steps; s++) {
    out.push(Float32Array.from(logits));
    let token = 0;
    for (let v = 1; v < logits.length; v++) if (logits[v] > logits[token]) token = v;
    [logits] = await runner.forward([{ sequence: seq, tokens: Int32Array.of(token), position: prompt.length + s }]);
  }
  out.push(Float32Array.from(logits));
  await runner.closeSequence(seq);
  return out;
}

test('both graphs load from the shared weights and give the same logits on the CPU', { timeout: 120_000 }, async () => {
  const manifest = await readPureManifest(both);
  const open = (file: string) => DecoderSession.create(join(both, file), manifest.config.decoder, 'fp32', { intraOpNumThreads: 1 });
  const [fixed, concat] = [await open(PURE_FILES.decoder), await open(PURE_FILES.decoderConcat)];
  try {
    assert.equal(fixed.cacheKind, 'static');
    assert.equal(concat.cacheKind, 'concat');
    const prompt = [0, 5, 100, 8197, 8820, 70000, 4, 9];
    const a = await greedy(new OrtStaticCacheRunner(fixed, { maxBatch: 1 }), prompt, 6);
    const b = await greedy(new OrtDecoderRunner(concat), prompt, 6);
    let worst = 0;
    for (let s = 0; s < a.length; s++) for (let v = 0; v < a[s].length; v++) worst = Math.max(worst, Math.abs(a[s][v] - b[s][v]));
    console.log(`static vs concat graph, ${a.length} calls: max |logit difference| ${worst.toExponential(2)}`);
    assert.ok(worst < 1e-4, `within 1e-4 (got ${worst})`);
    assert.ok(a[0].some((x) => x !== 0), 'real logits, not zeros');
  } finally {
    await Promise.all([fixed.release(), concat.release()]);
  }
});

test('the provider picks the graph: webgpu the concat graph on the device, the CPU the static one', () => {
  const graphs = { static: PURE_FILES.decoder, concat: PURE_FILES.decoderConcat };
  assert.deepEqual(decoderPlanFor('webgpu', graphs), { file: PURE_FILES.decoderConcat, cache: 'concat', kvCache: 'device' });
  assert.deepEqual(decoderPlanFor('cpu', graphs), { file: PURE_FILES.decoder, cache: 'static', kvCache: 'host-static' });
  assert.deepEqual(decoderPlanFor('cuda', graphs), { file: PURE_FILES.decoder, cache: 'static', kvCache: 'host-static' });
  // Older packages: a static graph alone stays on the host; a concat one goes to the device on webgpu.
  assert.equal(decoderPlanFor('webgpu', { static: PURE_FILES.decoder }).kvCache, 'host-static');
  assert.equal(decoderPlanFor('webgpu', { concat: PURE_FILES.decoder }).kvCache, 'device');
  assert.equal(decoderPlanFor('cpu', { concat: PURE_FILES.decoder }).kvCache, 'host-concat');
});

test('the pipeline on the CPU uses the static graph and says so', { timeout: 120_000 }, async () => {
  const pipeline = await PurePipeline.load(both, 1, ['cpu']);
  try {
    assert.equal(pipeline.kvCache, 'host-static');
    assert.equal((await pipeline.selfTest()).logitsWidth, pipeline.manifest.config.decoder.vocabSize);
  } finally {
    await pipeline.close();
  }
});

test('older packages keep loading: a concat-only package and a static one without the twin', { timeout: 300_000 }, async () => {
  await convertPure({ checkpoint, vq, out: concatOnly, dtype: 'fp32', cache: 'concat' });
  const manifest = await readPureManifest(concatOnly);
  assert.deepEqual(decoderGraphFiles(manifest), { concat: PURE_FILES.decoder });
  assert.equal(manifest.files.some((f) => f.role === 'decoderConcat'), false);
  const old = await PurePipeline.load(concatOnly, 1, ['cpu']);
  assert.equal(old.kvCache, 'host-concat');
  await old.close();

  // A static package from before the twin: its manifest lists no decoderConcat.
  const twinless = await readPureManifest(both);
  twinless.files = twinless.files.filter((f) => f.role !== 'decoderConcat');
  await rm(join(both, PURE_FILES.decoderConcat));
  await writeFile(join(both, PURE_MANIFEST), pureManifestJson(twinless));
  const pipeline = await PurePipeline.load(both, 1, ['cpu']);
  assert.equal(pipeline.kvCache, 'host-static');
  await pipeline.close();
});
