// A PURE load proves the package without reading every byte again: the converter's (and
// `models verify`'s) full sha256 proof is recorded, and a load re-hashes only files whose size or
// mtime changed since. Damage that keeps both is still caught by `models verify`, which then
// drops the record so that the next load hashes and refuses. On the tiny TEST MODEL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openSync, closeSync, readSync, writeSync, statSync, utimesSync, truncateSync } from 'node:fs';
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { loadCatalog } from '../../models/catalog';
import { importModel } from '../../models/import-model';
import { verifyModel } from '../../models/model-status';
import { modelDir } from '../../models/model-store';
import { makeTinyPureCheckpoint } from '../fixtures/make-tiny-checkpoint';
import { PurePipeline } from '../pipeline/pure-pipeline';
import { tempDir } from '../../../testing/fixtures';
import { convertPure } from './convert-pure';
import { PURE_FILES } from './pure-manifest';

const work = tempDir();
const made = (async () => {
  const checkpoint = join(work, 'checkpoint');
  const tiny = await makeTinyPureCheckpoint(checkpoint, { seed: 2 });
  const out = join(work, 'converted');
  await convertPure({ checkpoint, vq: tiny.vqFile, out, dtype: 'fp32' });
  return out;
})();

/** A copy (new mtimes: its first load hashes). */
async function copyOf(name: string): Promise<string> {
  const dir = join(work, name);
  await cp(await made, dir, { recursive: true });
  return dir;
}

/** Flips one byte in the middle of a file, then puts its mtime back: damage a stat cannot see. */
function flipByteKeepingMtime(path: string): void {
  const { size, atime, mtime } = statSync(path);
  const fd = openSync(path, 'r+');
  const byte = Buffer.alloc(1);
  readSync(fd, byte, 0, 1, Math.floor(size / 2));
  byte[0] ^= 0xff;
  writeSync(fd, byte, 0, 1, Math.floor(size / 2));
  closeSync(fd);
  utimesSync(path, atime, mtime);
}

async function load(dir: string): Promise<PurePipeline['fileCheck']> {
  const pipeline = await PurePipeline.load(dir, 1);
  await pipeline.close();
  return pipeline.fileCheck;
}

test('a load after conversion hashes nothing: sizes and the recorded proof suffice', async () => {
  assert.deepEqual(await load(await made), { how: 'recorded', hashedBytes: 0 });
});

test('a file written since the proof (new mtime) is hashed at load and refused; a short one at once', async () => {
  const dir = await copyOf('changed');
  const data = join(dir, PURE_FILES.decoderData);
  flipByteKeepingMtime(data);
  utimesSync(data, new Date(), new Date()); // an ordinary write moves the mtime
  await assert.rejects(load(dir), { code: 'DIGEST_MISMATCH' });
  const short = await copyOf('short');
  truncateSync(join(short, PURE_FILES.decoderData), statSync(join(short, PURE_FILES.decoderData)).size - 1);
  await assert.rejects(load(short), (e: Error & { code: string }) => e.code === 'DIGEST_MISMATCH' && e.message.includes(PURE_FILES.decoderData));
  // An unchanged copy (new mtimes) is proven again at its first load, and that proof recorded.
  const copied = await copyOf('copied');
  const first = await load(copied);
  assert.equal(first.how, 'hashed');
  assert.ok(first.hashedBytes > statSync(join(copied, PURE_FILES.decoderData)).size);
  assert.deepEqual(await load(copied), { how: 'recorded', hashedBytes: 0 });
});

test('damage that keeps size and mtime: `models verify` finds it, and the next load then refuses', { timeout: 300_000 }, async () => {
  const home = tempDir();
  // (the store hard-links the files: this test damages `made` too, so it runs last)
  await importModel(await made, { home, catalog: loadCatalog({}) });
  const dir = modelDir('pure-7b', home);
  assert.equal((await verifyModel('pure-7b', { home, catalog: loadCatalog({}) })).status !== 'damaged', true);
  assert.equal((await load(dir)).how, 'recorded', 'verify recorded its proof');

  flipByteKeepingMtime(join(dir, PURE_FILES.decoderData));
  const report = await verifyModel('pure-7b', { home, catalog: loadCatalog({}) });
  assert.equal(report.status, 'damaged');
  assert.match(report.problems.join('\n'), /decoder\.onnx\.data/);
  await assert.rejects(load(dir), { code: 'DIGEST_MISMATCH' });
});
