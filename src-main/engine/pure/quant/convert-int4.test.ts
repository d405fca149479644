// `convert pure --dtype int4` on the TEST MODEL checkpoint (real formats, random weights): the
// package records how it was quantised, the pipeline loads it, and its decoder's logits stay
// near those of the fp32 package built from the same checkpoint.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { makeTinyPureCheckpoint } from '../fixtures/make-tiny-checkpoint';
import { convertPure } from '../package/convert-pure';
import { describePureModel, PURE_FILES, readPureManifest } from '../package/pure-manifest';
import { DecoderSession } from '../decoder/decoder-session';
import { PurePipeline } from '../pipeline/pure-pipeline';
import { tempDir } from '../../../testing/fixtures';
import { weightBytes } from '../preflight/memory-estimate';
import { compareLogits } from './logit-error';

const dir = tempDir();
const PROMPT = [0, 5, 100, 8197, 8820, 8820, 70000, 4, 9, 65536, 3, 8803];

async function decoderLogits(packageDir: string): Promise<Float32Array> {
  const manifest = await readPureManifest(packageDir);
  const s = await DecoderSession.create(join(packageDir, PURE_FILES.decoder), manifest.config.decoder, manifest.dtype);
  try {
    return (await s.run({ inputIds: [PROMPT], logitsPositions: [PROMPT.map((_, i) => i)] })).logits;
  } finally {
    await s.release();
  }
}

test('--dtype int4: a labelled package that loads, with logits near the fp32 package', { timeout: 300_000 }, async () => {
  const checkpoint = join(dir, 'checkpoint');
  const made = await makeTinyPureCheckpoint(checkpoint, { seed: 3 });
  const int4Dir = join(dir, 'pure-int4');
  const fp32Dir = join(dir, 'pure-fp32');
  const manifest = await convertPure({ checkpoint, vq: made.vqFile, out: int4Dir, dtype: 'int4', int4: { blockSize: 64 } });
  await convertPure({ checkpoint, vq: made.vqFile, out: fp32Dir, dtype: 'fp32' });
  assert.equal(manifest.dtype, 'int4');
  assert.deepEqual(manifest.int4, { blockSize: 64, scheme: 'asymmetric', lmHead: true, accuracyLevel: 4 });
  assert.deepEqual((await readPureManifest(int4Dir)).int4, manifest.int4, 'the manifest on disk keeps the int4 settings');
  assert.match(describePureModel(manifest), /TEST MODEL/);

  const size = (d: string) => statSync(join(d, PURE_FILES.decoderData)).size;
  // the tiny model is mostly its (73728, 64) embedding, fp16 in the int4 package: about half of fp32
  assert.ok(size(int4Dir) < 0.55 * size(fp32Dir), `int4 ${size(int4Dir)} B vs fp32 ${size(fp32Dir)} B`);
  // the memory preflight's weight formula matches what the converter wrote (small tensors stay
  // inline in decoder.onnx, large ones are 4 KiB aligned in the data file: within 2%)
  const estimated = weightBytes(manifest.config.decoder, 'int4', { blockSize: 64, asymmetric: true, lmHead: true });
  assert.ok(Math.abs(size(int4Dir) / estimated - 1) < 0.02, `data file ${size(int4Dir)} B vs estimate ${estimated} B`);

  const e = compareLogits(await decoderLogits(fp32Dir), await decoderLogits(int4Dir), manifest.config.decoder.vocabSize);
  assert.ok(e.maxAbs > 0 && e.meanAbs <= 0.03 * e.meanRange, `int4 package vs fp32 package: mean |d| ${e.meanAbs}, range ${e.meanRange}`);

  const pipeline = await PurePipeline.load(int4Dir, 1); // digests, three sessions, tokenizer
  await pipeline.close();

  await assert.rejects(convertPure({ checkpoint, vq: made.vqFile, out: join(dir, 'bad'), dtype: 'fp16', int4: { blockSize: 32 } }), { code: 'INVALID_OPTION' });
});
