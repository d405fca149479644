// Pulling a model end to end against the loopback server: download, verify, convert (load and
// run the ONNX graph), publish. Each test ends by checking nothing half-made is left in place.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { converters } from './converters';
import { sha256Bytes } from './digest';
import { DEFAULT_TRANSFER } from './download-file';
import { isVerified } from './manifest';
import { installedState, locateModel, locatePackage } from './model-store';
import { downloadDirFor, downloadFilesDir, pullModel, type PullOptions } from './pull';
import { assertNothingHalfMade, damagedOnnx, onnxEntry, tinyOnnx, writeCatalog } from './test-catalog';
import { FixtureServer } from './test-server';
import { tempDir } from '../../testing/fixtures';
import { PURE_TINY_TEST } from '../pure/config';
import { readPureManifest } from '../pure/package/pure-manifest';

const good = tinyOnnx();
const transfer = { ...DEFAULT_TRANSFER, retries: 2, backoffMs: 1, stallMs: 2000 };

/** A server with the tiny model, and a catalog entry for it (pinned to `pin`; null: trust on first use). */
async function setup(pin: Uint8Array | null = good, behaviour = {}) {
  const server = await FixtureServer.start();
  server.serve('/tiny.onnx', good, behaviour);
  const home = tempDir();
  const { models } = writeCatalog(home, [onnxEntry('tiny', [{ name: 'model.onnx', url: server.url('/tiny.onnx'), pin: pin ?? undefined }])]);
  const options: PullOptions = { home, catalog: models, transfer, proxy: null };
  return { server, home, models, options };
}

test('a pull downloads, checks, converts and installs; a second pull finds it present', async () => {
  const { server, home, options } = await setup();
  const phases = new Set<string>();
  assert.equal(await pullModel('tiny', { ...options, onProgress: (p) => phases.add(p.phase) }), 'installed');
  assert.deepEqual([...phases], ['resolving', 'downloading', 'verifying', 'converting', 'validating', 'installing', 'done']);
  const model = await locateModel('tiny', home);
  assert.ok(isVerified(model.manifest));
  const session = await ort.InferenceSession.create(model.onnxPath);
  const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from([1, 2]), [1, 2]) });
  assert.deepEqual(Array.from(out.y.data as Float32Array), [3, 5]);
  await session.release();
  assert.ok(!existsSync(downloadDirFor('tiny', home)), 'downloads are dropped once the model is ready');

  assert.equal(await pullModel('tiny', options), 'present');
  assert.equal(server.stats('/tiny.onnx').requests, 1);
  await assertNothingHalfMade(home, 'tiny');
});

test('a wrong hash: file deleted, DIGEST_MISMATCH, nothing marked ready', async () => {
  const { server, home, options } = await setup(new Uint8Array(good.length)); // pinned to other bytes of the same size
  await assert.rejects(pullModel('tiny', options), { code: 'DIGEST_MISMATCH' });
  assert.equal(server.stats('/tiny.onnx').requests, 1);
  assert.equal((await installedState('tiny', home)).kind, 'missing');
  assert.deepEqual(readdirSync(downloadFilesDir('tiny', home)), []);
  await assertNothingHalfMade(home, 'tiny');
});

test('too little disk space is refused before any byte is fetched', async () => {
  const { server, home, options } = await setup();
  await assert.rejects(pullModel('tiny', { ...options, freeSpace: async () => 100_000 }), (e: { code: string; message: string }) => e.code === 'INSUFFICIENT_DISK' && e.message.includes(`needs ${((good.length + 300_000) / 1e3).toFixed(1)} kB`) && /only 100\.0 kB/.test(e.message));
  assert.equal(server.totalRequests(), 0);
  await assertNothingHalfMade(home, 'tiny');
});

