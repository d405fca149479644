// The store manifest every install path writes (buildManifest): the catalog's facts copied the
// same way for the npm engines and for downloads, and the TEST MODEL mark from either the catalog
// or the converter, so a test package can never list as a real model.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { catalogEntry } from './catalog';
import { buildManifest, manifestJson, readManifest, type ManifestParts } from './manifest';
import { tempDir } from '../../testing/fixtures';

const parts: ManifestParts = {
  source: { kind: 'download', files: [{ name: 'a.bin', size: 3, sha256: 'a'.repeat(64), trust: 'pinned' }] },
  converter: { name: 'pure-studio copy', version: 1 },
  files: [{ name: 'a.bin', role: 'data', size: 3, sha256: 'a'.repeat(64) }],
};

test('the catalog entry fills the same fields whatever the install path', () => {
  const entry = catalogEntry('realesrgan-x4fast');
  const manifest = buildManifest(entry, parts);
  assert.deepEqual(
    [manifest.id, manifest.name, manifest.engine, manifest.scale, manifest.licence, manifest.authors],
    [entry.id, entry.name, entry.engine, entry.scale, entry.licence, entry.authors],
  );
  assert.deepEqual([manifest.source, manifest.converter, manifest.files], [parts.source, parts.converter, parts.files]);
  assert.ok(!Number.isNaN(Date.parse(manifest.createdAt)));
  assert.equal('testModel' in manifest, false, 'a real model carries no mark');
  manifestJson(manifest); // valid against the store's schema
});

test('a TEST MODEL mark from the catalog or from the converter is kept, and read back', async () => {
  const entry = { ...catalogEntry('realesrgan-x4fast'), testModel: undefined };
  assert.equal(buildManifest({ ...entry, testModel: true }, parts).testModel, true);
  const fromConverter = buildManifest(entry, { ...parts, testModel: true });
  assert.equal(fromConverter.testModel, true);
  const dir = tempDir();
  writeFileSync(join(dir, 'manifest.json'), manifestJson(fromConverter));
  assert.equal((await readManifest(dir))?.testModel, true);
});
