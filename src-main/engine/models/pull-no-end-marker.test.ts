// The whole pull, for a file trusted on first use that a server sends without a length or an
// end marker and cuts short: it must not be installed, and its truncated digest must never be
// recorded as the trusted one (that would make the real file look tampered with later).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_TRANSFER } from './download-file';
import { installedState } from './model-store';
import { modelInfo } from './model-status';
import { pullModel } from './pull';
import { onnxEntry, tinyOnnx, writeCatalog } from './test-catalog';
import { FixtureServer } from './test-server';
import { trustedDigest } from './trust-store';
import { tempDir } from '../../testing/fixtures';

test('a first-use file cut short without an end marker is not installed, and nothing is trusted', async () => {
  const server = await FixtureServer.start();
  server.serve('/tiny.onnx', tinyOnnx(), { noEndMarker: true, dropAfter: 100_000 });
  const home = tempDir();
  const { models } = writeCatalog(home, [onnxEntry('tiny', [{ name: 'model.onnx', url: server.url('/tiny.onnx') }])]);
  const transfer = { ...DEFAULT_TRANSFER, retries: 2, backoffMs: 1, stallMs: 2000 };
  await assert.rejects(pullModel('tiny', { home, catalog: models, transfer, proxy: null }), (e: { code: string; message: string }) => e.code === 'NETWORK' && /end marker/.test(e.message));
  assert.equal((await installedState('tiny', home)).kind, 'missing');
  assert.equal(await trustedDigest(home, server.url('/tiny.onnx')), undefined);
  const info = await modelInfo(models[0], home);
  assert.equal(info.status, 'failed');
  assert.match(info.failure?.message ?? '', /end marker/);
});
