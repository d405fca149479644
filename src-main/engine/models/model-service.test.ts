// The model service as the app's page drives it, against the loopback fixture server: a pull
// reported as events (bytes, rate, ETA, phases) that ends ready; pause keeps the partial file and
// resume fetches only the rest (by Range); cancel deletes it; verify finds a damaged file that a
// listing cannot; remove; import; and every request from the page is checked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelEvent } from '../../protocol/messages';
import { childProcessConverters } from './convert-process';
import { DEFAULT_TRANSFER } from './download-file';
import { readManifest } from './manifest';
import { ModelManager, type ModelManagerOptions } from './model-manager';
import { ModelService, modelIdForEngine } from './model-service';
import { modelDir } from './model-store';
import { downloadDirFor, downloadFilesDir } from './pull';
import { assertNothingHalfMade, onnxEntry, tinyOnnx, writeCatalog } from './test-catalog';
import { stuckConverters, TEST_CONVERTERS_MODULE, throwingConverters } from './test-converters';
import { FixtureServer, type Behaviour } from './test-server';
import { PARTIAL_SUFFIX } from './url-policy';
import { makeTinyPureCheckpoint, VQ_FILE } from '../pure/fixtures/make-tiny-checkpoint';
import { tempDir } from '../../testing/fixtures';
import { pureDownloadEntry } from '../../testing/pure-download-entry';

const good = tinyOnnx();
const transfer = { ...DEFAULT_TRANSFER, retries: 1, backoffMs: 1, stallMs: 2000, parts: 1 };

async function service(behaviour: Behaviour = {}, pull: ModelManagerOptions['pull'] = {}) {
  const server = await FixtureServer.start();
  server.serve('/pinned.onnx', good, behaviour);
  server.serve('/tofu.onnx', good, behaviour);
  const home = tempDir();
  const { models } = writeCatalog(home, [
    onnxEntry('pinned', [{ name: 'model.onnx', url: server.url('/pinned.onnx'), pin: good }], { testModel: true }),
    onnxEntry('tofu', [{ name: 'model.onnx', url: server.url('/tofu.onnx') }]),
  ]);
  const models_ = new ModelService({ manager: () => new ModelManager({ home, catalog: models, pull: { transfer, proxy: null, ...pull } }) });
  const events: ModelEvent[] = [];
  models_.onEvent((event) => events.push(event));
  return { server, home, service: models_, events };
}

const itemOf = async (s: ModelService, id: string) => (await s.overview()).models.find((m) => m.id === id)!;
const ends = (events: ModelEvent[]) => events.filter((e) => e.type !== 'progress');

test('a pull reports progress as events and ends ready; the list shows what the page needs', async () => {
  const { home, service: s, events } = await service({ chunkDelayMs: 40, chunkSize: 16 << 10 });
  const before = await itemOf(s, 'pinned');
  assert.equal(before.status, 'missing');
  assert.equal(before.testModel, true);
  assert.equal((await itemOf(s, 'tofu')).testModel, false);
  assert.deepEqual([before.downloadBytes, before.installedBytes, before.diskNeededBytes], [300_000, 300_000, 600_000]);
  assert.equal(before.licence, 'CC0-1.0');
  assert.deepEqual(before.engines, []);

  await s.pull('pinned');
  const progress = events.flatMap((e) => (e.type === 'progress' && e.id === 'pinned' ? [e.progress] : []));
  const phases = [...new Set(progress.map((p) => p.phase))];
  assert.deepEqual(phases, ['resolving', 'downloading', 'verifying', 'converting', 'validating', 'installing', 'done']);
  const downloads = progress.filter((p) => p.phase === 'downloading');
  assert.ok(downloads.length >= 2, 'several download updates');
  const last = downloads.at(-1)!;
  assert.equal(last.bytesTotal, good.length);
  assert.ok(last.bytesDone! > 0 && last.bytesDone! <= good.length);
  assert.ok(downloads.some((p) => p.bytesPerSecond! > 0 && p.etaSeconds !== undefined), 'a rate and an ETA once bytes flow');
  assert.deepEqual(ends(events), [{ type: 'ended', id: 'pinned', task: 'pull', outcome: 'done' }]);

  const after = await itemOf(s, 'pinned');
  assert.equal(after.status, 'ready');
  assert.equal(after.task, undefined);
  assert.ok(after.sizeOnDisk >= good.length);
  assert.equal(after.dir, modelDir('pinned', home));
  await assertNothingHalfMade(home, 'pinned');
});

