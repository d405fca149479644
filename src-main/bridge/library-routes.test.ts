// The library over the bridge, as the page's bridge client calls it: the routes answer with the
// Reply shape, bad requests are refused with INVALID_OPTION, an output folder outside the served
// folder is refused, and library events arrive on their own Server-Sent Events stream.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { LibraryEvent, LibrarySnapshot, Reply } from '../protocol/api';
import { photo, tempDir } from '../testing/fixtures';
import { startTestBridge, type TestBridge } from '../testing/test-bridge';

const base = tempDir('pure-bridge-library-');
const root = join(base, 'root');
let served: TestBridge;

before(async () => {
  const renderer = join(base, 'renderer');
  mkdirSync(renderer, { recursive: true });
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>PURE Studio</title>');
  mkdirSync(join(root, 'album'), { recursive: true });
  copyFileSync(photo('rocket.jpg'), join(root, 'album', 'rocket.jpg'));
  served = await startTestBridge({ base, root, rendererDir: renderer });
});

after(() => served.close());

async function api<T>(path: string, body?: unknown): Promise<Reply<T>> {
  const response = await fetch(`http://127.0.0.1:${served.bridge.port}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'x-pure-token': served.bridge.token, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await response.json()) as Reply<T>;
}

/** Follows /api/library-events, collecting the events, until stopped. */
function follow(): { events: LibraryEvent[]; stop: () => void } {
  const events: LibraryEvent[] = [];
  let buffer = '';
  const req = request({ host: '127.0.0.1', port: served.bridge.port, path: '/api/library-events', headers: { 'x-pure-token': served.bridge.token } }, (res) => {
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buffer += chunk;
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (frame.startsWith('data: ')) events.push(JSON.parse(frame.slice(6)) as LibraryEvent);
      }
    });
  });
  req.on('error', () => {});
  req.end();
  return { events, stop: () => req.destroy() };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('the library over the bridge', () => {
  test('open, list, Restore all: events on the stream, the output in the default folder', async () => {
    const stream = follow();
    try {
      const opened = await api<{ id: number }[]>('/api/open', { paths: [join(root, 'album')] });
      assert.equal(opened.ok, true);
      const listed = await api<LibrarySnapshot>('/api/library');
      assert.ok(listed.ok);
      assert.equal(listed.value.items.length, 1);
      assert.equal(listed.value.outputFolder, join(root, 'restored'));
      const queued = await api('/api/library/restore-all', { options: { engine: 'realesrgan-x4fast' } });
      assert.deepEqual(queued, { ok: true, value: { queued: 1, alreadyDone: 0 } });
      await until(() => stream.events.some((e) => e.type === 'queue-finished'), 'the queue to finish');
      const done = stream.events.filter((e) => e.type === 'library').at(-1);
      assert.equal(done?.type === 'library' && done.item.state, 'done');
      assert.equal(done?.type === 'library' && done.item.output, join(root, 'restored', 'rocket-restored.jpg'));
      assert.ok(stream.events.some((e) => e.type === 'queue' && e.position === 1 && e.total === 1));
    } finally {
      stream.stop();
    }
  });

  test('bad requests and an output folder outside the served folder are refused', async () => {
    const outside = await api('/api/library/settings', { outputFolder: join(base, 'elsewhere') });
    assert.equal(outside.ok, false);
    assert.equal(!outside.ok && outside.error.code, 'OUTPUT_UNWRITABLE');
    for (const [path, body] of [
      ['/api/library/restore', { ids: 'all', options: {} }],
      ['/api/library/move', { id: 1, toIndex: -1 }],
      ['/api/library/pause', { paused: 'yes' }],
      ['/api/library/overrides', { id: 1, overrides: { caption: 42 } }],
    ] as const) {
      const reply = await api(path, body);
      assert.equal(!reply.ok && reply.error.code, 'INVALID_OPTION', path);
    }
    const inside = await api<LibrarySnapshot>('/api/library/settings', { outputFolder: join(root, 'mine'), autoSave: false });
    assert.ok(inside.ok);
    assert.equal(inside.value.outputFolder, join(root, 'mine'));
  });
});
