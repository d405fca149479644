// The model downloads the Models page tests fetch: a catalog (PURE_STUDIO_CATALOG) of small TEST
// MODELS whose files come from a real HTTP server on 127.0.0.1, which paces its bytes so that a
// download lasts long enough to watch and to pause, honours Range (a resume fetches only the
// rest), records every request, and can be told to answer a file with an HTTP error (a failed
// download). The "copy" converter installs the files as they are.
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ServedFile {
  /** The file's name in the catalog (and so in the installed model). */
  name: string;
  bytes: Buffer;
  /** Milliseconds between 16 KiB chunks. */
  pace: number;
}

export interface ModelFiles {
  catalogPath: string;
  files: Record<string, ServedFile>;
  /** The Range header of each request for a file, in order (undefined: from the start). */
  ranges(name: string): (string | undefined)[];
  /** Answers requests for the file `key` with this HTTP status (undefined: serve it again). */
  failWith(key: string, status: number | undefined): void;
  close(): Promise<void>;
}

/** Deterministic bytes, different per seed, that do not compress (a hash chain). */
function fixtureBytes(size: number, seed: string): Buffer {
  const out = Buffer.alloc(size);
  let block = createHash('sha256').update(seed).digest();
  for (let at = 0; at < size; at += block.length) {
    block.copy(out, at);
    block = createHash('sha256').update(block).digest();
  }
  return out;
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');
const CHUNK = 16 << 10;

export async function startModelFiles(dir: string): Promise<ModelFiles> {
  const files: Record<string, ServedFile> = {
    small: { name: 'small.bin', bytes: fixtureBytes(384 << 10, 'small'), pace: 60 },
    slow: { name: 'slow.bin', bytes: fixtureBytes(1536 << 10, 'slow'), pace: 60 },
    tofu: { name: 'tofu.bin', bytes: fixtureBytes(64 << 10, 'tofu'), pace: 0 },
    pure: { name: 'pure-standin.bin', bytes: fixtureBytes(256 << 10, 'pure'), pace: 40 },
    flaky: { name: 'flaky.bin', bytes: fixtureBytes(128 << 10, 'flaky'), pace: 0 },
  };
  const requests = new Map<string, (string | undefined)[]>();
  const failing = new Map<string, number>();

  const server: Server = createServer((request, response) => {
    const key = (request.url ?? '').replace(/^\//, '');
    const file = files[key];
    if (!file) return void response.writeHead(404).end('not found');
    requests.set(file.name, [...(requests.get(file.name) ?? []), request.headers.range]);
    const failure = failing.get(key);
    if (failure) return void response.writeHead(failure).end(`status ${failure}`);
    const size = file.bytes.length;
    const range = /^bytes=(\d+)-(\d*)$/.exec(request.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    const end = range?.[2] ? Math.min(size, Number(range[2]) + 1) : size; // exclusive
    if (start >= size) return void response.writeHead(416, { 'content-range': `bytes */${size}` }).end();
    const headers: Record<string, string | number> = { 'content-type': 'application/octet-stream', 'accept-ranges': 'bytes', etag: `"${key}-${size}"`, 'content-length': end - start };
    if (range) headers['content-range'] = `bytes ${start}-${end - 1}/${size}`;
    response.writeHead(range ? 206 : 200, headers);
    if (request.method === 'HEAD') return void response.end();
    let at = start;
    const send = (): void => {
      if (response.destroyed) return;
      if (at >= end) return void response.end();
      const piece = file.bytes.subarray(at, Math.min(end, at + CHUNK));
      at += piece.length;
      response.write(piece, () => (file.pace ? setTimeout(send, file.pace) : send()));
    };
    send();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const entry = (id: string, key: string, name: string, extra: { pin: boolean; engine?: string; description?: string }) => {
    const file = files[key];
    return {
      id,
      name,
      description: extra.description ?? 'A few hundred kilobytes of fixture bytes, served on this computer for the tests.',
      engine: extra.engine ?? 'test',
      default: false,
      scale: 1,
      parameters: 0,
      licence: 'CC0-1.0',
      authors: 'PURE Studio tests',
      testModel: true,
      requirements: { downloadBytes: file.bytes.length, installedBytes: file.bytes.length, ramBytes: 1_000_000 },
      source: {
        kind: 'download',
        convert: 'copy',
        files: [{ name: file.name, url: `${origin}/${key}`, ...(extra.pin ? { size: file.bytes.length, sha256: sha256(file.bytes) } : { approxBytes: file.bytes.length }) }],
      },
    };
  };
  const catalog = {
    version: 1,
    models: [
      entry('e2e-small', 'small', 'Small test model', { pin: true }),
      entry('e2e-slow', 'slow', 'Slow test model', { pin: true }),
      entry('e2e-tofu', 'tofu', 'Unpinned test model', { pin: false }),
      entry('e2e-flaky', 'flaky', 'Flaky test model', { pin: true }),
      // Stands in for PURE's model, so choosing the PURE engine finds its model missing.
      entry('pure-7b', 'pure', 'PURE stand-in', { pin: true, engine: 'pure', description: 'Fixture bytes in place of PURE 7B: choosing the PURE engine asks for it.' }),
    ],
  };
  const catalogPath = join(dir, 'catalog.json');
  writeFileSync(catalogPath, JSON.stringify(catalog, null, 2));

  return {
    catalogPath,
    files,
    ranges: (name) => requests.get(name) ?? [],
    failWith: (key, status) => void (status === undefined ? failing.delete(key) : failing.set(key, status)),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
