// Repair of a damaged model, as the Models page drives it (one message, one action): a model a
// Verify found changed in place (same size, other bytes) is downloaded again by its Repair, not
// left as it was because its sizes still match; a model imported from a folder is repaired from
// that folder while it exists, by a download once it is gone, and a TEST MODEL imported from a
// folder that is gone offers no Repair at all (a download would bring the catalog's real model).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_TRANSFER } from './download-file';
import { ModelManager } from './model-manager';
import { ModelService } from './model-service';
import { modelDir } from './model-store';
import { onnxEntry, tinyOnnx, writeCatalog } from './test-catalog';
import { FixtureServer } from './test-server';
import { tempDir } from '../../testing/fixtures';

const good = tinyOnnx();
const transfer = { ...DEFAULT_TRANSFER, retries: 1, backoffMs: 1, stallMs: 2000, parts: 1 };

async function setUp(testModel = false) {
  const server = await FixtureServer.start();
  server.serve('/pinned.onnx', good);
  const home = tempDir();
  const { models } = writeCatalog(home, [onnxEntry('pinned', [{ name: 'model.onnx', url: server.url('/pinned.onnx'), pin: good }], testModel ? { testModel: true } : {})]);
  const service = new ModelService({ manager: () => new ModelManager({ home, catalog: models, pull: { transfer, proxy: null } }) });
  const item = async () => (await service.overview()).models.find((m) => m.id === 'pinned')!;
  return { home, service, item };
}

test('Repair of a model a Verify found changed in place downloads it again', async () => {
  const { home, service, item } = await setUp();
  await service.pull('pinned');
  const file = join(modelDir('pinned', home), 'model.onnx');
  const altered = Uint8Array.from(good);
  altered[10] ^= 0xff;
  writeFileSync(file, altered);
  await service.verify('pinned');
  const damaged = await item();
  assert.equal(damaged.status, 'damaged');
  assert.equal(damaged.repair, 'download', 'one action: download it again');

  await service.pull('pinned'); // the page's Repair
  assert.equal((await item()).status, 'ready');
  assert.ok(readFileSync(file).equals(good), 'the damaged bytes were replaced, not kept because their size matched');
});

/** A truncated copy in place of the installed file (a new file: an import may share the user's bytes by a hard link). */
function damage(home: string): void {
  const file = join(modelDir('pinned', home), 'model.onnx');
  rmSync(file);
  writeFileSync(file, good.subarray(0, 100));
}

test('an imported model is repaired from its folder while it exists, else by a download', async () => {
  const { home, service, item } = await setUp();
  const folder = join(tempDir(), 'mine');
  mkdirSync(folder);
  writeFileSync(join(folder, 'model.onnx'), good);
  assert.equal(await service.import(folder), 'pinned');
  damage(home); // truncated: a listing sees it
  const damaged = await item();
  assert.equal(damaged.status, 'damaged');
  assert.deepEqual([damaged.repair, damaged.importedFrom], ['import', folder]);

  assert.equal(await service.import(damaged.importedFrom!), 'pinned'); // the page's Repair
  assert.equal((await item()).status, 'ready');

  damage(home);
  rmSync(folder, { recursive: true });
  const gone = await item();
  assert.deepEqual([gone.status, gone.repair, gone.importedFrom], ['damaged', 'download', undefined]);
});

test('a damaged TEST MODEL imported from a folder that is gone offers Remove only', async () => {
  const { home, service, item } = await setUp();
  const folder = join(tempDir(), 'mine');
  mkdirSync(folder);
  writeFileSync(join(folder, 'model.onnx'), good);
  await service.import(folder);
  // As an imported PURE TEST MODEL's manifest says of itself, under a real model's catalog entry.
  const manifestPath = join(modelDir('pinned', home), 'manifest.json');
  writeFileSync(manifestPath, JSON.stringify({ ...JSON.parse(readFileSync(manifestPath, 'utf8')), testModel: true }));
  rmSync(join(modelDir('pinned', home), 'model.onnx'));
  rmSync(folder, { recursive: true });
  const damaged = await item();
  assert.equal(damaged.status, 'damaged');
  assert.equal(damaged.repair, undefined);
});
