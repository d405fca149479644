// The provider words through the public restore API: 'auto' (the default) runs on this machine's
// providers and the result lists every provider tried, with why the ones before were refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import sharp from 'sharp';
import { makeTinyPureCheckpoint } from '../pure/fixtures/make-tiny-checkpoint';
import { convertPure } from '../pure/package/convert-pure';
import { probeGpus } from '../runtime/gpu-probe';
import { Restorer } from './restore';
import { photo, tempDir } from '../../testing/fixtures';

const dir = tempDir();
// The installed Real-ESRGAN models live in the default home; PURE's measured speed goes to a temp one.
const restorer = new Restorer();
const pureRestorer = new Restorer(join(dir, 'home'));
test.after(() => Promise.all([restorer.close(), pureRestorer.close()]));
const fast = { engine: 'realesrgan-x4fast' as const, threads: 2 };

// 'auto' means the CPU alone only where no graphics card is found (Windows always tries DirectML).
const cards = await probeGpus();
const noCard = cards.length === 0 && process.platform !== 'win32' ? false : `a graphics card is present here (${cards.map((c) => c.name).join(', ') || 'Windows'})`;

async function tinyInput(name: string): Promise<string> {
  const input = join(dir, name);
  await sharp(photo('chelsea.png')).extract({ left: 150, top: 60, width: 16, height: 16 }).toFile(input);
  return input;
}

test("'auto', given or by default, runs on the CPU of a machine without a graphics card", { skip: noCard }, async () => {
  const given = await restorer.restore(await tinyInput('a.png'), undefined, { ...fast, providers: ['auto'] });
  assert.equal(given.provider, 'cpu');
  assert.deepEqual(given.providerAttempts, [{ provider: 'cpu' }]);
  const byDefault = await restorer.restore(await tinyInput('b.png'), undefined, fast);
  assert.equal(byDefault.provider, 'cpu');
  assert.deepEqual(byDefault.providerAttempts, [{ provider: 'cpu' }]);
});

test('a refused provider is reported with why, before the one that ran', async () => {
  // CUDA's libraries are not installed on the project's machines, so onnxruntime refuses it.
  const result = await restorer.restore(await tinyInput('c.png'), undefined, { ...fast, providers: ['cuda', 'cpu'] });
  assert.equal(result.provider, 'cpu');
  assert.deepEqual(result.providerAttempts?.map((a) => a.provider), ['cuda', 'cpu']);
  assert.ok((result.providerAttempts?.[0].error ?? '').length > 0, 'cuda says why');
  assert.equal(result.providerAttempts?.[1].error, undefined);
});

test("PURE (TEST MODEL) with 'auto' reports its provider attempts too", { skip: noCard, timeout: 300_000 }, async () => {
  const model = join(dir, 'pure-tiny');
  const made = await makeTinyPureCheckpoint(join(dir, 'checkpoint'), { seed: 5 });
  await convertPure({ checkpoint: join(dir, 'checkpoint'), vq: made.vqFile, out: model, dtype: 'fp32' });
  const result = await pureRestorer.restore(await tinyInput('p.png'), undefined, { engine: 'pure', model, threads: 2, providers: ['auto'], caption: 'noise: small, blur: small. A cat.', maxNewTokens: 8 });
  assert.equal(result.provider, 'cpu');
  assert.deepEqual(result.providerAttempts, [{ provider: 'cpu' }]);
});
