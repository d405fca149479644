import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeImage } from '../image/decode';
import { EngineError } from '../common/errors';
import { symmetricPinv } from './linalg';
import { DEFAULT_NIQE_PARAMS, loadNiqeModel, niqe } from './niqe';
import { photo } from '../../testing/fixtures';

const BABOON = DEFAULT_NIQE_PARAMS.replace('niqe_pris_params.npz', 'niqe_reference_baboon.png');

test('NIQE of the reference baboon is within 1% of the official 5.7296', async () => {
  const { rgb } = await decodeImage(BABOON, { maxPixels: 1e7 });
  const value = niqe(rgb, await loadNiqeModel());
  assert.ok(Math.abs(value - 5.7296) / 5.7296 < 0.01, `NIQE ${value}`);
  assert.ok(Math.abs(value - 5.7296) < 0.005, `NIQE ${value} (BasicSR and MATLAB agree to 4 digits)`);
});

test('NIQE rises when a photo is degraded (it measures unnaturalness)', async () => {
  const { rgb } = await decodeImage(photo('chelsea.png'), { maxPixels: 1e7 });
  const model = await loadNiqeModel();
  const clean = niqe(rgb, model);
  const noisy = { ...rgb, data: rgb.data.map((v, i) => Math.min(255, Math.max(0, v + (((i * 2654435761) >>> 0) % 61) - 30))) };
  assert.ok(niqe(noisy, model) > clean + 1, `${clean} -> ${niqe(noisy, model)}`);
});

test('NIQE refuses images smaller than one 96x96 block after the crop', async () => {
  const model = await loadNiqeModel();
  const small = { width: 100, height: 100, channels: 3 as const, bitDepth: 8 as const, data: new Uint8Array(30000).fill(100) };
  assert.throws(() => niqe(small, model, 4), (e: unknown) => e instanceof EngineError && e.code === 'IMAGE_TOO_SMALL');
  await assert.rejects(loadNiqeModel('/nonexistent/niqe.npz'), (e: unknown) => e instanceof EngineError && e.code === 'MODEL_MISSING');
});

test('pseudo-inverse of a symmetric matrix, singular included', () => {
  const a = Float64Array.from([4, 1, 1, 3]);
  const inv = symmetricPinv(a, 2);
  const expected = [3 / 11, -1 / 11, -1 / 11, 4 / 11];
  inv.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-12));
  // [[1, 1], [1, 1]] has pinv [[1/4, 1/4], [1/4, 1/4]].
  symmetricPinv(Float64Array.from([1, 1, 1, 1]), 2).forEach((v) => assert.ok(Math.abs(v - 0.25) < 1e-12));
});
