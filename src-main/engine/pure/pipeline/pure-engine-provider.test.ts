// PURE's execution providers: the same explicit fallback chain as Real-ESRGAN (a listed provider
// that cannot load is skipped, and why is kept), on the TEST MODEL (random weights, converted by
// our converter; it restores nothing). CUDA's libraries are not installed on the project's
// machines, so onnxruntime refuses 'cuda' here, as it does on any machine without them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import sharp from 'sharp';
import { makeTinyPureCheckpoint } from '../fixtures/make-tiny-checkpoint';
import { convertPure } from '../package/convert-pure';
import { Restorer } from '../../restore/restore';
import { photo, tempDir } from '../../../testing/fixtures';
import { checkFallbackProvider } from '../preflight/provider-preflight';
import { PureEngine } from './pure-engine';
import { PurePipeline } from './pure-pipeline';

const dir = tempDir();
const model = join(dir, 'pure-tiny');

test.before(async () => {
  const made = await makeTinyPureCheckpoint(join(dir, 'checkpoint'), { seed: 11 });
  await convertPure({ checkpoint: join(dir, 'checkpoint'), vq: made.vqFile, out: model, dtype: 'fp32' });
});

test('a missing provider falls back to the next one and says why', { timeout: 120_000 }, async () => {
  const engine = await PureEngine.load(model, 1, ['cuda', 'cpu']);
  try {
    assert.equal(engine.provider, 'cpu');
    assert.equal(engine.kvCache, 'host-static', 'on the CPU the static graph, its cache in host buffers');
    assert.deepEqual(engine.providerAttempts.map((a) => a.provider), ['cuda', 'cpu']);
    assert.ok((engine.providerAttempts[0].error ?? '').length > 0, 'the refusal is explained');
    assert.equal(engine.providerAttempts[1].error, undefined);
  } finally {
    await engine.close();
  }
});

test('falling back to the CPU checks the RAM first: too little is INSUFFICIENT_MEMORY naming the refused provider', { timeout: 120_000 }, async () => {
  const tooLittle = { beforeProvider: (p: string, i: number, m: Parameters<typeof checkFallbackProvider>[2]) => checkFallbackProvider(p, i, m, () => 1e6) };
  await assert.rejects(PurePipeline.load(model, 1, ['cuda', 'cpu'], tooLittle), (e: { code: string; message: string }) => e.code === 'INSUFFICIENT_MEMORY' && /of memory is free/.test(e.message) && /cpu was tried because cuda: /.test(e.message));
  // the CPU first is the worker's own preflight's business, not the fallback check's
  const first = await PurePipeline.load(model, 1, ['cpu'], tooLittle);
  await first.close();
  const plenty = await PurePipeline.load(model, 1, ['cuda', 'cpu'], { beforeProvider: (p, i, m) => checkFallbackProvider(p, i, m, () => 64e9) });
  assert.equal(plenty.provider, 'cpu');
  await plenty.close();
});

test('no usable provider is PROVIDER_UNAVAILABLE naming each refusal', { timeout: 120_000 }, async () => {
  await assert.rejects(PureEngine.load(model, 1, ['cuda']), (e: { code: string; message: string }) => e.code === 'PROVIDER_UNAVAILABLE' && /cuda/.test(e.message));
});

test('restore --engine pure --provider cuda,cpu runs on cpu and reports it', { timeout: 300_000 }, async () => {
  const restorer = new Restorer(join(dir, 'home'));
  try {
    const input = join(dir, 'cat.png');
    await sharp(photo('chelsea.png')).extract({ left: 100, top: 40, width: 64, height: 64 }).toFile(input);
    const result = await restorer.restore(input, undefined, { engine: 'pure', model, threads: 1, providers: ['cuda', 'cpu'], caption: 'noise: small, blur: small. A cat.', maxNewTokens: 8 });
    assert.equal(result.provider, 'cpu');
    assert.match(result.pure?.model ?? '', /TEST MODEL/);
    assert.equal(result.pure?.kvCache, 'host-static', 'the static cache on the CPU, reported with the result');
  } finally {
    await restorer.close();
  }
});