test('trust on first use lists as unverified', async () => {
  const { home, service: s } = await service();
  await s.pull('tofu');
  assert.equal((await itemOf(s, 'tofu')).status, 'unverified');
  await assertNothingHalfMade(home, 'tofu');
});

test('pause keeps the partial file; resume fetches only the rest, by Range', async () => {
  const { server, home, service: s, events } = await service({ chunkDelayMs: 15, chunkSize: 8 << 10 });
  const pulling = s.pull('pinned');
  while (!events.some((e) => e.type === 'progress' && (e.progress.bytesDone ?? 0) > 40_000)) await new Promise((r) => setTimeout(r, 5));
  assert.equal((await itemOf(s, 'pinned')).task, 'pull');
  s.pause('pinned');
  await pulling;
  assert.deepEqual(ends(events), [{ type: 'ended', id: 'pinned', task: 'pull', outcome: 'paused' }]);
  const paused = await itemOf(s, 'pinned');
  assert.equal(paused.status, 'paused');
  assert.ok(paused.downloadedBytes > 40_000, `kept ${paused.downloadedBytes} bytes`);
  assert.ok(existsSync(join(downloadFilesDir('pinned', home), `model.onnx${PARTIAL_SUFFIX}`)));
  const sentBefore = server.stats('/pinned.onnx').bytesSent;

  await s.pull('pinned');
  assert.equal((await itemOf(s, 'pinned')).status, 'ready');
  const resumed = server.stats('/pinned.onnx');
  assert.match(resumed.ranges.at(-1) ?? '', /^bytes=\d+-/);
  assert.ok(resumed.bytesSent - sentBefore < good.length, `the resume sent ${resumed.bytesSent - sentBefore} of ${good.length} bytes`);
  assert.equal(resumed.bytesSent, good.length + (sentBefore - Number(/bytes=(\d+)-/.exec(resumed.ranges.at(-1)!)![1])), 'no byte fetched twice beyond what was cut off');
  await assertNothingHalfMade(home, 'pinned');
});

test('cancel stops a pull and deletes what arrived; cancel of a paused download deletes it too', async () => {
  const { home, service: s, events } = await service({ chunkDelayMs: 15, chunkSize: 8 << 10 });
  const pulling = s.pull('pinned');
  while (!events.some((e) => e.type === 'progress' && (e.progress.bytesDone ?? 0) > 20_000)) await new Promise((r) => setTimeout(r, 5));
  await s.cancel('pinned');
  await pulling;
  assert.deepEqual(ends(events).at(-1), { type: 'ended', id: 'pinned', task: 'pull', outcome: 'cancelled' });
  assert.ok(!existsSync(downloadDirFor('pinned', home)), 'downloads deleted');
  assert.equal((await itemOf(s, 'pinned')).status, 'missing');

  const mark = events.length;
  const again = s.pull('pinned');
  while (!events.slice(mark).some((e) => e.type === 'progress' && (e.progress.bytesDone ?? 0) > 20_000)) await new Promise((r) => setTimeout(r, 5));
  s.pause('pinned');
  await again;
  assert.equal((await itemOf(s, 'pinned')).status, 'paused');
  await s.cancel('pinned');
  assert.deepEqual(events.at(-1), { type: 'changed' });
  assert.ok(!existsSync(downloadDirFor('pinned', home)));
  assert.equal((await itemOf(s, 'pinned')).status, 'missing');
  await assertNothingHalfMade(home, 'pinned');
});

