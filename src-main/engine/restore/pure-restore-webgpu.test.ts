// A whole PURE restoration on WebGPU through the app's one public API, on the TEST MODEL (random
// weights converted by our converter; it restores nothing): the photo is tiled, encoded, generated
// with the KV cache kept on the device, decoded and written, and the result says where it ran.
// Needs a WebGPU adapter (lavapipe on CI, see scripts/install-lavapipe.sh); skipped without one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import sharp from 'sharp';
import { makeTinyPureCheckpoint } from '../pure/fixtures/make-tiny-checkpoint';
import { convertPure } from '../pure/package/convert-pure';
import { kvCacheNote } from '../../protocol/kv-cache-note';
import { photo, tempDir } from '../../testing/fixtures';
import { webgpuUnavailable } from '../../testing/webgpu-adapter';
import { Restorer } from './restore';

const skip = await webgpuUnavailable();

test('restore --engine pure --provider gpu runs on webgpu with the cache on the device', { skip, timeout: 600_000 }, async () => {
  const dir = tempDir();
  const made = await makeTinyPureCheckpoint(join(dir, 'checkpoint'), { seed: 5 });
  const model = join(dir, 'pure-tiny');
  await convertPure({ checkpoint: join(dir, 'checkpoint'), vq: made.vqFile, out: model, dtype: 'fp32' });
  const input = join(dir, 'cat.png');
  await sharp(photo('chelsea.png')).extract({ left: 120, top: 30, width: 48, height: 40 }).toFile(input);
  const restorer = new Restorer(join(dir, 'home'));
  try {
    // 'gpu' expands to this machine's card providers: WebGPU first for PURE.
    const result = await restorer.restore(input, undefined, { engine: 'pure', model, providers: ['gpu'], threads: 1, seed: 3, caption: 'noise: small, blur: small. A cat.', maxNewTokens: 8 });
    assert.equal(result.provider, 'webgpu');
    assert.equal(result.pure?.kvCache, 'device');
    console.log(`webgpu restore timings (lavapipe is no measure of speed): ${JSON.stringify(result.timings)}`);
    assert.equal(kvCacheNote(result.provider, result.pure?.kvCache), undefined, 'no note: nothing crossed per token but ids and logits');
    const meta = await sharp(result.output).metadata();
    assert.deepEqual([meta.width, meta.height], [result.outputSize.width, result.outputSize.height]);
    assert.deepEqual([result.outputSize.width, result.outputSize.height], [48 * 4, 40 * 4]);
  } finally {
    await restorer.close();
  }
});
