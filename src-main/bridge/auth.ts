// Who may talk to the bridge: only a page that was given the random token printed at start.
// The token arrives once in the URL's query (the page moves it to sessionStorage and the bridge
// sets an HttpOnly cookie, so images and scripts load without it in their URLs); afterwards
//  - the JSON API requires it in a header: other sites' pages cannot add custom headers without
//    a CORS preflight, which the bridge never grants, so they cannot make the page's requests;
//  - static files and images accept the cookie (an <img> cannot send headers).
// Every request must also name the bridge's own loopback address as its Host, which defeats DNS
// rebinding (a hostile name resolving to 127.0.0.1 still sends its own Host).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { BRIDGE } from '../protocol/api';

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Constant-time comparison: a wrong token reveals nothing through timing. */
export function sameToken(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}

/**
 * The cookie's name carries the port: browsers keep cookies per host, not per port, so bridges on
 * two ports of 127.0.0.1 would otherwise overwrite each other's and one page would stop loading.
 */
export function tokenCookieName(port: number): string {
  return `${BRIDGE.tokenCookie}_${port}`;
}

export function tokenCookie(token: string, port: number): string {
  return `${tokenCookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}

export type Credential = 'header' | 'cookie' | 'query';

/** The ways this request proves it holds the token. */
export function credentials(request: IncomingMessage, url: URL, token: string, port: number): Set<Credential> {
  const found = new Set<Credential>();
  const header = request.headers[BRIDGE.tokenHeader];
  if (sameToken(Array.isArray(header) ? header[0] : header, token)) found.add('header');
  if (sameToken(cookieValue(request.headers.cookie, tokenCookieName(port)), token)) found.add('cookie');
  if (sameToken(url.searchParams.get(BRIDGE.tokenParam) ?? undefined, token)) found.add('query');
  return found;
}

/** The Host (and, when sent, Origin) must be this bridge's own loopback address. */
export function fromOwnOrigin(request: IncomingMessage, port: number): boolean {
  const hosts = [`127.0.0.1:${port}`, `localhost:${port}`];
  if (!hosts.includes(request.headers.host ?? '')) return false;
  const origin = request.headers.origin;
  return origin === undefined || hosts.some((host) => origin === `http://${host}`);
}