test('a failed pull (404, 500) lists as failed with the error and its hint, not as paused; Discard clears it', async () => {
  for (const status of [404, 500]) {
    const { server, home, service: s, events } = await service();
    server.serve('/pinned.onnx', good, { status });
    await s.pull('pinned');
    const failed = ends(events).at(-1);
    assert.equal(failed?.type, 'failed');
    assert.equal(failed?.type === 'failed' && failed.error.code, 'NETWORK');
    assert.match(failed?.type === 'failed' ? failed.error.message : '', new RegExp(String(status)));
    const item = await itemOf(s, 'pinned');
    assert.equal(item.status, 'failed');
    assert.equal(item.task, undefined);
    assert.equal(item.failure?.stage, 'download');
    assert.deepEqual(item.failure?.error, failed?.type === 'failed' ? failed.error : undefined, 'the list says what the event said');
    assert.ok(item.failure?.error.hint, 'with what to do about it');
    assert.equal(item.downloadedBytes, 0, 'no model byte arrived (the download state files do not count)');
    assert.ok(!existsSync(modelDir('pinned', home)));
    await assertNothingHalfMade(home, 'pinned');

    await s.cancel('pinned'); // the page's Discard
    assert.equal((await itemOf(s, 'pinned')).status, 'missing');
    assert.ok(!existsSync(downloadDirFor('pinned', home)));
  }
});

test('a stalled download lists as failed, keeps its bytes, and Retry resumes by Range', async () => {
  // The test's own behaviour object: clearing stallAt later lets the same file (same ETag) flow.
  const behaviour: Behaviour = { stallAt: 60_000, chunkSize: 8 << 10 };
  const { server, home, service: s, events } = await service(behaviour, { transfer: { ...transfer, retries: 1, stallMs: 200 } });
  await s.pull('pinned');
  const failed = ends(events).at(-1);
  assert.equal(failed?.type === 'failed' && failed.error.code, 'DOWNLOAD_STALLED');
  const item = await itemOf(s, 'pinned');
  assert.equal(item.status, 'failed', 'a stall is a failure, not a pause');
  assert.equal(item.failure?.error.code, 'DOWNLOAD_STALLED');
  assert.ok(item.downloadedBytes >= 60_000, `kept ${item.downloadedBytes} bytes`);
  assert.ok(existsSync(join(downloadFilesDir('pinned', home), `model.onnx${PARTIAL_SUFFIX}`)));

  delete behaviour.stallAt;
  await s.pull('pinned'); // the page's Retry
  assert.deepEqual(ends(events).at(-1), { type: 'ended', id: 'pinned', task: 'pull', outcome: 'done' });
  const ready = await itemOf(s, 'pinned');
  assert.equal(ready.status, 'ready');
  assert.equal(ready.failure, undefined);
  assert.match(server.stats('/pinned.onnx').ranges.at(-1) ?? '', /^bytes=60000-/);
  await assertNothingHalfMade(home, 'pinned');
});

test('DIGEST_MISMATCH lists as failed and keeps none of the bad bytes; Retry starts over', async () => {
  const { server, home, service: s, events } = await service();
  const altered = Uint8Array.from(good);
  altered[1000] ^= 0xff; // same size: caught by the sha256 once every byte is in
  server.serve('/pinned.onnx', altered);
  await s.pull('pinned');
  const failed = ends(events).at(-1);
  assert.equal(failed?.type === 'failed' && failed.error.code, 'DIGEST_MISMATCH');
  const item = await itemOf(s, 'pinned');
  assert.equal(item.status, 'failed');
  assert.equal(item.failure?.error.code, 'DIGEST_MISMATCH');
  assert.equal(item.downloadedBytes, 0, 'the bad bytes are gone');
  const left = existsSync(downloadFilesDir('pinned', home)) ? readdirSync(downloadFilesDir('pinned', home)) : [];
  assert.deepEqual(left, [], 'no partial file, no sidecar');
  assert.ok(!existsSync(modelDir('pinned', home)));

  server.serve('/pinned.onnx', good);
  await s.pull('pinned');
  assert.equal((await itemOf(s, 'pinned')).status, 'ready');
  assert.equal(server.stats('/pinned.onnx').ranges.at(-1), undefined, 'fetched from the start');
  await assertNothingHalfMade(home, 'pinned');
});

