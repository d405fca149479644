// The downloader against a real loopback server that misbehaves on purpose. Every test ends by
// checking that no .partial file is left where a finished file is expected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { sha256Bytes } from './digest';
import { DEFAULT_TRANSFER, downloadFile, type DownloadContext, type RemoteFile } from './download-file';
import { FixtureServer } from './test-server';
import { tempDir } from '../../testing/fixtures';

const SIZE = 256 << 10;
const bytes = Uint8Array.from({ length: SIZE }, (_, i) => (i * 2654435761) >>> 24);
const digest = sha256Bytes(bytes);
const fast = { ...DEFAULT_TRANSFER, parts: 1, retries: 3, backoffMs: 1, stallMs: 2000 };

function ctx(extra: Partial<DownloadContext> = {}): DownloadContext {
  return { settings: fast, proxy: null, ...extra };
}

function file(server: FixtureServer, path: string, extra: Partial<RemoteFile> = {}): RemoteFile {
  return { name: 'weights.bin', url: server.url(path), size: SIZE, sha256: digest, ...extra };
}

/** Only the finished file is in the folder: no partial, no sidecar. */
function assertOnlyFinished(dir: string, names: string[]): void {
  assert.deepEqual(readdirSync(dir).sort(), names.sort());
  for (const name of names) assert.deepEqual(new Uint8Array(readFileSync(join(dir, name))), bytes);
}

test('a complete download is verified and renamed into place', async () => {
  const server = await FixtureServer.start();
  server.serve('/w', bytes);
  const dir = tempDir();
  let reported = 0;
  const result = await downloadFile(file(server, '/w'), dir, ctx({ onBytes: (n) => (reported += n) }));
  assert.equal(result.sha256, digest);
  assert.equal(reported, SIZE);
  assert.equal(server.stats('/w').requests, 1);
  assertOnlyFinished(dir, ['weights.bin']);
});

/**
 * The resumed request starts exactly at the bytes on disk, and asks only for the rest. (Bytes in
 * flight when a connection drops never reach the disk; those are the only ones fetched again.)
 */
function assertResumedFromDisk(server: FixtureServer, path: string, request: number): number {
  const range = /^bytes=(\d+)-(\d*)$/.exec(server.stats(path).ranges[request] ?? '');
  assert.ok(range, `request ${request} has a Range header`);
  return Number(range[1]);
}

test('a connection dropped mid-file resumes with Range: bytes on disk are not fetched again', async () => {
  const server = await FixtureServer.start();
  server.serve('/w', bytes, { dropAfter: 100_000 });
  const dir = tempDir();
  await downloadFile(file(server, '/w'), dir, ctx());
  const stats = server.stats('/w');
  assert.equal(stats.requests, 2);
  assert.equal(stats.ranges[0], undefined);
  const from = assertResumedFromDisk(server, '/w', 1);
  assert.ok(from > 0 && from <= 100_000);
  assert.equal(stats.bytesSent - 100_000, SIZE - from); // the second answer carried only the rest
  assertOnlyFinished(dir, ['weights.bin']);
});

test('after a cancel (or an app restart) the next download resumes from the partial file', async () => {
  const server = await FixtureServer.start();
  server.serve('/w', bytes, { chunkDelayMs: 5, chunkSize: 8 << 10 });
  const dir = tempDir();
  const controller = new AbortController();
  let seen = 0;
  await assert.rejects(
    downloadFile(file(server, '/w'), dir, ctx({ signal: controller.signal, onBytes: (n) => (seen += n) >= 64 << 10 && controller.abort() })),
    { code: 'CANCELLED' },
  );
  assert.deepEqual(readdirSync(dir).sort(), ['weights.bin.partial', 'weights.bin.partial.json']);
  const have = statSync(join(dir, 'weights.bin.partial')).size;
  assert.ok(have >= 64 << 10 && have < SIZE);
  const sentBefore = server.stats('/w').bytesSent;

  let present = -1;
  await downloadFile(file(server, '/w'), dir, ctx({ onStart: (n) => (present = n) }));
  assert.equal(present, have);
  assert.equal(assertResumedFromDisk(server, '/w', 1), have);
  assert.equal(server.stats('/w').bytesSent - sentBefore, SIZE - have);
  assertOnlyFinished(dir, ['weights.bin']);
});

test('a server that ignores Range is read again from zero, and the file is still right', async () => {
  const server = await FixtureServer.start();
  server.serve('/w', bytes, { dropAfter: 100_000, ignoreRange: true });
  const dir = tempDir();
  let reported = 0;
  await downloadFile(file(server, '/w'), dir, ctx({ onBytes: (n) => (reported += n) }));
  assert.equal(server.stats('/w').requests, 2);
  assert.ok(assertResumedFromDisk(server, '/w', 1) > 0); // it asked for the rest...
  assert.equal(server.stats('/w').bytesSent, 100_000 + SIZE); // ...and got (and used) the whole file
  assert.equal(reported, SIZE); // progress went back to zero when the server restarted
  assertOnlyFinished(dir, ['weights.bin']);
});