test('two concurrent pulls of one model: the second is refused, or waits; the file is fetched once', async () => {
  const { server, home, options } = await setup(good, { chunkDelayMs: 2, chunkSize: 8 << 10 });
  const results = await Promise.allSettled([pullModel('tiny', options), pullModel('tiny', options)]);
  assert.deepEqual(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as { code: string }).code)).sort(), ['MODEL_LOCKED', 'installed']);
  assert.equal(server.stats('/tiny.onnx').requests, 1);

  const other = await setup(good, { chunkDelayMs: 2, chunkSize: 8 << 10 });
  // The waiter starts only once the first pull reports progress, i.e. holds the lock: started
  // together, either could win the lock, and the one without `wait` would then be refused.
  const waits: string[] = [];
  let holding!: () => void;
  const lockHeld = new Promise<void>((resolve) => (holding = resolve));
  const first = pullModel('tiny', { ...other.options, onProgress: () => holding() });
  await lockHeld;
  const second = pullModel('tiny', { ...other.options, wait: true, onProgress: (p) => waits.push(p.phase) });
  assert.deepEqual(await Promise.all([first, second]), ['installed', 'present']);
  assert.ok(waits.includes('waiting'));
  assert.equal(other.server.stats('/tiny.onnx').requests, 1);
  await assertNothingHalfMade(home, 'tiny');
  await assertNothingHalfMade(other.home, 'tiny');
});

test('a conversion failure keeps the download; the retry converts without fetching again', async () => {
  const { server, home, options } = await setup();
  let failOnce = true;
  const flaky = {
    ...converters,
    'onnx-verify': {
      ...converters['onnx-verify'],
      async convert(input: string, out: string, ctx: object) {
        if (failOnce) throw new Error('converter crashed');
        return converters['onnx-verify'].convert(input, out, ctx);
      },
    },
  };
  await assert.rejects(pullModel('tiny', { ...options, converters: flaky }), (e: { code: string; message: string; hint: string }) => e.code === 'MODEL_FORMAT' && /converter crashed/.test(e.message) && /pull tiny/.test(e.hint));
  assert.ok(existsSync(join(downloadFilesDir('tiny', home), 'model.onnx')));
  assert.equal((await installedState('tiny', home)).kind, 'missing');
  await assertNothingHalfMade(home, 'tiny');

  failOnce = false;
  assert.equal(await pullModel('tiny', { ...options, converters: flaky }), 'installed');
  assert.equal(server.stats('/tiny.onnx').requests, 1);
  await assertNothingHalfMade(home, 'tiny');
});

test('a damaged ONNX fails validation and stays downloaded; once the catalog pins the fixed file, the retry succeeds', async () => {
  const server = await FixtureServer.start();
  const home = tempDir();
  const url = server.url('/tiny.onnx');
  server.serve('/tiny.onnx', damagedOnnx());
  const tofu = writeCatalog(home, [onnxEntry('tiny', [{ name: 'model.onnx', url }])]).models;
  await assert.rejects(pullModel('tiny', { home, catalog: tofu, transfer, proxy: null }), (e: { code: string; message: string }) => e.code === 'MODEL_FORMAT' && /not a working ONNX model/.test(e.message));
  assert.ok(existsSync(join(downloadFilesDir('tiny', home), 'model.onnx')), 'the downloaded file is kept');
  assert.equal((await installedState('tiny', home)).kind, 'missing');
  await assertNothingHalfMade(home, 'tiny');

  server.serve('/tiny.onnx', good);
  const fixed = writeCatalog(home, [onnxEntry('tiny', [{ name: 'model.onnx', url, pin: good }])]).models;
  assert.equal(await pullModel('tiny', { home, catalog: fixed, transfer, proxy: null }), 'installed');
  assert.equal(server.stats('/tiny.onnx').requests, 2); // the kept copy no longer matched: fetched again
  await locateModel('tiny', home);
  await assertNothingHalfMade(home, 'tiny');
});