test('a conversion that fails in its child process reaches the page as a clear error; a pause there stops the child', async () => {
  const failing = await service({}, { converters: childProcessConverters(throwingConverters, { module: TEST_CONVERTERS_MODULE, exportName: 'throwingConverters' }) });
  await failing.service.pull('pinned');
  const failed = ends(failing.events).at(-1);
  assert.equal(failed?.type, 'failed');
  assert.equal(failed?.type === 'failed' && failed.error.code, 'MODEL_FORMAT');
  assert.equal(failed?.type === 'failed' && failed.error.message, 'Converting Test model pinned failed: the weights are torn at byte 42');
  const item = await itemOf(failing.service, 'pinned');
  assert.equal(item.status, 'failed');
  assert.equal(item.failure?.stage, 'convert');
  assert.match(item.failure?.error.hint ?? '', /downloaded files are kept/);
  await assertNothingHalfMade(failing.home, 'pinned');

  const stuck = await service({}, { converters: childProcessConverters(stuckConverters, { module: TEST_CONVERTERS_MODULE, exportName: 'stuckConverters' }) });
  const pulling = stuck.service.pull('pinned');
  let pid: number | undefined;
  while (pid === undefined) {
    for (const e of stuck.events) if (e.type === 'progress' && /^pid \d+$/.test(e.progress.message ?? '')) pid = Number(e.progress.message!.slice(4));
    await new Promise((r) => setTimeout(r, 5));
  }
  stuck.service.pause('pinned');
  await pulling;
  assert.deepEqual(ends(stuck.events), [{ type: 'ended', id: 'pinned', task: 'pull', outcome: 'paused' }]);
  assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, 'the conversion process is gone');
  assert.equal((await itemOf(stuck.service, 'pinned')).status, 'downloaded');
  await assertNothingHalfMade(stuck.home, 'pinned');
});

test('a PURE package converted (in its child process) from the tiny test checkpoint lists as a TEST MODEL though the catalog does not say so', async () => {
  const home = tempDir();
  const folder = join(tempDir(), 'checkpoint');
  await makeTinyPureCheckpoint(folder, { seed: 3 });
  mkdirSync(join(folder, 'tokenizer'));
  renameSync(join(folder, VQ_FILE), join(folder, 'tokenizer', VQ_FILE));
  const pure = pureDownloadEntry({ vqUrl: 'https://example.invalid/vq_ds8_c2i.pt', vqBytes: 100_000 });
  const { models } = writeCatalog(home, [pure]);
  assert.equal(models[0].testModel, undefined);
  const s = new ModelService({ manager: () => new ModelManager({ home, catalog: models }) });
  const seen: ModelEvent[] = [];
  s.onEvent((event) => seen.push(event));
  assert.equal((await itemOf(s, 'pure-7b')).testModel, false);
  assert.equal(await s.import(folder), 'pure-7b');
  assert.ok(seen.some((e) => e.type === 'progress' && e.progress.phase === 'converting' && /converting: decoder/.test(e.progress.message ?? '')), 'the child reported its stages');
  const item = await itemOf(s, 'pure-7b');
  assert.equal(item.status, 'unverified');
  assert.equal(item.testModel, true, 'the package says it is a TEST MODEL');
  assert.equal((await readManifest(modelDir('pure-7b', home)))?.testModel, true);
  await assertNothingHalfMade(home, 'pure-7b');
});