test('parallel parts: ranges in parallel, two dropped and resumed on their own, file exact', async () => {
  const server = await FixtureServer.start();
  server.serve('/w', bytes, { dropAfter: 10_000, dropTimes: 2 });
  const dir = tempDir();
  await downloadFile(file(server, '/w'), dir, ctx({ settings: { ...fast, parts: 4, minPartBytes: 16 << 10 } }));
  const ranges = server.stats('/w').ranges;
  const parts = ['0-65535', '65536-131071', '131072-196607', '196608-262143'];
  for (const r of parts) assert.ok(ranges.includes(`bytes=${r}`), `${r} in ${ranges.join(' ')}`);
  // Two parts were cut: each resumed inside its own range, up to its own end.
  const resumed = ranges.filter((r) => !parts.some((p) => r === `bytes=${p}`));
  assert.equal(resumed.length, 2);
  for (const r of resumed) assert.ok(parts.some((p) => r!.endsWith(`-${p.split('-')[1]}`) && Number(/=(\d+)/.exec(r!)![1]) > Number(p.split('-')[0])), r);
  assertOnlyFinished(dir, ['weights.bin']);
});

test('parallel parts against a server that ignores Range fall back to one stream', async () => {
  const server = await FixtureServer.start();
  server.serve('/w', bytes, { ignoreRange: true });
  const dir = tempDir();
  await downloadFile(file(server, '/w'), dir, ctx({ settings: { ...fast, parts: 4, minPartBytes: 16 << 10 } }));
  assert.equal(server.stats('/w').ranges.at(-1), undefined); // the last request asked for the whole file
  assertOnlyFinished(dir, ['weights.bin']);
});

test('a wrong sha256 deletes the file and says DIGEST_MISMATCH', async () => {
  const server = await FixtureServer.start();
  server.serve('/w', bytes);
  const dir = tempDir();
  await assert.rejects(downloadFile(file(server, '/w', { sha256: '0'.repeat(64) }), dir, ctx()), (e: { code: string; message: string }) => e.code === 'DIGEST_MISMATCH' && /deleted/.test(e.message));
  assert.deepEqual(readdirSync(dir), []);
});

test('a size that differs from the expected one is refused before the body is read', async () => {
  const server = await FixtureServer.start();
  server.serve('/w', bytes.subarray(0, 1000));
  const dir = tempDir();
  await assert.rejects(downloadFile(file(server, '/w'), dir, ctx()), (e: { code: string; message: string }) => e.code === 'DIGEST_MISMATCH' && /1000 bytes/.test(e.message));
  assert.deepEqual(readdirSync(dir), []);
});

test('404 fails at once and 500 after the retries, both with clear messages', async () => {
  const server = await FixtureServer.start();
  server.serve('/gone', bytes, { status: 404 });
  server.serve('/broken', bytes, { status: 500 });
  const dir = tempDir();
  await assert.rejects(downloadFile(file(server, '/gone'), dir, ctx()), (e: { code: string; message: string; hint: string }) => e.code === 'NETWORK' && /no file at .*\/gone \(HTTP 404\)/.test(e.message) && /catalog/.test(e.hint));
  assert.equal(server.stats('/gone').requests, 1);
  await assert.rejects(downloadFile(file(server, '/broken'), dir, ctx()), (e: { code: string; message: string }) => e.code === 'NETWORK' && /HTTP 500/.test(e.message));
  assert.equal(server.stats('/broken').requests, 1 + fast.retries);
  assert.ok(!existsSync(join(dir, 'weights.bin')));
});

test('a stalled server is given up on with DOWNLOAD_STALLED; what arrived is kept for later', async () => {
  const server = await FixtureServer.start();
  server.serve('/w', bytes, { stallAt: 50_000 });
  const dir = tempDir();
  const started = Date.now();
  await assert.rejects(downloadFile(file(server, '/w'), dir, ctx({ settings: { ...fast, retries: 1, stallMs: 200 } })), { code: 'DOWNLOAD_STALLED' });
  assert.ok(Date.now() - started < 3000);
  assert.equal(server.stats('/w').requests, 2);
  assert.equal(statSync(join(dir, 'weights.bin.partial')).size, 50_000); // the second attempt got nothing
  assert.ok(!existsSync(join(dir, 'weights.bin')));
});

test('a user cancel stops at once', async () => {
  const server = await FixtureServer.start();
  server.serve('/w', bytes, { chunkDelayMs: 50, chunkSize: 1024 });
  const dir = tempDir();
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 100);
  const started = Date.now();
  await assert.rejects(downloadFile(file(server, '/w'), dir, ctx({ signal: controller.signal })), { code: 'CANCELLED' });
  assert.ok(Date.now() - started < 1000);
  assert.ok(!existsSync(join(dir, 'weights.bin')));
});

