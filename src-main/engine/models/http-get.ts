// One GET with node:http/https: redirects followed by hand (so every hop is checked against the
// URL policy and a token never leaks to a CDN host), a proxy tunnel when the environment asks for
// one, a deadline for the response headers, and cancel through an AbortSignal.
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { cancelledError } from '../common/errors';
import { openTunnel, proxyFor } from './proxy';
import { describeUrl, socketError, stalledError, TransferError } from './transfer-errors';
import { isAllowedUrl, isLoopbackHost, URL_RULE } from './url-policy';

export interface GetOptions {
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** How long to wait for the response headers. */
  timeoutMs: number;
  /** Where the proxy variables come from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Overrides the environment: a proxy URL, or null for a direct connection. */
  proxy?: string | null;
  /** An Authorization header sent only to this host (never to the hosts it redirects to). */
  authorization?: { host: string; value: string };
  maxRedirects?: number;
}

export interface GetResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: IncomingMessage;
  /** The URL that answered, after redirects. */
  url: string;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
export const USER_AGENT = 'PURE-Studio (model manager)';

export async function httpGet(url: string, options: GetOptions): Promise<GetResponse> {
  let current = url;
  for (let hop = 0; hop <= (options.maxRedirects ?? 10); hop++) {
    const res = await requestOnce(current, options);
    const location = res.headers.location;
    if (!REDIRECTS.has(res.statusCode ?? 0) || !location) return { status: res.statusCode ?? 0, headers: res.headers, body: res, url: current };
    res.resume(); // nothing to read in a redirect: let the socket go back to the pool
    const next = new URL(location, current).toString();
    // A remote server must not be able to steer us to a service on this machine.
    if (!isLoopbackHost(new URL(current).hostname) && isLoopbackHost(new URL(next).hostname)) {
      throw new TransferError('NETWORK', `${describeUrl(current)} redirected to a local address; refused.`, undefined, false);
    }
    current = next;
  }
  throw new TransferError('NETWORK', `Too many redirects from ${describeUrl(url)}.`, undefined, false);
}

async function requestOnce(url: string, options: GetOptions): Promise<IncomingMessage> {
  if (!isAllowedUrl(url)) throw new TransferError('NETWORK', `Refusing to fetch ${describeUrl(url)}: the URL ${URL_RULE}.`, undefined, false);
  if (options.signal?.aborted) throw cancelledError();
  const target = new URL(url);
  const headers: Record<string, string> = { 'user-agent': USER_AGENT, 'accept-encoding': 'identity', ...options.headers };
  if (options.authorization && options.authorization.host === target.host) headers.authorization = options.authorization.value;

  const proxy = options.proxy === undefined ? proxyFor(url, options.env ?? process.env) : (options.proxy ?? undefined);
  let socket: Socket | undefined;
  if (proxy) {
    const port = Number(target.port || (target.protocol === 'https:' ? 443 : 80));
    const tunnel = await openTunnel(proxy, target.hostname, port, { signal: options.signal, timeoutMs: options.timeoutMs });
    socket = target.protocol === 'https:' ? tlsConnect({ socket: tunnel, servername: target.hostname }) : tunnel;
  }

  return new Promise<IncomingMessage>((resolve, reject) => {
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(target, {
      method: 'GET',
      headers,
      // A tunnelled socket belongs to this one request; otherwise the default keep-alive agent.
      ...(socket ? { agent: false, createConnection: () => socket } : {}),
    });
    const timer = setTimeout(() => req.destroy(stalledError(url, options.timeoutMs)), options.timeoutMs);
    const onAbort = (): void => void req.destroy(cancelledError());
    const settle = (): void => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    req.once('response', (res) => {
      settle();
      resolve(res);
    });
    req.once('error', (error) => {
      settle();
      reject(socketError(error, url));
    });
    req.end();
  });
}
