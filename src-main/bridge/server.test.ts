import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { safeFileName } from './api-routes';
import { startTestBridge, type TestBridge } from '../testing/test-bridge';
import type { Bridge } from './server';

const photos = join(import.meta.dirname, '../../test-data/photos');
const base = mkdtempSync(join(tmpdir(), 'pure-bridge-'));
const root = join(base, 'root');
const renderer = join(base, 'renderer');
let bridge: Bridge;
let served: TestBridge;

before(async () => {
  mkdirSync(join(renderer, 'assets'), { recursive: true });
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>PURE Studio</title>');
  writeFileSync(join(renderer, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(base, 'secret.txt'), 'secret');
  mkdirSync(root);
  copyFileSync(join(photos, 'chelsea.png'), join(root, 'cat.png'));
  copyFileSync(join(photos, 'camera.png'), join(root, 'camera.png'));
  served = await startTestBridge({ base, root, rendererDir: renderer });
  bridge = served.bridge;
});

after(async () => {
  await served.close();
  rmSync(base, { recursive: true, force: true });
});

/** A raw request: path sent as written (no URL normalising), any headers, including Host. */
function raw(path: string, options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: bridge.port, path, method: options.method ?? 'GET', headers: { host: `127.0.0.1:${bridge.port}`, ...options.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const auth = () => ({ 'x-pure-token': bridge.token });
const cookie = () => ({ cookie: `pure_token_${bridge.port}=${bridge.token}` });
const api = (path: string, body?: unknown) =>
  raw(path, { method: body === undefined ? 'GET' : 'POST', headers: { ...auth(), 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });

describe('the token', () => {
  test('is random, long, and in the printed link', () => {
    assert.ok(bridge.token.length >= 40);
    assert.equal(bridge.url, `http://127.0.0.1:${bridge.port}/?token=${bridge.token}`);
  });

  test('every request without it is refused: API, page, assets, images', async () => {
    for (const path of ['/api/info', '/', '/index.html', '/assets/app.js', `/media/image?path=${encodeURIComponent(join(root, 'cat.png'))}`]) {
      assert.equal((await raw(path)).status, 401, path);
      assert.equal((await raw(path, { headers: { 'x-pure-token': 'x'.repeat(bridge.token.length) } })).status, 401, path);
    }
  });

  test('the link sets an HttpOnly, same-site cookie; the page and assets then load with it', async () => {
    const first = await raw(`/?token=${bridge.token}`);
    assert.equal(first.status, 200);
    assert.match(String(first.headers['set-cookie']), new RegExp(`^pure_token_${bridge.port}=.+; HttpOnly; SameSite=Strict; Path=/$`));
    assert.match(String(first.headers['content-security-policy']), /default-src 'none'/);
    assert.equal((await raw('/assets/app.js', { headers: cookie() })).status, 200);
  });

  test('the API wants the header: a cookie alone, as a forged cross-site request would carry, is refused', async () => {
    assert.equal((await raw('/api/info', { headers: cookie() })).status, 401);
    assert.equal((await api('/api/info')).status, 200);
  });

  test('the cookie is named after the port: two bridges on one host keep their own', async () => {
    const other = await startTestBridge({ base: join(base, 'second'), root, rendererDir: renderer });
    try {
      const [mine, theirs] = [await raw(`/?token=${bridge.token}`), await fetch(`${other.bridge.url}`)];
      const name = (header: unknown) => String(header).split('=')[0];
      assert.equal(name(mine.headers['set-cookie']), `pure_token_${bridge.port}`);
      assert.equal(name(theirs.headers.get('set-cookie')), `pure_token_${other.bridge.port}`);
      // A browser sends both cookies to both ports (cookies ignore the port): each bridge reads its own.
      const both = { cookie: `pure_token_${other.bridge.port}=${other.bridge.token}; pure_token_${bridge.port}=${bridge.token}` };
      assert.equal((await raw('/assets/app.js', { headers: both })).status, 200);
      assert.equal((await raw('/assets/app.js', { headers: { cookie: `pure_token=${bridge.token}` } })).status, 401, 'the old shared name is not read');
    } finally {
      await other.close();
    }
  });

  test('a missing or wrong token is 401 UNAUTHORIZED, with a sentence', async () => {
    const attempts: Record<string, string>[] = [{}, { 'x-pure-token': 'x'.repeat(bridge.token.length) }, cookie()];
    for (const headers of attempts) {
      const refused = await raw('/api/info', { headers });
      assert.equal(refused.status, 401);
      const { error } = JSON.parse(refused.body) as { error: { code: string; message: string } };
      assert.equal(error.code, 'UNAUTHORIZED');
      assert.match(error.message, /access token/);
    }
  });

  test('a foreign Host or Origin is refused even with the token (DNS rebinding, cross-site pages)', async () => {
    assert.equal((await raw('/api/info', { headers: { ...auth(), host: 'attacker.example' } })).status, 403);
    assert.equal((await raw('/api/info', { headers: { ...auth(), origin: 'http://attacker.example' } })).status, 403);
    assert.equal((await raw('/api/info', { headers: { ...auth(), origin: `http://localhost:${bridge.port}` } })).status, 200);
  });
});

describe('what it serves', () => {
  test('static files never from outside the renderer folder', async () => {
    assert.equal((await raw('/../secret.txt', { headers: cookie() })).status, 404);
    assert.equal((await raw('/assets/../../secret.txt', { headers: cookie() })).status, 404);
    assert.equal((await raw('/%2e%2e/secret.txt', { headers: cookie() })).status, 404);
  });

  test('images only for opened files, by their own path', async () => {
    const cat = join(root, 'cat.png');
    const media = (path: string) => raw(`/media/image?path=${encodeURIComponent(path)}`, { headers: cookie() });
    assert.equal((await media(cat)).status, 404, 'not opened yet');
    assert.equal((await api('/api/open', { paths: [cat] })).status, 200);
    const served = await media(cat);
    assert.equal(served.status, 200);
    assert.equal(served.headers['content-type'], 'image/png');
    assert.equal((await media(join(root, 'camera.png'))).status, 404);
    assert.equal((await media(`${root}/../secret.txt`)).status, 404);
    assert.equal((await media(join(base, 'secret.txt'))).status, 404);
  });
});

describe('the API', () => {
  test('answers invalid requests with a code and a sentence, never a crash', async () => {
    const bad = await raw('/api/restore', { method: 'POST', headers: auth(), body: '{ nope' });
    assert.equal(bad.status, 400);
    assert.equal((JSON.parse(bad.body) as { error: { code: string } }).error.code, 'INVALID_OPTION');
    const outside = await api('/api/open', { paths: [join(base, 'secret.txt')] });
    assert.equal(outside.status, 400);
    assert.match(outside.body, /outside the folder/);
    assert.equal((await api('/api/nothing-here', {})).status, 404);
    assert.equal((await api('/api/info')).status, 200, 'still up');
  });

  test('streams job events; a result can be saved only inside the served folder', async () => {
    const cat = join(root, 'cat.png');
    await api('/api/open', { paths: [cat] });
    const events: string[] = [];
    const stream = request({ host: '127.0.0.1', port: bridge.port, path: '/api/events', headers: { host: `127.0.0.1:${bridge.port}`, ...auth() } });
    const done = new Promise<{ output: string }>((resolve) => {
      stream.on('response', (res) => {
        res.on('data', (chunk: Buffer) => {
          events.push(chunk.toString());
          const match = /data: (\{"type":"done".*\})/.exec(events.join(''));
          if (match) resolve((JSON.parse(match[1]) as { result: { output: string } }).result);
        });
      });
    });
    stream.end();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = JSON.parse((await api('/api/restore', { input: cat, options: { engine: 'realesrgan-x4fast' } })).body) as { value: string };
    const result = await done;
    stream.destroy();
    assert.match(events.join(''), new RegExp(`"jobId":"${started.value}"`));

    const outside = await api('/api/export', { source: result.output, original: cat, format: 'png', destination: join(base, 'escaped.png') });
    assert.equal(outside.status, 400);
    assert.match(outside.body, /outside the served folder/);
    const inside = await api('/api/export', { source: result.output, original: cat, format: 'png', destination: join(root, 'cat-restored.png') });
    assert.equal(inside.status, 200, inside.body);
    assert.ok(readFileSync(join(root, 'cat-restored.png')).length > 0);
  });

  test('a body over the limit is 413 PAYLOAD_TOO_LARGE, and the bridge stays up', async () => {
    const big = JSON.stringify({ folder: 'x'.repeat(2 << 20) });
    const refused = await raw('/api/browse', { method: 'POST', headers: { ...auth(), 'content-type': 'application/json' }, body: big });
    assert.equal(refused.status, 413);
    const { error } = JSON.parse(refused.body) as { error: { code: string; message: string } };
    assert.equal(error.code, 'PAYLOAD_TOO_LARGE');
    assert.match(error.message, /too large/);
    assert.equal((await api('/api/info')).status, 200, 'still up');
  });

  test('uploads land in the state folder under a safe name', async () => {
    const bytes = readFileSync(join(photos, 'camera.png'));
    const res = await raw(`/api/upload?name=${encodeURIComponent('../../evil name.png')}`, { method: 'POST', headers: auth(), body: bytes });
    assert.equal(res.status, 200, res.body);
    const [item] = (JSON.parse(res.body) as { value: { path: string; name: string }[] }).value;
    assert.equal(item.name, 'evil name.png');
    assert.ok(item.path.startsWith(join(base, 'state', 'uploads')));
  });

  test('safe names', () => {
    assert.equal(safeFileName('../../etc/passwd'), 'passwd');
    assert.equal(safeFileName('C:\\Users\\x\\photo.jpg'), 'photo.jpg');
    assert.equal(safeFileName('.hidden.jpg'), 'hidden.jpg');
    assert.equal(safeFileName('a<b>:c?.png'), 'a_b__c_.png');
    assert.equal(safeFileName(''), 'photo');
  });
});