test('trust on first use: recorded, marked unverified, and a later different file is refused until --retrust', async () => {
  const { server, home, options } = await setup(null);
  await pullModel('tiny', options);
  assert.equal(isVerified((await locateModel('tiny', home)).manifest), false);
  const { rmSync } = await import('node:fs');
  rmSync(join(home, 'models', 'tiny'), { recursive: true });

  server.serve('/tiny.onnx', tinyOnnx('changed'));
  await assert.rejects(pullModel('tiny', options), (e: { code: string; hint: string }) => e.code === 'DIGEST_MISMATCH' && /--retrust/.test(e.hint));
  await assertNothingHalfMade(home, 'tiny');
  assert.equal(await pullModel('tiny', { ...options, retrust: true }), 'installed');
  await assertNothingHalfMade(home, 'tiny');
});

test('a cancelled pull leaves the partial file for the next one, which resumes it', async () => {
  const { server, home, options } = await setup(good, { chunkDelayMs: 20, chunkSize: 8 << 10 });
  const controller = new AbortController();
  await assert.rejects(
    pullModel('tiny', { ...options, signal: controller.signal, onProgress: (p) => (p.bytesDone ?? 0) > 50_000 && controller.abort() }),
    { code: 'CANCELLED' },
  );
  assert.ok(existsSync(join(downloadFilesDir('tiny', home), 'model.onnx.partial')));
  await assertNothingHalfMade(home, 'tiny');
  let resumedAt = -1;
  await pullModel('tiny', { ...options, onProgress: (p) => p.phase === 'downloading' && resumedAt < 0 && (resumedAt = p.bytesDone ?? 0) });
  assert.ok(resumedAt >= 50_000, `resumed at ${resumedAt}`);
  assert.match(server.stats('/tiny.onnx').ranges[1] ?? '', /^bytes=\d+-/);
  await assertNothingHalfMade(home, 'tiny');
});

test('a stalled server ends the pull with DOWNLOAD_STALLED and nothing installed', async () => {
  const { home, options } = await setup(good, { stallAt: 30_000 });
  await assert.rejects(pullModel('tiny', { ...options, transfer: { ...transfer, retries: 0, stallMs: 150 } }), { code: 'DOWNLOAD_STALLED' });
  assert.equal((await installedState('tiny', home)).kind, 'missing');
  await assertNothingHalfMade(home, 'tiny');
});

test('a converter that writes its own manifest.json (as the PURE converter does) keeps its fields; the store adds its own', async () => {
  const server = await FixtureServer.start();
  server.serve('/tiny.onnx', good);
  const home = tempDir();
  const { models } = writeCatalog(home, [onnxEntry('tiny', [{ name: 'model.onnx', url: server.url('/tiny.onnx'), pin: good }], { engine: 'pure' })]);
  const options: PullOptions = { home, catalog: models, transfer, proxy: null };
  const pureLike = {
    ...converters,
    'onnx-verify': {
      ...converters['onnx-verify'],
      async convert(input: string, out: string, ctx: object) {
        await converters['onnx-verify'].convert(input, out, ctx);
        const own = {
          manifestVersion: 1,
          engine: 'pure',
          name: 'PURE 7B',
          testModel: true,
          dtype: 'fp16',
          config: PURE_TINY_TEST,
          files: [{ name: 'model.onnx', role: 'decoder', size: good.length, sha256: sha256Bytes(good) }],
          source: { checkpoint: input, vq: join(input, 'tokenizer/vq_ds8_c2i.pt') },
          converter: { name: 'pure-studio pure-to-onnx', version: 1 },
          createdAt: new Date().toISOString(),
        };
        writeFileSync(join(out, 'manifest.json'), JSON.stringify(own));
      },
    },
  };
  await pullModel('tiny', { ...options, converters: pureLike });
  const model = await locatePackage('tiny', home); // the store's reading of it (all files verified)
  assert.deepEqual(model.manifest.files.map((f) => [f.name, f.role]), [['model.onnx', 'decoder']]);
  assert.equal(model.manifest.converter.name, 'pure-studio onnx-verify');
  const pure = await readPureManifest(model.dir); // the PURE engine's reading of the same file
  assert.equal(pure.dtype, 'fp16');
  assert.deepEqual(pure.config, PURE_TINY_TEST);
  assert.match(pure.source.checkpoint, /files$/);
  await assertNothingHalfMade(home, 'tiny');
});
