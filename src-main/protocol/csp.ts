// The renderer's Content Security Policy, in one place. Main sends it as a response header
// (dev server, any http load), the HTTP bridge sends it with every response, and
// src-renderer/index.html carries the same policy in a <meta> tag, because pages loaded from
// file:// get no headers (csp.test.ts keeps the two equal).
// Pure: no electron, so the bridge, the e2e static server and the build config can use it too.

type Directives = Record<string, readonly string[]>;

const STRICT: Directives = {
  'default-src': ["'none'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  // pure-media: serves opened photos and results in the desktop app (app/media-protocol.ts).
  'img-src': ["'self'", 'blob:', 'pure-media:'],
  // The bridge's API lives on the page's own origin; nothing else is ever fetched.
  'connect-src': ["'self'"],
  'font-src': ["'self'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
};

/** Only honoured in a header; Chromium warns on the console when a <meta> tag carries it. */
const HEADER_ONLY: Directives = { 'frame-ancestors': ["'none'"] };

export interface CspOptions {
  /** 'meta' leaves out what a <meta> tag cannot carry. */
  delivery: 'header' | 'meta';
  /**
   * For the Vite dev server only: it injects CSS as <style> elements and talks to its client
   * over a WebSocket to its own origin ('self' covers ws: to the same host), so the dev policy
   * allows exactly that and no more.
   */
  dev?: boolean;
}

export function contentSecurityPolicy({ delivery, dev = false }: CspOptions): string {
  const directives: Record<string, string[]> = {};
  for (const [name, sources] of Object.entries({ ...STRICT, ...(delivery === 'header' ? HEADER_ONLY : {}) })) {
    directives[name] = [...sources];
  }
  if (dev) {
    directives['style-src'].push("'unsafe-inline'");
    directives['connect-src'] = ["'self'"];
  }
  return Object.entries(directives)
    .map(([name, sources]) => `${name} ${sources.join(' ')}`)
    .join('; ');
}
