// The local HTTP bridge: the built renderer, its JSON API and a job-event stream, on 127.0.0.1
// only, behind a random token (auth.ts). It lets the very same page run in a browser against the
// real engine, where Electron cannot start, or drive a workstation's engine from its own browser.
import { existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { BRIDGE } from '../protocol/api';
import type { StudioHost } from '../worker/host/studio-host';
import { handleApi } from './api-routes';
import { credentials, fromOwnOrigin, newToken, tokenCookie } from './auth';
import { baseHeaders, sendFile, sendJson, sendText } from './http-util';

const STATIC_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

export interface BridgeOptions {
  host: StudioHost;
  /** The built renderer (out/renderer). */
  rendererDir: string;
  /** 0 picks a free port. */
  port?: number;
  token?: string;
  log?: (line: string) => void;
}

export interface Bridge {
  /** The address to open, token included. */
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const UNAUTHORISED = 'This address needs the access token. Open the full link printed by `npm run serve`.';

export async function startBridge(options: BridgeOptions): Promise<Bridge> {
  const token = options.token ?? newToken();
  const log = options.log ?? (() => {});
  const streams = new Set<ServerResponse>();
  let port = 0;

  // Job events go to every open page as Server-Sent Events.
  const unsubscribe = options.host.onEvent((event) => {
    const frame = `data: ${JSON.stringify(event)}\n\n`;
    for (const stream of streams) stream.write(frame);
  });
  const heartbeat = setInterval(() => streams.forEach((stream) => stream.write(': keep-alive\n\n')), 15_000);

  function openEventStream(request: IncomingMessage, response: ServerResponse): void {
    response.writeHead(200, baseHeaders({ 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive' }));
    response.write(': connected\n\n');
    streams.add(response);
    request.on('close', () => streams.delete(response));
  }

  async function serveStatic(pathname: string, response: ServerResponse, setCookie: boolean): Promise<void> {
    const base = normalize(options.rendererDir) + sep;
    const file = normalize(join(base, pathname === '/' ? 'index.html' : pathname));
    if (!file.startsWith(base) || !existsSync(file) || !statSync(file).isFile()) return sendText(response, 404, 'Not found.');
    if (setCookie) response.setHeader('Set-Cookie', tokenCookie(token, port));
    // Hashed asset names never change content: the browser may keep them. The page itself may not.
    await sendFile(response, file, STATIC_TYPES[extname(file)] ?? 'application/octet-stream', pathname.startsWith('/assets/') ? 'private, max-age=31536000, immutable' : 'no-store');
  }

  async function serveMedia(url: URL, response: ServerResponse): Promise<void> {
    const kind = url.pathname === '/media/thumb' ? 'thumb' : url.pathname === '/media/image' ? 'image' : undefined;
    const path = url.searchParams.get('path');
    if (!kind || !path) return sendText(response, 404, 'Not found.');
    let media;
    try {
      media = await options.host.media(kind, path);
    } catch (error) {
      // The photo could not be read (damaged, deleted): the page shows its own placeholder.
      log(`media ${kind} failed for ${path}: ${(error as Error).message}`);
      return sendText(response, 422, 'This image cannot be shown.');
    }
    if (!media) return sendText(response, 404, 'Not found.');
    await sendFile(response, media.path, media.contentType);
  }

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (!fromOwnOrigin(request, port)) return sendText(response, 403, 'Forbidden.');
    const url = new URL(request.url ?? '/', `http://127.0.0.1:${port}`);
    const held = credentials(request, url, token, port);
    if (url.pathname.startsWith('/api/')) {
      // The API wants the header: a cookie alone could be a forged cross-site request.
      if (!held.has('header')) return sendJson(response, 401, { ok: false, error: { code: 'UNAUTHORIZED', message: UNAUTHORISED } });
      if (request.method === 'GET' && url.pathname === '/api/events') return openEventStream(request, response);
      if (await handleApi(options.host, request, response, url)) return;
      return sendJson(response, 404, { ok: false, error: { code: 'INTERNAL', message: 'No such request.' } });
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') return sendText(response, 405, 'Method not allowed.');
    if (held.size === 0) return sendText(response, 401, UNAUTHORISED);
    if (url.pathname.startsWith('/media/')) return serveMedia(url, response);
    return serveStatic(url.pathname, response, held.has('query'));
  }

  const server: Server = createServer((request, response) => {
    route(request, response).catch((error: unknown) => {
      log(`request ${request.method} ${request.url?.split('?')[0]} failed: ${(error as Error).message}`);
      if (!response.headersSent) sendText(response, 500, 'Something went wrong.');
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/?${BRIDGE.tokenParam}=${token}`,
    port,
    token,
    close: async () => {
      clearInterval(heartbeat);
      unsubscribe();
      for (const stream of streams) stream.end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