test('verify re-hashes: a same-size, altered file turns a ready model damaged until it is removed', async () => {
  const { home, service: s, events } = await service();
  await s.pull('pinned');
  await s.verify('pinned');
  assert.deepEqual(ends(events).at(-1), { type: 'ended', id: 'pinned', task: 'verify', outcome: 'done' });

  const file = join(modelDir('pinned', home), 'model.onnx');
  const altered = Uint8Array.from(good);
  altered[altered.length - 1] ^= 0xff;
  writeFileSync(file, altered);
  assert.equal((await itemOf(s, 'pinned')).status, 'ready', 'a listing checks sizes only');
  await s.verify('pinned');
  const failed = ends(events).at(-1);
  assert.equal(failed?.type === 'failed' && failed.error.code, 'DIGEST_MISMATCH');
  const damaged = await itemOf(s, 'pinned');
  assert.equal(damaged.status, 'damaged');
  assert.match(damaged.problem ?? '', /model\.onnx/);

  const freed = await s.remove('pinned');
  assert.ok(freed >= good.length);
  assert.deepEqual(events.at(-1), { type: 'changed' });
  assert.equal((await itemOf(s, 'pinned')).status, 'missing');
  assert.ok(!existsSync(modelDir('pinned', home)));
});

test('one task per model: remove and verify are refused while a pull runs; a second pull joins', async () => {
  const { home, service: s, events } = await service({ chunkDelayMs: 10, chunkSize: 8 << 10 });
  const pulling = s.pull('pinned');
  await assert.rejects(s.remove('pinned'), { code: 'MODEL_LOCKED' });
  assert.throws(() => void s.verify('pinned'), { code: 'MODEL_LOCKED' });
  await s.pull('pinned'); // resolves at once: already on its way
  await pulling;
  assert.equal(ends(events).length, 1);
  assert.equal((await itemOf(s, 'pinned')).status, 'ready');
  await assertNothingHalfMade(home, 'pinned');
});

test('import: a folder of original files becomes a model (ready: its digest is pinned), with events under its id', async () => {
  const { home, service: s, events } = await service();
  const folder = join(tempDir(), 'mine');
  mkdirSync(folder);
  writeFileSync(join(folder, 'model.onnx'), good);
  // Both catalog models name the same file: the folder alone cannot say which it holds.
  await assert.rejects(s.import(folder), { code: 'INVALID_OPTION' });
  const { models } = writeCatalog(home, [onnxEntry('pinned', [{ name: 'model.onnx', url: 'https://example.invalid/m.onnx', pin: good }])]);
  const single = new ModelService({ manager: () => new ModelManager({ home, catalog: models }) });
  const seen: ModelEvent[] = [];
  single.onEvent((event) => seen.push(event));
  assert.equal(await single.import(folder), 'pinned');
  assert.ok(seen.some((e) => e.type === 'progress' && e.id === 'pinned' && e.task === 'import'));
  assert.deepEqual(ends(seen), [{ type: 'ended', id: 'pinned', task: 'import', outcome: 'done' }]);
  assert.equal((await itemOf(single, 'pinned')).status, 'ready');
  assert.deepEqual(readdirSync(folder), ['model.onnx'], 'the user’s folder is only read');
  assert.equal(events.length, 0);
  await assertNothingHalfMade(home, 'pinned');
});

test('requests from the page are checked', async () => {
  const { service: s } = await service();
  assert.throws(() => void s.pull('../etc'), { code: 'INVALID_OPTION' });
  assert.throws(() => void s.pull(42), { code: 'INVALID_OPTION' });
  assert.throws(() => void s.pull('no-such-model'), (e: { code: string; hint?: string }) => e.code === 'INVALID_OPTION' && /pinned, tofu/.test(e.hint ?? ''));
  await assert.rejects(s.import(''), { code: 'INVALID_OPTION' });
  await assert.rejects(s.import(join(tempDir(), 'absent')), { code: 'INPUT_NOT_FOUND' });
  await assert.rejects(s.moveFolder(undefined), { code: 'INVALID_OPTION' });
});

test('the app engines map onto catalog models', () => {
  assert.equal(modelIdForEngine('pure'), 'pure-7b');
  assert.equal(modelIdForEngine('realesrgan-x4fast'), 'realesrgan-x4fast');
});
