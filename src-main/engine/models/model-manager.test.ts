// The manager's public API as the UI will use it: list with status, verify, remove, import,
// move the models folder, and a second pull joining the first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_TRANSFER } from './download-file';
import { acquireModelLock } from './model-lock';
import { ModelManager } from './model-manager';
import { locateModel, modelDir } from './model-store';
import { modelsDir } from './paths';
import { downloadFilesDir } from './pull';
import { assertNothingHalfMade, damagedOnnx, onnxEntry, tinyOnnx, writeCatalog } from './test-catalog';
import { FixtureServer } from './test-server';
import { tempDir } from '../../testing/fixtures';

const good = tinyOnnx();
const transfer = { ...DEFAULT_TRANSFER, retries: 1, backoffMs: 1, stallMs: 2000 };

async function manager(behaviour = {}) {
  const server = await FixtureServer.start();
  server.serve('/pinned.onnx', good, behaviour);
  server.serve('/tofu.onnx', good, behaviour);
  const home = tempDir();
  const { models } = writeCatalog(home, [
    onnxEntry('pinned', [{ name: 'model.onnx', url: server.url('/pinned.onnx'), pin: good }]),
    onnxEntry('tofu', [{ name: 'model.onnx', url: server.url('/tofu.onnx') }]),
  ]);
  return { server, home, m: new ModelManager({ home, catalog: models, pull: { transfer, proxy: null } }) };
}

const statusOf = async (m: ModelManager, id: string): Promise<string> => (await m.info(id)).status;

test('list: not installed, paused, downloaded, ready, unverified, damaged, and busy', async () => {
  const { home, m } = await manager({ chunkDelayMs: 20, chunkSize: 8 << 10 });
  assert.deepEqual((await m.list()).map((i) => [i.id, i.status, i.sizeOnDisk]), [['pinned', 'not-installed', 0], ['tofu', 'not-installed', 0]]);

  const controller = new AbortController();
  await assert.rejects(m.pull('pinned', { signal: controller.signal, onProgress: (p) => (p.bytesDone ?? 0) > 40_000 && controller.abort() }), { code: 'CANCELLED' });
  const paused = await m.info('pinned');
  assert.equal(paused.status, 'paused');
  assert.ok(paused.downloadedBytes >= 40_000 && paused.downloadedBytes < good.length);

  const lock = await acquireModelLock('pinned', { home, activity: 'downloading' });
  const busy = await m.info('pinned');
  assert.equal(busy.status, 'downloading');
  assert.equal(busy.busy?.pid, process.pid);
  await lock.release();

  await m.pull('pinned');
  const ready = await m.info('pinned');
  assert.equal(ready.status, 'ready');
  assert.equal(ready.dir, modelDir('pinned', home));
  assert.ok(ready.sizeOnDisk > good.length);

  await m.pull('tofu', { keepDownloads: true });
  assert.equal(await statusOf(m, 'tofu'), 'unverified');
  rmSync(modelDir('tofu', home), { recursive: true });
  assert.equal(await statusOf(m, 'tofu'), 'downloaded'); // files kept: a pull only converts

  writeFileSync(join(modelDir('pinned', home), 'model.onnx'), 'short');
  const damaged = await m.info('pinned');
  assert.equal(damaged.status, 'damaged');
  assert.match(damaged.problem ?? '', /model\.onnx has 5 bytes/);
  await assertNothingHalfMade(home, 'tofu');
});

test('verify re-hashes: a flipped byte of the same size is found', async () => {
  const { home, m } = await manager();
  await m.pull('pinned');
  assert.deepEqual(await m.verify('pinned'), { id: 'pinned', status: 'ready', problems: [], checkedBytes: good.length });
  const path = join(modelDir('pinned', home), 'model.onnx');
  const bytes = readFileSync(path);
  bytes[bytes.length - 10] ^= 0xff;
  writeFileSync(path, bytes);
  assert.equal(await statusOf(m, 'pinned'), 'ready'); // the cheap listing cannot see it...
  const report = await m.verify('pinned');
  assert.equal(report.status, 'damaged'); // ...verify does
  assert.match(report.problems[0], /model\.onnx does not match/);
  assert.equal((await m.verify('tofu')).status, 'not-installed');
});

