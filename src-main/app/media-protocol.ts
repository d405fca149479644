// pure-media://image/?path=... and pure-media://thumb/?path=...: how the desktop page gets its
// images. Every request is checked by the StudioHost's MediaScope (files the person opened, files
// the app produced, its thumbnail cache), so the page can never read an arbitrary path.
import { readFile } from 'node:fs/promises';
import { protocol } from 'electron';
import type { Session } from 'electron';
import { MEDIA_SCHEME } from '../protocol/api';
import type { StudioHost } from '../worker/host/studio-host';

/** Must run before the app is ready: makes the scheme behave like https for fetch and CSP. */
export function registerMediaScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: MEDIA_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } }]);
}

const notFound = (): Response => new Response('Not found.', { status: 404, headers: { 'Content-Type': 'text/plain' } });

export function handleMediaProtocol(session: Session, host: StudioHost, log: (line: string) => void): void {
  session.protocol.handle(MEDIA_SCHEME, async (request) => {
    const url = new URL(request.url);
    const kind = url.hostname === 'thumb' ? 'thumb' : url.hostname === 'image' ? 'image' : undefined;
    const path = url.searchParams.get('path');
    if (!kind || !path || request.method !== 'GET') return notFound();
    try {
      const media = await host.media(kind, path);
      if (!media) return notFound();
      return new Response(await readFile(media.path), {
        headers: { 'Content-Type': media.contentType, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' },
      });
    } catch (error) {
      log(`media ${kind} failed for ${path}: ${(error as Error).message}`);
      return new Response('This image cannot be shown.', { status: 422 });
    }
  });
}
