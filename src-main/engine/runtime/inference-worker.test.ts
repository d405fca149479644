// The inference process: explicit provider fallback, real cancellation, crash reporting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { locateModel } from '../models/model-store';
import { InferenceWorker } from './inference-worker';

const fastModel = async (): Promise<string> => (await locateModel('realesrgan-x4fast')).onnxPath;

test('a provider that cannot load falls back to the next one, and says why', async () => {
  // CUDA's libraries are not installed on the project's machines, so onnxruntime refuses it.
  const { worker, model } = await InferenceWorker.start(await fastModel(), ['cuda', 'cpu'], 1);
  try {
    assert.equal(model.provider, 'cpu');
    assert.equal(model.attempts.length, 2);
    assert.equal(model.attempts[0].provider, 'cuda');
    assert.ok(model.attempts[0].error && model.attempts[0].error.length > 0);
    const out = await worker.run(new Float32Array(3 * 8 * 8).fill(0.5), [1, 3, 8, 8]);
    assert.deepEqual(out.dims, [1, 3, 32, 32]);
  } finally {
    await worker.close();
  }
});

test('no usable provider is PROVIDER_UNAVAILABLE naming each refusal', async () => {
  await assert.rejects(InferenceWorker.start(await fastModel(), ['cuda'], 1), (e: { code: string; message: string }) => e.code === 'PROVIDER_UNAVAILABLE' && /cuda/.test(e.message));
});

test('cancel kills a run in progress at once', async () => {
  const { worker } = await InferenceWorker.start(await fastModel(), ['cpu'], 1);
  const controller = new AbortController();
  const started = performance.now();
  const run = worker.run(new Float32Array(3 * 512 * 512).fill(0.5), [1, 3, 512, 512], controller.signal); // ~10 s of work
  setTimeout(() => controller.abort(), 300);
  await assert.rejects(run, { code: 'CANCELLED' });
  assert.ok(performance.now() - started < 3000, 'cancelled long before the run could finish');
  await assert.rejects(worker.run(new Float32Array(3 * 4 * 4), [1, 3, 4, 4]), { code: 'CANCELLED' });
  await worker.close();
});

test('a model file that is not ONNX is a clear load error', async () => {
  await assert.rejects(InferenceWorker.start(new URL(import.meta.url).pathname, ['cpu'], 1), (e: { code: string }) => e.code === 'PROVIDER_UNAVAILABLE' || e.code === 'MODEL_FORMAT');
});
