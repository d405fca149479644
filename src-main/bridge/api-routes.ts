// The bridge's JSON API: the same operations the desktop app's preload offers, as POST/GET
// routes over StudioHost. Each handler validates its input (StudioHost parses every call) and
// answers with the Reply shape the page's bridge client unwraps.
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { basename, dirname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { EngineError } from '../engine/common/errors';
import type { StudioHost } from '../worker/host/studio-host';
import { assertWithinRoot } from '../worker/host/library';
import { baseHeaders, readJson, sendError, sendReply, statusOf, tooLarge } from './http-util';
import { LIBRARY_ROUTES } from './library-routes';

/**
 * Routes whose refusal is an ordinary answer, sent with 200 (the reply still says ok: false): the
 * page asks for an estimate on every settings change, and "no estimate for this model" must not
 * show in the browser's console as a failed request.
 */
const ANSWERS_WITH_REFUSAL: ReadonlySet<string> = new Set(['POST /api/estimate']);

/** Largest upload accepted: far above any photo, far below filling a disk by accident. */
const MAX_UPLOAD_BYTES = 512 * 1024 * 1024;

type Handler = (host: StudioHost, request: IncomingMessage, url: URL) => unknown;

function field(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
}

/** A name safe to create inside an upload folder: no separators, no leading dots. */
export function safeFileName(name: string): string {
  const cleaned = basename(name.replace(/\\/g, '/')).replace(/[^\p{L}\p{N} ._()-]/gu, '_').replace(/^\.+/, '');
  return cleaned.slice(-200) || 'photo';
}

async function upload(host: StudioHost, request: IncomingMessage, url: URL): Promise<unknown> {
  const length = request.headers['content-length'];
  const declared = length === undefined ? undefined : Number(length);
  const perFile = (): EngineError => tooLarge('That file is too large to upload (over 512 MB).');
  if (declared !== undefined && declared > MAX_UPLOAD_BYTES) throw perFile();
  const slot = await host.beginUpload(declared, MAX_UPLOAD_BYTES);
  const path = join(slot.folder, safeFileName(url.searchParams.get('name') ?? 'photo'));
  let size = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      done(size > slot.room ? (size > MAX_UPLOAD_BYTES ? perFile() : host.uploads.full()) : null, chunk);
    },
  });
  try {
    await pipeline(request, limit, createWriteStream(path, { flags: 'wx' }));
    return [await host.openOwn(path)];
  } catch (error) {
    // Half an upload, or one that is not a photo the library takes: nothing of it stays.
    await rm(slot.folder, { recursive: true, force: true });
    throw error;
  } finally {
    slot.release();
  }
}

async function exportResult(host: StudioHost, request: IncomingMessage): Promise<unknown> {
  const call = await readJson(request);
  const destination = field(call, 'destination');
  const root = host.info().browseRoot;
  // The page names the file; it must land inside the served folder, like everything it opens.
  if (typeof destination !== 'string' || !root) throw new EngineError('OUTPUT_UNWRITABLE', 'Choose a folder and a file name to save to.');
  await assertWithinRoot([dirname(destination)], root).catch(() => {
    throw new EngineError('OUTPUT_UNWRITABLE', `Cannot save to "${destination}": it is outside the served folder.`, 'Choose a folder inside it.');
  });
  // Replacing a file is the call's own `overwrite`: the page sets it once the person confirmed.
  return host.exportResult(call);
}

/** Models from a folder: in the browser only one inside the served folder, like photos. */
async function importModel(host: StudioHost, request: IncomingMessage): Promise<unknown> {
  const folder = field(await readJson(request), 'folder');
  const root = host.info().browseRoot;
  if (typeof folder !== 'string' || !root) throw new EngineError('INVALID_OPTION', 'Choose a folder to import the model from.');
  await assertWithinRoot([folder], root);
  return host.models.import(folder);
}

/**
 * Model or library events as Server-Sent Events, like the job stream (server.ts), for as long as
 * the page listens.
 */
function eventStream<E>(subscribe: (listener: (event: E) => void) => () => void, request: IncomingMessage, response: ServerResponse): void {
  response.writeHead(200, baseHeaders({ 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive' }));
  response.write(': connected\n\n');
  const unsubscribe = subscribe((event) => response.write(`data: ${JSON.stringify(event)}\n\n`));
  const heartbeat = setInterval(() => response.write(': keep-alive\n\n'), 15_000);
  request.on('close', () => {
    clearInterval(heartbeat);
    unsubscribe();
  });
}

const ROUTES: Record<string, Handler> = {
  'GET /api/info': (host) => host.info(),
  'GET /api/settings': (host) => host.loadSettings(),
  'POST /api/settings': async (host, request) => host.saveSettings(await readJson(request)),
  'POST /api/browse': async (host, request) => host.browse(field(await readJson(request), 'folder')),
  'POST /api/open': async (host, request) => host.open(field(await readJson(request), 'paths'), 'browse'),
  'POST /api/open-recent': async (host, request) => host.open(field(await readJson(request), 'paths'), 'recent'),
  'POST /api/upload': upload,
  'POST /api/restore': async (host, request) => host.restore(await readJson(request)),
  'POST /api/estimate': async (host, request) => host.estimate(await readJson(request)),
  'POST /api/cancel': async (host, request) => host.cancel(field(await readJson(request), 'jobId')) ?? null,
  'POST /api/export': exportResult,
  'GET /api/models': (host) => host.models.overview(),
  // A pull or a verify runs on; the page follows it on the model event stream.
  'POST /api/models/pull': async (host, request) => void host.models.pull(field(await readJson(request), 'id')),
  'POST /api/models/pause': async (host, request) => host.models.pause(field(await readJson(request), 'id')),
  'POST /api/models/cancel': async (host, request) => host.models.cancel(field(await readJson(request), 'id')),
  'POST /api/models/verify': async (host, request) => void host.models.verify(field(await readJson(request), 'id')),
  'POST /api/models/remove': async (host, request) => host.models.remove(field(await readJson(request), 'id')),
  'POST /api/models/import': importModel,
  ...LIBRARY_ROUTES,
};

/** Answers an /api/ request other than the event stream; false when no route matches. */
export async function handleApi(host: StudioHost, request: IncomingMessage, response: ServerResponse, url: URL): Promise<boolean> {
  if (request.method === 'GET' && url.pathname === '/api/model-events') {
    eventStream((listener) => host.models.onEvent(listener), request, response);
    return true;
  }
  if (request.method === 'GET' && url.pathname === '/api/library-events') {
    eventStream((listener) => host.library.onEvent(listener), request, response);
    return true;
  }
  const route = `${request.method} ${url.pathname}`;
  const handler = ROUTES[route];
  if (!handler) return false;
  try {
    sendReply(response, await handler(host, request, url));
  } catch (error) {
    if (error instanceof SyntaxError) sendError(response, new EngineError('INVALID_OPTION', 'The request was not valid JSON.'));
    else {
      const status = statusOf(error, ANSWERS_WITH_REFUSAL.has(route) ? 200 : 400);
      // The rest of a body too large to read is not waited for: the connection closes after the answer.
      if (status === 413) response.setHeader('Connection', 'close');
      sendError(response, error, status);
    }
  }
  return true;
}
