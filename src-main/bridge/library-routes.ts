// The bridge's routes for the photo library: the same calls as the desktop app's IPC, over
// PhotoLibrary (which parses every one). An output folder named by the page is accepted only
// inside the served folder (PhotoLibrary.setSettings, untrusted).
import type { IncomingMessage } from 'node:http';
import type { StudioHost } from '../worker/host/studio-host';
import { readJson } from './http-util';

type Handler = (host: StudioHost, request: IncomingMessage) => unknown;

function field(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
}

export const LIBRARY_ROUTES: Record<string, Handler> = {
  'GET /api/library': (host) => host.library.snapshot(),
  'POST /api/library/restore': async (host, request) => host.library.restorePhotos(await readJson(request)),
  'POST /api/library/restore-all': async (host, request) => host.library.restoreAll(await readJson(request)),
  'POST /api/library/pause': async (host, request) => host.library.pause(field(await readJson(request), 'paused')) ?? null,
  'POST /api/library/retry-failed': (host) => host.library.retryFailed(),
  'POST /api/library/cancel': async (host, request) => (await host.library.cancel(field(await readJson(request), 'ids'))) ?? null,
  'POST /api/library/move': async (host, request) => {
    const body = await readJson(request);
    return (await host.library.move(field(body, 'id'), field(body, 'toIndex'))) ?? null;
  },
  'POST /api/library/remove': async (host, request) => (await host.library.remove(field(await readJson(request), 'ids'))) ?? null,
  'POST /api/library/overrides': async (host, request) => {
    const body = await readJson(request);
    return host.library.setOverrides(field(body, 'id'), field(body, 'overrides'));
  },
  'POST /api/library/settings': async (host, request) => host.library.setSettings(await readJson(request), false),
  'POST /api/library/save-all': (host) => host.library.saveAllRestored(),
};