test('remove deletes the model and its downloads, and says how much it freed', async () => {
  const { home, m } = await manager();
  await m.pull('pinned', { keepDownloads: true });
  const before = (await m.info('pinned')).sizeOnDisk;
  assert.equal(await m.remove('pinned'), before);
  assert.equal(await statusOf(m, 'pinned'), 'not-installed');
  assert.ok(!existsSync(modelDir('pinned', home)));
  assert.ok(!existsSync(downloadFilesDir('pinned', home)));
  assert.equal(await m.remove('pinned'), 0); // nothing left: not an error
  await assertNothingHalfMade(home, 'pinned');
});

test('a second pull from the same manager joins the first: one download, both see progress', async () => {
  const { server, m } = await manager({ chunkDelayMs: 2, chunkSize: 16 << 10 });
  const seen = [0, 0];
  const results = await Promise.all([m.pull('pinned', { onProgress: () => seen[0]++ }), m.pull('pinned', { onProgress: () => seen[1]++ })]);
  assert.deepEqual(results, ['installed', 'installed']);
  assert.ok(seen[0] > 0 && seen[1] > 0);
  assert.equal(server.stats('/pinned.onnx').requests, 1);
});

test('moving the models folder takes ready models and partial downloads along', async () => {
  const { home, m } = await manager({ chunkDelayMs: 20, chunkSize: 8 << 10 });
  await m.pull('pinned');
  const controller = new AbortController();
  await assert.rejects(m.pull('tofu', { signal: controller.signal, onProgress: (p) => (p.bytesDone ?? 0) > 20_000 && controller.abort() }), { code: 'CANCELLED' });
  const target = join(tempDir(), 'big-disk', 'models');
  assert.equal(await m.setModelsFolder(target), target);
  assert.equal(modelsDir(home), target);
  assert.equal((await locateModel('pinned', home)).dir, join(target, 'pinned'));
  assert.equal(await statusOf(m, 'tofu'), 'paused');
  assert.ok(!existsSync(join(home, 'models')));
  await m.pull('tofu');
  assert.equal(await statusOf(m, 'tofu'), 'unverified');
  await assert.rejects(m.setModelsFolder('relative/path'), { code: 'INVALID_OPTION' });
  await assertNothingHalfMade(home, 'tofu');
});

test('import: a converted package is checked and validated; a damaged one is refused', async () => {
  const { home, m } = await manager();
  await m.pull('pinned');
  const copy = join(tempDir(), 'pinned-package');
  cpSync(modelDir('pinned', home), copy, { recursive: true });

  const other = await manager();
  assert.deepEqual(await other.m.import(copy), { id: 'pinned', kind: 'package' });
  const imported = await other.m.info('pinned');
  assert.equal(imported.status, 'unverified'); // its origin is the user's word
  assert.equal(other.server.totalRequests(), 0);

  writeFileSync(join(copy, 'model.onnx'), damagedOnnx());
  const third = await manager();
  await assert.rejects(third.m.import(copy), { code: 'DIGEST_MISMATCH' });
  assert.equal(await statusOf(third.m, 'pinned'), 'not-installed');
  await assertNothingHalfMade(third.home, 'pinned');
});

test('import: original files are recognised, converted and validated; missing or wrong files are named', async () => {
  const { home, m } = await manager();
  const folder = tempDir();
  mkdirSync(join(folder, '.git'));
  writeFileSync(join(folder, '.git', 'model.onnx'), 'not this one');
  writeFileSync(join(folder, 'model.onnx'), good);
  // Both test entries need only model.onnx: ambiguous without --id.
  await assert.rejects(m.import(folder), { code: 'INVALID_OPTION' });
  assert.deepEqual(await m.import(folder, { id: 'pinned' }), { id: 'pinned', kind: 'original' });
  assert.equal(await statusOf(m, 'pinned'), 'ready'); // the catalog pins this file, and it matches
  assert.deepEqual(readdirSync(folder).sort(), ['.git', 'model.onnx']); // the user's folder is only read
  assert.equal(readdirSync(join(modelsDir(home), '.downloads')).length, 0); // no staging left

  writeFileSync(join(folder, 'model.onnx'), damagedOnnx());
  await assert.rejects(m.import(folder, { id: 'pinned' }), { code: 'DIGEST_MISMATCH' });
  await assert.rejects(m.import(folder, { id: 'tofu' }), (e: { code: string; message: string }) => e.code === 'MODEL_FORMAT' && /not a working ONNX/.test(e.message));
  rmSync(join(folder, 'model.onnx'));
  await assert.rejects(m.import(folder, { id: 'tofu' }), (e: { code: string; message: string; hint: string }) => e.code === 'MODEL_MISSING' && /lacks model\.onnx/.test(e.message) && /tofu\.onnx/.test(e.hint));
  await assertNothingHalfMade(home, 'tofu');
});
