// Photos uploaded to the bridge (a browser cannot hand over a path): each lives in its own folder
// under the state folder for as long as its photo is in the library, no longer; a start removes
// uploads no photo uses; and all uploads together stay under a limit, refused with 413 beyond it.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, afterEach, describe, test } from 'node:test';
import { StudioHost } from '../worker/host/studio-host';
import { TestWorker } from '../worker/host/test-worker';
import { startBridge, type Bridge } from './server';

const photos = join(import.meta.dirname, '../../test-data/photos');
const camera = readFileSync(join(photos, 'camera.png'));
const chelsea = readFileSync(join(photos, 'chelsea.png'));
const base = mkdtempSync(join(tmpdir(), 'pure-bridge-uploads-'));
const root = join(base, 'root');
const state = join(base, 'state');
const uploads = join(state, 'uploads');
mkdirSync(root);
let running: { host: StudioHost; bridge: Bridge } | undefined;

async function start(uploadLimitBytes?: number): Promise<{ host: StudioHost; bridge: Bridge }> {
  const host = new StudioHost({
    info: { version: '0.0.0', transport: 'bridge', nativeDialogs: false, menu: false, reveal: false },
    stateDir: state,
    settingsFile: join(state, 'settings.json'),
    browseRoot: root,
    spawnWorker: () => new TestWorker(),
    ...(uploadLimitBytes !== undefined && { uploadLimitBytes }),
  });
  await host.start();
  running = { host, bridge: await startBridge({ host, rendererDir: join(base, 'renderer') }) };
  return running;
}

async function stop(): Promise<void> {
  await running?.bridge.close();
  await running?.host.stop();
  running = undefined;
}

afterEach(stop);
after(() => rmSync(base, { recursive: true, force: true }));

type Reply = { status: number; ok: boolean; value?: unknown; error?: { code: string; message: string } };

async function post(path: string, body: string | Uint8Array | ReadableStream<Uint8Array>, headers: Record<string, string> = {}): Promise<Reply> {
  const response = await fetch(`http://127.0.0.1:${running!.bridge.port}${path}`, {
    method: 'POST',
    headers: { 'x-pure-token': running!.bridge.token, ...headers },
    body,
    duplex: 'half',
  });
  return { status: response.status, ...((await response.json()) as { ok: boolean }) };
}

const upload = (name: string, bytes: Uint8Array): Promise<Reply> => post(`/api/upload?name=${encodeURIComponent(name)}`, bytes);
const uploaded = (reply: Reply) => (reply.value as { id: number; path: string }[])[0];
const folders = (): string[] => (existsSync(uploads) ? readdirSync(uploads) : []);

/** A body without a length, as a stream: the bridge learns its size only while reading it. */
function streamed(bytes: Uint8Array): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(sent, sent + 16_384));
      sent += 16_384;
    },
  });
}

describe('an upload lives as long as its photo in the library', () => {
  test('removing the photo from the library removes its upload', async () => {
    await start();
    const reply = await upload('cat.png', chelsea);
    assert.equal(reply.status, 200, JSON.stringify(reply));
    const photo = uploaded(reply);
    assert.ok(existsSync(photo.path));
    assert.equal((await post('/api/library/remove', JSON.stringify({ ids: [photo.id] }), { 'content-type': 'application/json' })).status, 200);
    assert.ok(!existsSync(dirname(photo.path)), 'the upload folder is gone');
  });

  test('a start removes uploads no photo of the library uses, and keeps the others', async () => {
    await start();
    const kept = uploaded(await upload('camera.png', camera));
    await stop();
    // What a killed run leaves: an upload written but never opened.
    mkdirSync(join(uploads, 'abandoned'), { recursive: true });
    writeFileSync(join(uploads, 'abandoned', 'half.png'), camera.subarray(0, 100));
    await start();
    assert.ok(!existsSync(join(uploads, 'abandoned')));
    assert.ok(existsSync(kept.path));
    await running!.host.library.remove([kept.id]);
  });
});

describe('all uploads together stay under a limit', () => {
  test('an upload that would pass it is refused with 413 PAYLOAD_TOO_LARGE and leaves nothing; room made, it is taken', async () => {
    await start(camera.length + chelsea.length / 2);
    const first = uploaded(await upload('camera.png', camera));
    const before = folders();
    const refused = await upload('cat.png', chelsea);
    assert.equal(refused.status, 413);
    assert.equal(refused.error?.code, 'PAYLOAD_TOO_LARGE');
    assert.match(refused.error?.message ?? '', /uploaded photos/);
    assert.deepEqual(folders(), before, 'no folder left by the refused upload');

    await running!.host.library.remove([first.id]);
    assert.equal((await upload('cat.png', chelsea)).status, 200);
  });

  test('a body without a length is stopped at the limit while it streams', async () => {
    await start(chelsea.length / 2);
    const before = folders();
    const refused = await post('/api/upload?name=cat.png', streamed(chelsea));
    assert.equal(refused.status, 413);
    assert.equal(refused.error?.code, 'PAYLOAD_TOO_LARGE');
    assert.deepEqual(folders(), before);
  });

  test('a file over the per-upload size is 413 as well, answered before its body is sent', async () => {
    await start();
    const before = folders();
    const { port, token } = running!.bridge;
    const status = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, path: '/api/upload?name=big.png', method: 'POST', headers: { 'x-pure-token': token, 'content-length': String(600 * 1024 * 1024) } },
        (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.write(camera.subarray(0, 1000)); // and never the rest
    });
    assert.equal(status.status, 413);
    assert.equal((JSON.parse(status.body) as { error: { code: string } }).error.code, 'PAYLOAD_TOO_LARGE');
    assert.deepEqual(folders(), before);
  });
});
