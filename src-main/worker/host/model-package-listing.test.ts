// A converted PURE TEST MODEL package, as the app meets it: the folder picker, inside the
// package's folder, says it holds a PURE package (name, TEST MODEL, dtype, files and bytes)
// instead of "empty"; once imported under the catalog's PURE 7B, the Models page lists the
// package's real size on disk and the memory PURE's own preflight computes from its config and
// dtype, not the catalog's 14.5 GB and 32 GB, and labels it a TEST MODEL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadCatalog } from '../../engine/models/catalog';
import { ModelManager } from '../../engine/models/model-manager';
import { ModelService } from '../../engine/models/model-service';
import { modelDir } from '../../engine/models/model-store';
import { pureMemory } from '../../engine/models/pure-memory';
import { makeTinyPureCheckpoint } from '../../engine/pure/fixtures/make-tiny-checkpoint';
import { convertPure } from '../../engine/pure/package/convert-pure';
import { readPureManifest } from '../../engine/pure/package/pure-manifest';
import { tempDir } from '../../testing/fixtures';
import { listFolder } from './library';

const root = tempDir();
const pkg = join(root, 'pure-test-package');
const made = (async () => {
  const checkpoint = join(tempDir(), 'checkpoint');
  const tiny = await makeTinyPureCheckpoint(checkpoint, { seed: 4 });
  await convertPure({ checkpoint, vq: tiny.vqFile, out: pkg, dtype: 'fp32' });
})();

/** The visible files of a folder (the picker, like the store's listing, skips hidden ones). */
const filesOf = (dir: string, skip: string[] = []) =>
  readdirSync(dir)
    .filter((name) => !name.startsWith('.') && !skip.includes(name))
    .map((name) => statSync(join(dir, name)));

test('the folder picker inside a PURE package folder says what it holds', async () => {
  await made;
  const listing = await listFolder(pkg, root);
  assert.deepEqual(listing.entries, [], 'no sub-folders and no photos to list');
  const files = filesOf(pkg);
  assert.deepEqual(listing.otherFiles, { count: files.length, bytes: files.reduce((sum, f) => sum + f.size, 0) });
  const manifest = await readPureManifest(pkg);
  assert.deepEqual(listing.modelPackage, { kind: 'pure-package', name: manifest.name, testModel: true, dtype: 'fp32' });

  const above = await listFolder(root, root);
  assert.equal(above.modelPackage, undefined, 'the folder above holds no package itself');
});

test('an imported TEST MODEL package lists its own size and memory, not the catalog’s', async () => {
  await made;
  const home = tempDir();
  const catalog = loadCatalog({}); // the built-in catalog: PURE 7B at 14.5 GB and 32 GB of memory
  const entry = catalog.find((e) => e.id === 'pure-7b')!;
  const service = new ModelService({ manager: () => new ModelManager({ home, catalog }) });
  assert.equal(await service.import(pkg), 'pure-7b');
  const item = (await service.overview()).models.find((m) => m.id === 'pure-7b')!;
  assert.equal(item.status, 'unverified');
  assert.equal(item.testModel, true);

  const installed = filesOf(modelDir('pure-7b', home), ['manifest.json']).reduce((sum, f) => sum + f.size, 0);
  assert.equal(item.installedBytes, installed);
  assert.notEqual(item.installedBytes, entry.requirements.installedBytes);
  const expected = pureMemory(await readPureManifest(pkg));
  assert.deepEqual([item.requirementsFrom, item.ramBytes, item.vramBytes, item.dtype], ['package', expected.ramBytes, expected.vramBytes, 'fp32']);
  assert.ok(item.ramBytes < entry.requirements.ramBytes / 10, `${item.ramBytes} is the tiny package's, not the catalog's ${entry.requirements.ramBytes}`);
});
