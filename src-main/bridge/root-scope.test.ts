// One state folder, two `serve` runs over different roots (as `--state` allows, and as the
// default did before it became per-root): nothing of the first run's root reaches the second's
// page. Its recent list, its library photos and its output folder all stay behind.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startTestBridge, type TestBridge } from '../testing/test-bridge';
import { defaultStateDir } from './state-dir';

const photos = join(import.meta.dirname, '../../test-data/photos');
const base = mkdtempSync(join(tmpdir(), 'pure-bridge-roots-'));
const first = join(base, 'first');
const second = join(base, 'second');
const renderer = join(base, 'renderer');
const earlier = join(first, 'cat.png');
const mine = join(second, 'camera.png');
let served: TestBridge;
let earlierId: number;
let earlierResult: string;

type Reply = { status: number; ok: boolean; value?: unknown; error?: { code: string; message: string } };

async function api(path: string, body?: unknown): Promise<Reply> {
  const response = await fetch(`http://127.0.0.1:${served.bridge.port}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'x-pure-token': served.bridge.token, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, ...((await response.json()) as { ok: boolean }) };
}

const media = async (path: string): Promise<number> =>
  (await fetch(`http://127.0.0.1:${served.bridge.port}/media/image?path=${encodeURIComponent(path)}&token=${served.bridge.token}`)).status;

before(async () => {
  mkdirSync(first);
  mkdirSync(second);
  mkdirSync(renderer);
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>PURE Studio</title>');
  copyFileSync(join(photos, 'chelsea.png'), earlier);
  copyFileSync(join(photos, 'camera.png'), mine);
  // The first run: a photo opened (it joins the recent list and the library), an output folder chosen.
  served = await startTestBridge({ base, root: first, rendererDir: renderer });
  assert.equal((await api('/api/open', { paths: [earlier] })).status, 200);
  assert.equal((await api('/api/library/settings', { outputFolder: join(first, 'mine') })).status, 200);
  const library = (await api('/api/library')).value as { items: { id: number; path: string }[] };
  earlierId = library.items[0].id;
  // Its result waits unsaved in the state folder.
  assert.equal((await api('/api/library/settings', { autoSave: false })).status, 200);
  const events = served.host.library.onEvent.bind(served.host.library);
  const finished = new Promise<void>((resolve) => events((event) => event.type === 'queue-finished' && resolve()));
  assert.equal((await api('/api/library/restore', { ids: [earlierId], options: { engine: 'realesrgan-x4fast' } })).status, 200);
  await finished;
  const done = ((await api('/api/library')).value as { items: { output?: string }[] }).items[0];
  assert.ok(done.output?.startsWith(join(base, 'state')), JSON.stringify(done));
  earlierResult = done.output!;
  assert.equal(await media(earlierResult), 200, 'served to the run that made it');
  await served.close();
  // The second run, same state folder, another root.
  served = await startTestBridge({ base, root: second, rendererDir: renderer });
});

after(async () => {
  await served.close();
  rmSync(base, { recursive: true, force: true });
});

describe('a state folder shared with a run over another root', () => {
  test('the recent list shows none of the other root’s paths, and open-recent refuses them', async () => {
    const settings = (await api('/api/settings')).value as { recent: string[] };
    assert.deepEqual(settings.recent, []);
    const refused = await api('/api/open-recent', { paths: [earlier] });
    assert.equal(refused.status, 400);
    assert.equal(refused.error?.code, 'INPUT_UNREADABLE');
    assert.equal(await media(earlier), 404, 'and its photo is not served');
  });

  test('the library neither lists nor serves nor restores the other root’s photos', async () => {
    const library = (await api('/api/library')).value as { items: { id: number; path: string }[]; outputFolder: string };
    assert.deepEqual(library.items, []);
    assert.equal(await media(earlier), 404);
    assert.equal(await media(earlierResult), 404, 'nor its unsaved result in the shared state folder');
    const restore = await api('/api/library/restore', { ids: [earlierId], options: { engine: 'realesrgan-x4fast' } });
    assert.equal((restore.value as { queued?: number } | undefined)?.queued ?? 0, 0, JSON.stringify(restore));
  });

  test('an output folder chosen under the other root is not used: the default inside this root is', async () => {
    const library = (await api('/api/library')).value as { outputFolder: string };
    assert.equal(library.outputFolder, join(second, 'restored'));
  });

  test('this root’s own photos still open, from the picker and then from the recent list', async () => {
    assert.equal((await api('/api/open', { paths: [mine] })).status, 200);
    const settings = (await api('/api/settings')).value as { recent: string[] };
    assert.deepEqual(settings.recent, [mine]);
    assert.equal((await api('/api/open-recent', { paths: [mine] })).status, 200);
    assert.equal(await media(mine), 200);
  });
});

describe('the default state folder', () => {
  test('is one per root, however the root is spelt', () => {
    const home = join(base, 'home');
    symlinkSync(first, join(base, 'link'));
    assert.notEqual(defaultStateDir(first, home), defaultStateDir(second, home));
    assert.equal(defaultStateDir(join(base, 'link'), home), defaultStateDir(first, home));
    assert.equal(defaultStateDir(`${first}/`, home), defaultStateDir(first, home));
    assert.ok(defaultStateDir(first, home).startsWith(join(home, 'bridge')));
  });
});
