// Proxy choice from the environment, and a real CONNECT tunnel through a loopback proxy.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { sha256Bytes } from './digest';
import { DEFAULT_TRANSFER, downloadFile } from './download-file';
import { bypassesProxy, proxyFor } from './proxy';
import { FixtureServer } from './test-server';
import { tempDir } from '../../testing/fixtures';

test('the usual variables decide: lowercase first, https vs http, NO_PROXY, never for loopback', () => {
  const env = { HTTPS_PROXY: 'http://upper:3128', https_proxy: 'lower:3128', HTTP_PROXY: 'http://plain:8080', NO_PROXY: 'internal.example, .corp.example:443' };
  assert.equal(proxyFor('https://huggingface.co/x', env), 'http://lower:3128');
  assert.equal(proxyFor('https://huggingface.co/x', { HTTPS_PROXY: 'http://upper:3128' }), 'http://upper:3128');
  assert.equal(proxyFor('https://huggingface.co/x', { ALL_PROXY: 'http://all:1' }), 'http://all:1');
  assert.equal(proxyFor('https://internal.example/x', env), undefined);
  assert.equal(proxyFor('https://cdn.internal.example/x', env), undefined);
  assert.equal(proxyFor('https://a.corp.example/x', env), undefined);
  assert.equal(proxyFor('https://a.corp.example:8443/x', env), 'http://lower:3128'); // port must match
  assert.equal(proxyFor('http://127.0.0.1:9/x', env), undefined);
  assert.equal(proxyFor('https://huggingface.co/x', {}), undefined);
  assert.ok(bypassesProxy(new URL('https://anything.example'), '*'));
});

interface ProxyLog {
  url: string;
  connects: { target: string; headers: IncomingHttpHeaders }[];
}

/** A minimal CONNECT proxy on loopback; with `password`, it wants Basic credentials. */
async function startProxy(password?: string): Promise<ProxyLog> {
  const log: ProxyLog = { url: '', connects: [] };
  const server = createServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req, client, head) => {
    log.connects.push({ target: req.url ?? '', headers: req.headers });
    const expected = password && `Basic ${Buffer.from(`user:${password}`).toString('base64')}`;
    if (expected && req.headers['proxy-authorization'] !== expected) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => {
    server.closeAllConnections();
    server.close();
  });
  log.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return log;
}

const bytes = Uint8Array.from({ length: 100_000 }, (_, i) => i % 251);

test('a download goes through the CONNECT tunnel (with credentials when the proxy asks)', async () => {
  const server = await FixtureServer.start();
  server.serve('/w', bytes);
  const target = new URL(server.origin).host;
  const file = { name: 'w.bin', url: server.url('/w'), size: bytes.length, sha256: sha256Bytes(bytes) };
  const settings = { ...DEFAULT_TRANSFER, retries: 0 };

  const open = await startProxy();
  await downloadFile(file, tempDir(), { settings, proxy: open.url });
  assert.deepEqual(open.connects.map((c) => c.target), [target]);

  const guarded = await startProxy('s3cret');
  await assert.rejects(downloadFile(file, tempDir(), { settings, proxy: guarded.url }), (e: { code: string; message: string; hint: string }) => e.code === 'NETWORK' && /HTTP 407/.test(e.message) && /user:password/.test(e.hint));
  await downloadFile(file, tempDir(), { settings, proxy: guarded.url.replace('http://', 'http://user:s3cret@') });
  assert.equal(guarded.connects.length, 2);
  assert.equal(server.stats('/w').requests, 2);
});
