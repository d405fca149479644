// The catalog: what is built in, what a hand-edited catalog may not do, and the override.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtInCatalog, builtInModels, catalogEntry, isDownloadEntry, loadCatalog, modelEntry, parseModels } from './catalog';
import { isAllowedUrl, isSafeRelativeName } from './url-policy';
import { onnxEntry } from './test-catalog';
import { tempDir } from '../../testing/fixtures';

test('built in: the two Real-ESRGAN engines for restore, and PURE-7B from Hugging Face for the manager', () => {
  assert.deepEqual(builtInCatalog.map((m) => m.id), ['realesrgan-x4plus', 'realesrgan-x4fast']);
  assert.deepEqual(builtInModels.map((m) => m.id), ['realesrgan-x4plus', 'realesrgan-x4fast', 'pure-7b']);
  const esrgan = catalogEntry('realesrgan-x4plus');
  assert.equal(esrgan.scale, 4);
  assert.equal(esrgan.tilePad, 40);
  assert.throws(() => catalogEntry('pure-7b'), { code: 'INVALID_OPTION' }); // not a restore engine (yet)

  const pure = modelEntry('pure-7b');
  assert.ok(isDownloadEntry(pure));
  assert.equal(pure.source.convert, 'pure');
  assert.equal(pure.source.huggingface?.repo, 'nonwhy/PURE');
  assert.deepEqual(pure.source.huggingface?.require, ['config.json', '*.safetensors']);
  const vq = pure.source.files.find((f) => f.name === 'tokenizer/vq_ds8_c2i.pt');
  assert.equal(vq?.url, 'https://huggingface.co/FoundationVision/LlamaGen/resolve/main/vq_ds8_c2i.pt');
  assert.equal(vq?.sha256, undefined); // not known: trusted on first use, shown as unverified
  for (const m of builtInModels) assert.ok(m.requirements.ramBytes > 0 && m.requirements.installedBytes > 0, m.id);
  assert.ok(pure.requirements.downloadBytes > 14e9);
});

test('URLs: https anywhere, http only to loopback, no credentials; names stay inside the folder', () => {
  assert.ok(isAllowedUrl('https://huggingface.co/x'));
  assert.ok(isAllowedUrl('http://127.0.0.1:8080/x'));
  assert.ok(isAllowedUrl('http://localhost/x'));
  assert.ok(isAllowedUrl('http://[::1]:1/x'));
  assert.ok(!isAllowedUrl('http://example.com/x'));
  assert.ok(!isAllowedUrl('ftp://example.com/x'));
  assert.ok(!isAllowedUrl('https://user:pw@example.com/x'));
  assert.ok(isSafeRelativeName('tokenizer/vq_ds8_c2i.pt'));
  for (const bad of ['../x', '/etc/passwd', 'a//b', '.hidden', 'a/../b', 'x.partial', 'x.partial.json', 'a\\b', 'sp ace']) assert.ok(!isSafeRelativeName(bad), bad);
});

test('a bad catalog is refused with the path of the problem', () => {
  const entry = (files: { name: string; url: string }[]) => ({ version: 1, models: [onnxEntry('t', files)] });
  assert.throws(() => parseModels(entry([{ name: 'm.onnx', url: 'http://example.com/m.onnx' }])), (e: { code: string; message: string }) => e.code === 'MODEL_FORMAT' && /models\.0\.source\.files\.0\.url: must be an https/.test(e.message));
  assert.throws(() => parseModels(entry([{ name: '../m.onnx', url: 'https://example.com/m' }])), /models\.0\.source\.files\.0\.name/);
  assert.throws(() => parseModels({ version: 1, models: [{ ...onnxEntry('t', []), source: { kind: 'torrent' } }] }), /source\.kind must be/);
  assert.throws(() => parseModels({ version: 1, models: [onnxEntry('t', []), onnxEntry('t', [])] }), /appears twice/);
  assert.throws(() => parseModels({ version: 2, models: [] }), /version/);
});

test('PURE_STUDIO_CATALOG replaces the built-in catalog; a broken one says which file', () => {
  const dir = tempDir();
  const path = join(dir, 'catalog.json');
  writeFileSync(path, JSON.stringify({ version: 1, models: [onnxEntry('mine', [{ name: 'm.onnx', url: 'https://example.com/m.onnx' }])] }));
  assert.deepEqual(loadCatalog({ PURE_STUDIO_CATALOG: path }).map((m) => m.id), ['mine']);
  assert.equal(loadCatalog({}), builtInModels);
  writeFileSync(path, '{ nope');
  assert.throws(() => loadCatalog({ PURE_STUDIO_CATALOG: path }), (e: { code: string; message: string }) => e.code === 'MODEL_FORMAT' && e.message.includes(path));
  assert.throws(() => loadCatalog({ PURE_STUDIO_CATALOG: join(dir, 'missing.json') }), { code: 'INVALID_OPTION' });
});
