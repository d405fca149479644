// A Hugging Face repo source against a loopback stand-in for the Hub's API: the listing picks
// the files, pins the commit, and supplies sizes and digests the download is checked against.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { sha256Bytes } from './digest';
import { DEFAULT_TRANSFER } from './download-file';
import { globToRegExp, listHuggingFace } from './hf-listing';
import { isVerified } from './manifest';
import { locateModel } from './model-store';
import { downloadDirFor, pullModel } from './pull';
import { assertNothingHalfMade, onnxEntry, tinyOnnx, writeCatalog } from './test-catalog';
import { FixtureServer } from './test-server';
import { tempDir } from '../../testing/fixtures';

const COMMIT = 'c0ffee'.padEnd(40, '0');
const onnx = tinyOnnx();
const config = '{"model_type": "tiny"}\n';
const gitSha1 = (text: string): string => createHash('sha1').update(`blob ${Buffer.byteLength(text)}\0${text}`).digest('hex');

function hub(server: FixtureServer, configBlob = gitSha1(config)): void {
  server.serveJson('/api/models/test/tiny/revision/main', {
    sha: COMMIT,
    siblings: [
      { rfilename: 'model.onnx', size: onnx.length, blobId: 'ab'.repeat(20), lfs: { sha256: sha256Bytes(onnx), size: onnx.length, pointerSize: 130 } },
      { rfilename: 'config.json', size: Buffer.byteLength(config), blobId: configBlob },
      { rfilename: 'README.md', size: 5, blobId: gitSha1('hello') },
      { rfilename: 'extra/notes.json', size: 2, blobId: gitSha1('{}') },
    ],
  });
  server.serve(`/test/tiny/resolve/${COMMIT}/model.onnx`, onnx);
  server.serve(`/test/tiny/resolve/${COMMIT}/config.json`, config);
}

const hfSource = (server: FixtureServer, require = ['config.json', '*.onnx']) => ({ endpoint: server.origin, repo: 'test/tiny', revision: 'main', include: ['*.onnx', '*.json'], require });

function hfEntry(server: FixtureServer, require?: string[]): Record<string, unknown> {
  const entry = onnxEntry('tiny-hf', []);
  return { ...entry, source: { kind: 'download', convert: 'onnx-verify', huggingface: hfSource(server, require) } };
}

test('globs: * stays within a folder, ** crosses folders', () => {
  assert.ok(globToRegExp('*.json').test('config.json'));
  assert.ok(!globToRegExp('*.json').test('extra/notes.json'));
  assert.ok(globToRegExp('**/*.json').test('extra/notes.json'));
  assert.ok(globToRegExp('model-?????-of-*.safetensors').test('model-00001-of-00003.safetensors'));
  assert.ok(!globToRegExp('a.b').test('axb'));
});

test('the listing chooses files by glob, pins the commit, and carries sizes and digests', async () => {
  const server = await FixtureServer.start();
  hub(server);
  const listing = await listHuggingFace(hfSource(server), { timeoutMs: 2000, proxy: null, env: { HF_TOKEN: 'hf_secret' } });
  assert.equal(listing.commit, COMMIT);
  assert.deepEqual(listing.files.map((f) => f.name), ['model.onnx', 'config.json']);
  assert.equal(listing.files[0].sha256, sha256Bytes(onnx));
  assert.equal(listing.files[0].gitSha1, undefined);
  assert.equal(listing.files[1].gitSha1, gitSha1(config));
  assert.equal(listing.files[0].url, server.url(`/test/tiny/resolve/${COMMIT}/model.onnx`));
  assert.equal(server.stats('/api/models/test/tiny/revision/main').headers[0].authorization, 'Bearer hf_secret');
});

test('a pull from a listed repo installs the model, marked as checked against the listing (unverified)', async () => {
  const server = await FixtureServer.start();
  hub(server);
  const home = tempDir();
  const { models } = writeCatalog(home, [hfEntry(server)]);
  assert.equal(await pullModel('tiny-hf', { home, catalog: models, proxy: null, transfer: { ...DEFAULT_TRANSFER, parts: 1 } }), 'installed');
  const model = await locateModel('tiny-hf', home);
  const source = model.manifest.source;
  assert.ok('kind' in source && source.kind === 'download');
  assert.equal(source.revision, COMMIT);
  assert.deepEqual(model.manifest.files.map((f) => f.name).sort(), ['config.json', 'model.onnx']);
  assert.equal(isVerified(model.manifest), false);
  assert.ok(!existsSync(join(downloadDirFor('tiny-hf', home))));
  await assertNothingHalfMade(home, 'tiny-hf');
});

test('a small file that does not match its listed git id is refused', async () => {
  const server = await FixtureServer.start();
  hub(server, gitSha1('something else'));
  const home = tempDir();
  const { models } = writeCatalog(home, [hfEntry(server)]);
  await assert.rejects(pullModel('tiny-hf', { home, catalog: models, proxy: null }), (e: { code: string; message: string }) => e.code === 'DIGEST_MISMATCH' && /config\.json/.test(e.message));
  await assertNothingHalfMade(home, 'tiny-hf');
});

test('a repo without the required files, or without the repo, says so clearly', async () => {
  const server = await FixtureServer.start();
  hub(server);
  const home = tempDir();
  const { models } = writeCatalog(home, [hfEntry(server, ['config.json', '*.safetensors'])]);
  await assert.rejects(pullModel('tiny-hf', { home, catalog: models, proxy: null }), (e: { code: string; message: string }) => e.code === 'MODEL_FORMAT' && /no file matching \*\.safetensors/.test(e.message));
  const missing = { ...hfSource(server), repo: 'test/none' };
  await assert.rejects(listHuggingFace(missing, { timeoutMs: 2000, proxy: null, env: {} }), (e: { code: string; message: string; hint: string }) => e.code === 'NETWORK' && /no repo test\/none/.test(e.message) && /HF_TOKEN/.test(e.hint));
  await assertNothingHalfMade(home, 'tiny-hf');
});
