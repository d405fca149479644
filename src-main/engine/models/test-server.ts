// Test-only: a real HTTP server on 127.0.0.1 that serves fixture files and misbehaves on
// request (drops the connection, ignores Range, stalls, answers 404/500, redirects, drips bytes
// slowly), and counts what it sent, so tests can prove which bytes were fetched again.
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after } from 'node:test';

export interface Behaviour {
  /** Answer every request with this status and no file. */
  status?: number;
  ignoreRange?: boolean;
  /** Cut the connection after this many body bytes, for the first `dropTimes` responses (default 1). */
  dropAfter?: number;
  dropTimes?: number;
  /** With dropAfter: each response is cut this many bytes later than the one before. */
  dropStep?: number;
  /** Send the file up to this byte offset, then nothing more while keeping the connection open. */
  stallAt?: number;
  /** Pace the body: `chunkSize` bytes (default 16 KiB) every `chunkDelayMs`. */
  chunkDelayMs?: number;
  chunkSize?: number;
  /** 302 to this path (on the same server). */
  redirectTo?: string;
  /** Sent chunked, without Content-Length. */
  noLength?: boolean;
  /**
   * Sent without Content-Length and without chunked encoding (HTTP/1.0 style): the body ends when
   * the connection closes, so a dropped connection looks just like the end of the file.
   */
  noEndMarker?: boolean;
  /** Answers only once this promise settles (a test decides when a download may proceed). */
  gate?: Promise<void>;
}

export interface Stats {
  requests: number;
  bytesSent: number;
  ranges: (string | undefined)[];
  headers: IncomingHttpHeaders[];
}

interface Route {
  body: Uint8Array;
  behaviour: Behaviour;
  etag: string;
  type: string;
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class FixtureServer {
  private readonly routes = new Map<string, Route>();
  private readonly counts = new Map<string, Stats>();
  private version = 0;

  private constructor(private readonly server: Server) {}

  static async start(): Promise<FixtureServer> {
    const fixture: FixtureServer = new FixtureServer(createServer((req, res) => void fixture.handle(req.url ?? '/', req.headers, res)));
    await new Promise<void>((resolve) => fixture.server.listen(0, '127.0.0.1', resolve));
    after(() => fixture.close());
    return fixture;
  }

  get origin(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  url(path: string): string {
    return `${this.origin}${path}`;
  }

  /** Serves `body` at `path` (replacing what was there: a new ETag, like a changed file). */
  serve(path: string, body: Uint8Array | string, behaviour: Behaviour = {}, type = 'application/octet-stream'): void {
    const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
    this.routes.set(path, { body: bytes, behaviour, etag: `"v${++this.version}-${bytes.length}"`, type });
  }

  serveJson(path: string, value: unknown): void {
    this.serve(path, JSON.stringify(value), {}, 'application/json');
  }

  stats(path: string): Stats {
    return this.counts.get(path) ?? { requests: 0, bytesSent: 0, ranges: [], headers: [] };
  }

  /** Resolves once `path` has been asked for `count` times. */
  async requested(path: string, count = 1): Promise<void> {
    while (this.stats(path).requests < count) await delay(10);
  }

  totalRequests(): number {
    return [...this.counts.values()].reduce((n, s) => n + s.requests, 0);
  }

  close(): void {
    this.server.closeAllConnections();
    this.server.close();
  }

  private async handle(url: string, headers: IncomingHttpHeaders, res: ServerResponse): Promise<void> {
    const path = url.split('?')[0];
    const stats = this.stats(path);
    this.counts.set(path, { ...stats, requests: stats.requests + 1, ranges: [...stats.ranges, headers.range], headers: [...stats.headers, headers] });
    const route = this.routes.get(path) ?? this.routes.get(url);
    const b = route?.behaviour ?? {};
    if (!route) return void res.writeHead(404).end('not found');
    if (b.status) return void res.writeHead(b.status).end(`status ${b.status}`);
    if (b.redirectTo) return void res.writeHead(302, { location: b.redirectTo }).end();
    await b.gate;

    const size = route.body.length;
    let start = 0;
    let end = size; // exclusive
    let status = 200;
    const range = /^bytes=(\d+)-(\d*)$/.exec(headers.range ?? '');
    const ifRange = headers['if-range'];
    if (range && !b.ignoreRange && (!ifRange || ifRange === route.etag)) {
      start = Number(range[1]);
      end = range[2] ? Math.min(size, Number(range[2]) + 1) : size;
      if (start >= size) return void res.writeHead(416, { 'content-range': `bytes */${size}` }).end();
      status = 206;
    }
    const head: Record<string, string | number> = { 'content-type': route.type, etag: route.etag, 'accept-ranges': b.ignoreRange ? 'none' : 'bytes' };
    if (!b.noLength && !b.noEndMarker) head['content-length'] = end - start;
    if (b.noEndMarker) res.useChunkedEncodingByDefault = false;
    if (status === 206) head['content-range'] = `bytes ${start}-${end - 1}/${size}`;
    res.writeHead(status, head);

    const responseIndex = this.stats(path).requests;
    let limit = end - start;
    let cut: 'drop' | 'stall' | undefined;
    const dropAt = b.dropAfter === undefined ? undefined : b.dropAfter + (responseIndex - 1) * (b.dropStep ?? 0);
    if (dropAt !== undefined && responseIndex <= (b.dropTimes ?? 1) && dropAt < limit) [limit, cut] = [dropAt, 'drop'];
    if (b.stallAt !== undefined && b.stallAt - start < limit) [limit, cut] = [Math.max(0, b.stallAt - start), 'stall'];
    const chunk = b.chunkSize ?? 16 << 10;
    for (let sent = 0; sent < limit && !res.destroyed; ) {
      const piece = route.body.subarray(start + sent, start + Math.min(limit, sent + chunk));
      await new Promise<void>((resolve) => res.write(piece, () => resolve()));
      sent += piece.length;
      const s = this.stats(path);
      s.bytesSent += piece.length;
      if (b.chunkDelayMs) await delay(b.chunkDelayMs);
    }
    if (cut === 'drop') res.socket?.destroy();
    else if (cut !== 'stall') res.end();
  }
}
