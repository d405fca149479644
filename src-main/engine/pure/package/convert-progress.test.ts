// Conversion progress counts bytes: the decoder stage the checkpoint bytes it reads (the last
// report is every decoder tensor's bytes), the hashing stage the package bytes it hashes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openCheckpoint } from '../../checkpoint/open-checkpoint';
import { makeTinyPureCheckpoint } from '../fixtures/make-tiny-checkpoint';
import { isIgnoredDecoderTensor } from '../tensor-names';
import { tempDir } from '../../../testing/fixtures';
import { convertPure, type ConvertBytes } from './convert-pure';
import { storedBytes } from './sync-weights';

test('the decoder and hashing stages report bytes done of the stage total, ending at the total', async () => {
  const dir = tempDir();
  const checkpoint = join(dir, 'checkpoint');
  const { vqFile } = await makeTinyPureCheckpoint(checkpoint, { seed: 4 });
  const reports: { stage: string; fraction: number; bytes?: ConvertBytes }[] = [];
  const manifest = await convertPure({ checkpoint, vq: vqFile, out: join(dir, 'pkg'), dtype: 'int4', onProgress: (stage, fraction, bytes) => reports.push({ stage, fraction, ...(bytes && { bytes }) }) });

  const reader = await openCheckpoint(checkpoint);
  const decoderBytes = storedBytes(reader, [...reader.tensors.keys()].filter((n) => !isIgnoredDecoderTensor(n)));
  await reader.close();
  const decoder = reports.filter((r) => r.stage === 'decoder');
  assert.ok(decoder.length > 10 && decoder.every((r) => r.bytes?.total === decoderBytes));
  assert.deepEqual(decoder.at(-1)!.bytes, { done: decoderBytes, total: decoderBytes });
  assert.equal(decoder.at(-1)!.fraction, 1);
  // Bytes, not tensors: the embedding (vocabulary x hidden) alone moves the fraction by far more
  // than one tensor's share.
  const jumps = decoder.slice(1).map((r, i) => r.fraction - decoder[i].fraction);
  assert.ok(Math.max(...jumps) > 2 / decoder.length, 'one large tensor is a large step');

  const hashing = reports.filter((r) => r.stage === 'hashing');
  const packageBytes = manifest.files.reduce((sum, f) => sum + f.size, 0);
  assert.deepEqual(hashing.at(-1)!.bytes, { done: packageBytes, total: packageBytes });
  for (let i = 1; i < hashing.length; i++) assert.ok(hashing[i].bytes!.done >= hashing[i - 1].bytes!.done, 'never backwards');
});
