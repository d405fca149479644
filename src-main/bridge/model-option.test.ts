// `options.model` as the bridge's page may send it: an installed model's id (the worker gets its
// folder), or a folder inside the served root. Any other folder is refused with one sentence,
// whether or not it exists or holds a model: the answer must not tell the page about the disk.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { modelsDir } from '../engine/models/paths';
import { onnxEntry, tinyOnnx, writeCatalog } from '../engine/models/test-catalog';
import { FixtureServer } from '../engine/models/test-server';
import type { WorkerRequestInput } from '../protocol/messages';
import { StudioHost } from '../worker/host/studio-host';
import { TestWorker } from '../worker/host/test-worker';
import { startBridge, type Bridge } from './server';

const photos = join(import.meta.dirname, '../../test-data/photos');
const base = mkdtempSync(join(tmpdir(), 'pure-bridge-model-option-'));
const root = join(base, 'root');
const home = join(base, 'home');
const cat = join(root, 'cat.png');
const good = tinyOnnx();
const files = await FixtureServer.start();
const worker = new TestWorker();
let host: StudioHost;
let bridge: Bridge;

before(async () => {
  mkdirSync(join(root, 'my-model'), { recursive: true });
  copyFileSync(join(photos, 'chelsea.png'), cat);
  // A folder outside the root that does hold a model: the page must not learn that.
  mkdirSync(join(base, 'elsewhere'));
  writeFileSync(join(base, 'elsewhere', 'model.onnx'), good);
  files.serve('/tiny.onnx', good);
  const { path } = writeCatalog(base, [
    onnxEntry('tiny', [{ name: 'model.onnx', url: files.url('/tiny.onnx'), pin: good }], { testModel: true }),
    onnxEntry('absent', [{ name: 'model.onnx', url: files.url('/tiny.onnx'), pin: good }], { testModel: true }),
  ]);
  process.env.PURE_STUDIO_HOME = home;
  process.env.PURE_STUDIO_CATALOG = path;
  host = new StudioHost({
    info: { version: '0.0.0', transport: 'bridge', nativeDialogs: false, menu: false, reveal: false },
    stateDir: join(base, 'state'),
    settingsFile: join(base, 'state', 'settings.json'),
    browseRoot: root,
    spawnWorker: () => worker,
  });
  await host.start();
  bridge = await startBridge({ host, rendererDir: join(base, 'renderer') });
  await host.models.pull('tiny');
  await host.open([cat], 'browse');
});

after(async () => {
  await bridge.close();
  await host.stop();
  rmSync(base, { recursive: true, force: true });
});

async function api(path: string, body: unknown): Promise<{ status: number; ok: boolean; value?: unknown; error?: { code: string; message: string } }> {
  const response = await fetch(`http://127.0.0.1:${bridge.port}${path}`, {
    method: 'POST',
    headers: { 'x-pure-token': bridge.token, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, ...((await response.json()) as { ok: boolean }) };
}

const restore = (model: string) => api('/api/restore', { input: cat, options: { engine: 'pure', model }, format: 'png' });
const lastRestore = (): (WorkerRequestInput & { type: 'restore' }) | undefined =>
  worker.requests.filter((r): r is WorkerRequestInput & { type: 'restore' } => r.type === 'restore').at(-1);

describe('options.model from the page', () => {
  test('a folder outside the root is refused, the same whether it holds a model, is empty or is not there', async () => {
    const answers: ({ code: string; message: string } | undefined)[] = [];
    for (const folder of [join(base, 'elsewhere'), join(base, 'home'), join(base, 'not-there'), '/']) {
      const refused = await restore(folder);
      assert.equal(refused.status, 400, folder);
      answers.push(refused.error);
    }
    assert.equal(answers[0]?.code, 'INVALID_OPTION');
    assert.match(answers[0]?.message ?? '', /installed model|inside the served folder/);
    assert.ok(answers.every((answer) => JSON.stringify(answer) === JSON.stringify(answers[0])), JSON.stringify(answers));
    assert.equal(lastRestore(), undefined, 'the worker never saw one');
  });

  test('the estimate and the library refuse it too', async () => {
    const estimate = await api('/api/estimate', { input: cat, options: { engine: 'pure', model: join(base, 'elsewhere') } });
    assert.equal(estimate.error?.code, 'INVALID_OPTION');
    const { items } = (await host.library.snapshot()) as { items: { id: number }[] };
    for (const [path, body] of [
      ['/api/library/restore', { ids: [items[0].id], options: { engine: 'pure', model: join(base, 'elsewhere') } }],
      ['/api/library/restore-all', { options: { engine: 'pure', model: join(base, 'elsewhere') } }],
    ] as const) {
      const refused = await api(path, body);
      assert.equal(refused.status, 400, path);
      assert.equal(refused.error?.code, 'INVALID_OPTION', path);
    }
    assert.equal(lastRestore(), undefined);
  });

  test('relative paths and models that are not installed are refused', async () => {
    assert.equal((await restore('root/my-model')).error?.code, 'INVALID_OPTION');
    assert.equal((await restore('../elsewhere')).error?.code, 'INVALID_OPTION');
    const absent = await restore('absent');
    assert.equal(absent.error?.code, 'MODEL_MISSING');
    assert.equal((await restore('no-such-model')).error?.code, 'MODEL_MISSING');
  });

  test('an installed model’s id runs with that model’s folder', async () => {
    const started = await restore('tiny');
    assert.equal(started.status, 200, JSON.stringify(started));
    assert.equal(lastRestore()?.options?.model, join(modelsDir(home), 'tiny'));
  });

  test('a folder inside the root is taken as it is', async () => {
    const started = await restore(join(root, 'my-model'));
    assert.equal(started.status, 200, JSON.stringify(started));
    assert.equal(lastRestore()?.options?.model, join(root, 'my-model'));
  });
});
