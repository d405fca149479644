// The bridge's model routes, as the browser page uses them: a list, a pull followed on the
// model event stream until the model is ready, remove, and requests that are refused (a bad id,
// a folder outside the served one). The model manager reads its home and catalog from the
// environment, as `npm run serve` does.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { onnxEntry, tinyOnnx, writeCatalog } from '../engine/models/test-catalog';
import { FixtureServer } from '../engine/models/test-server';
import { startTestBridge, type TestBridge } from '../testing/test-bridge';
import type { Bridge } from './server';

const base = mkdtempSync(join(tmpdir(), 'pure-bridge-models-'));
const root = join(base, 'root');
let bridge: Bridge;
let served: TestBridge;
const good = tinyOnnx();
// At the top level: the server's own after() hook must belong to the file, not to before().
const files = await FixtureServer.start();

before(async () => {
  mkdirSync(root);
  files.serve('/tiny.onnx', good, { chunkDelayMs: 10, chunkSize: 32 << 10 });
  const { path } = writeCatalog(base, [onnxEntry('tiny', [{ name: 'model.onnx', url: files.url('/tiny.onnx'), pin: good }], { testModel: true })]);
  process.env.PURE_STUDIO_HOME = join(base, 'home');
  process.env.PURE_STUDIO_CATALOG = path;
  served = await startTestBridge({ base, root, rendererDir: join(base, 'renderer') });
  bridge = served.bridge;
});

after(async () => {
  await served.close();
  rmSync(base, { recursive: true, force: true });
});

async function api(path: string, body?: unknown): Promise<{ status: number; json: { ok: boolean; value?: unknown; error?: { code: string; message: string } } }> {
  const response = await fetch(`http://127.0.0.1:${bridge.port}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'x-pure-token': bridge.token, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as never };
}

const statusOf = async (id: string): Promise<string | undefined> =>
  ((await api('/api/models')).json.value as { models: { id: string; status: string }[] }).models.find((m) => m.id === id)?.status;

/** Collects the model event stream's frames until `until` matches one of them. */
function followEvents(until: (event: { type: string }) => boolean): { events: { type: string }[]; done: Promise<void>; stop: () => void } {
  const events: { type: string }[] = [];
  let stop = (): void => {};
  const done = new Promise<void>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: bridge.port, path: '/api/model-events', headers: { 'x-pure-token': bridge.token } }, (res) => {
      let buffer = '';
      res.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (!frame.startsWith('data: ')) continue;
          const event = JSON.parse(frame.slice(6)) as { type: string };
          events.push(event);
          if (until(event)) resolve();
        }
      });
    });
    req.on('error', (error) => (events.length ? undefined : reject(error)));
    req.end();
    stop = () => req.destroy();
  });
  return { events, done, stop };
}

test('lists the catalog as the page needs it', async () => {
  const { status, json } = await api('/api/models');
  assert.equal(status, 200);
  const overview = json.value as { folder: string; canMoveFolder: boolean; models: { id: string; status: string; testModel: boolean }[] };
  assert.equal(overview.folder, join(base, 'home', 'models'));
  assert.equal(overview.canMoveFolder, false);
  assert.deepEqual(overview.models.map((m) => [m.id, m.status, m.testModel]), [['tiny', 'missing', true]]);
});

test('a pull answers at once and is followed on the event stream until ready; remove says the list changed', async () => {
  const stream = followEvents((event) => event.type === 'ended' || event.type === 'failed');
  await new Promise((resolve) => setTimeout(resolve, 50)); // the stream is open before the pull starts
  const started = await api('/api/models/pull', { id: 'tiny' });
  assert.equal(started.status, 200);
  await stream.done;
  stream.stop();
  const types = stream.events.map((e) => e.type);
  assert.ok(types.includes('progress'));
  assert.deepEqual(stream.events.at(-1), { type: 'ended', id: 'tiny', task: 'pull', outcome: 'done' });
  assert.equal(await statusOf('tiny'), 'ready');

  const changed = followEvents((event) => event.type === 'changed');
  await new Promise((resolve) => setTimeout(resolve, 50));
  const removed = await api('/api/models/remove', { id: 'tiny' });
  assert.equal(removed.status, 200);
  assert.ok((removed.json.value as number) >= good.length);
  await changed.done;
  changed.stop();
  assert.equal(await statusOf('tiny'), 'missing');
});

test('refuses a bad id, an unknown model and a folder outside the served one', async () => {
  for (const body of [{ id: '../etc' }, { id: 7 }, {}, { id: 'nope' }]) {
    const answer = await api('/api/models/pull', body);
    assert.equal(answer.status, 400, JSON.stringify(body));
    assert.equal(answer.json.error?.code, 'INVALID_OPTION');
  }
  const outside = join(base, 'elsewhere');
  mkdirSync(outside);
  writeFileSync(join(outside, 'model.onnx'), good);
  const refused = await api('/api/models/import', { folder: outside });
  assert.equal(refused.status, 400);
  assert.match(refused.json.error?.message ?? '', /outside/);
  assert.equal(await statusOf('tiny'), 'missing', 'nothing was imported');
  assert.equal((await api('/api/models/import', {})).status, 400);
});