test('redirects are followed; a token goes only to the host it is for', async () => {
  const server = await FixtureServer.start();
  server.serve('/w', bytes);
  server.serve('/r1', bytes, { redirectTo: '/w' });
  const elsewhere = server.url('/w').replace('127.0.0.1', 'localhost');
  server.serve('/r2', bytes, { redirectTo: elsewhere });
  const host = new URL(server.origin).host;
  const authorization = { host, value: 'Bearer secret' };
  await downloadFile(file(server, '/r1'), tempDir(), ctx({ authorization }));
  assert.equal(server.stats('/w').headers[0].authorization, 'Bearer secret');
  await downloadFile(file(server, '/r2'), tempDir(), ctx({ authorization }));
  assert.equal(server.stats('/r2').headers[0].authorization, 'Bearer secret');
  assert.equal(server.stats('/w').headers[1].authorization, undefined); // localhost is another host
});

test('a file of unknown size (no Content-Length) is trusted on first use and still resumes', async () => {
  const server = await FixtureServer.start();
  server.serve('/w', bytes, { noLength: true, dropAfter: 70_000 });
  const dir = tempDir();
  const result = await downloadFile({ name: 'sub/w.bin', url: server.url('/w') }, dir, ctx());
  assert.equal(result.sha256, digest);
  assert.equal(server.stats('/w').ranges[0], undefined);
  assert.match(server.stats('/w').ranges[1] ?? '', /^bytes=\d+-$/); // open-ended: the size is still unknown
  assertOnlyFinished(join(dir, 'sub'), ['w.bin']);
});

test('plain http to a non-loopback host is refused without a request', async () => {
  await assert.rejects(downloadFile({ name: 'w', url: 'http://example.com/w' }, tempDir(), ctx()), (e: { code: string; message: string }) => e.code === 'NETWORK' && /https/.test(e.message));
});

test('a file without a length or end marker that is cut short is refused, never taken as whole', async () => {
  const server = await FixtureServer.start();
  server.serve('/w', bytes, { noEndMarker: true, dropAfter: 70_000 });
  const dir = tempDir();
  // Trust on first use: no size or digest to catch the cut afterwards.
  await assert.rejects(downloadFile({ name: 'w.bin', url: server.url('/w') }, dir, ctx()), (e: { code: string; message: string }) => e.code === 'NETWORK' && /without a length or an end marker/.test(e.message));
  assert.ok(!existsSync(join(dir, 'w.bin')));
  assert.equal(server.stats('/w').requests, 1); // retrying cannot help: the server never says
  // Whole or not, such a body cannot be told complete...
  server.serve('/whole', bytes, { noEndMarker: true });
  await assert.rejects(downloadFile({ name: 'w.bin', url: server.url('/whole') }, tempDir(), ctx()), { code: 'NETWORK' });
  // ...unless the expected size is known, which then decides.
  const known = tempDir();
  await downloadFile(file(server, '/whole'), known, ctx());
  assertOnlyFinished(known, ['weights.bin']);
});

test('a server that ignores Range and drops connections is given up on by the bytes fetched again', async () => {
  const server = await FixtureServer.start();
  // Each answer starts again at byte 0 and gets 20 kB further than the last: new bytes every
  // time, so counting failures in a row alone would go on to the end (13 requests here, ~100
  // for a real file). The budget allows one file's worth of bytes fetched again.
  server.serve('/w', bytes, { ignoreRange: true, dropAfter: 20_000, dropStep: 20_000, dropTimes: 1000 });
  const dir = tempDir();
  await assert.rejects(downloadFile(file(server, '/w'), dir, ctx()), (e: { code: string; message: string }) => e.code === 'NETWORK' && /does not resume/.test(e.message));
  // 20+40+60+80+100 kB fetched again passes 256 KiB after 6 requests; one or two more when bytes
  // in flight at a drop never reach the disk (7 or 8 seen on a busy machine). Without the budget
  // it took 13 and succeeded.
  const requests = server.stats('/w').requests;
  assert.ok(requests >= 6 && requests <= 9, `${requests} requests`);
  assert.ok(!existsSync(join(dir, 'weights.bin')));
});

test('retries stop after the retry window without getting further, whatever the retry count', { timeout: 20_000 }, async () => {
  const server = await FixtureServer.start();
  server.serve('/w', bytes, { status: 503 });
  const started = Date.now();
  const settings = { ...fast, retries: 1000, backoffMs: 50, retryWindowMs: 400 };
  await assert.rejects(downloadFile(file(server, '/w'), tempDir(), ctx({ settings })), (e: { code: string; message: string }) => e.code === 'NETWORK' && /without getting further/.test(e.message) && /HTTP 503/.test(e.message));
  assert.ok(Date.now() - started < 3000, `${Date.now() - started} ms`);
  assert.ok(server.stats('/w').requests < 10);
});
