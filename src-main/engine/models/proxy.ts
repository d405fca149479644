// Proxy support without dependencies: the usual environment variables decide (lowercase first,
// as curl does), and HTTPS goes through an HTTP CONNECT tunnel that TLS is then run inside, so
// the proxy never sees the bytes. Limits (documented in docs/models.md): the proxy itself is
// spoken to in plain HTTP (an https:// proxy URL is refused), NO_PROXY matches host names and
// suffixes (no CIDR ranges), and loopback addresses never go through a proxy.
import { request } from 'node:http';
import type { Socket } from 'node:net';
import { cancelledError, EngineError } from '../common/errors';
import { TransferError } from './transfer-errors';
import { isLoopbackHost } from './url-policy';

const pick = (env: NodeJS.ProcessEnv, ...names: string[]): string | undefined =>
  names.map((n) => env[n]?.trim()).find((value) => value !== undefined && value !== '');

function defaultPort(protocol: string): string {
  return protocol === 'https:' ? '443' : '80';
}

/** Whether NO_PROXY exempts this host: "*", exact names, ".suffix" / "*.suffix", optional ":port". */
export function bypassesProxy(url: URL, noProxy: string): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = url.port || defaultPort(url.protocol);
  for (const raw of noProxy.split(/[\s,]+/)) {
    if (!raw) continue;
    if (raw === '*') return true;
    const match = /^(.*?)(?::(\d+))?$/.exec(raw.toLowerCase());
    const [, name = '', wantPort] = match ?? [];
    if (wantPort && wantPort !== port) continue;
    const bare = name.replace(/^\*?\./, '');
    if (host === bare || host.endsWith(`.${bare}`)) return true;
  }
  return false;
}

/** The proxy URL to use for `target`, or undefined for a direct connection. */
export function proxyFor(target: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const url = new URL(target);
  if (isLoopbackHost(url.hostname)) return undefined;
  if (bypassesProxy(url, pick(env, 'no_proxy', 'NO_PROXY') ?? '')) return undefined;
  const proxy = url.protocol === 'https:' ? pick(env, 'https_proxy', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY') : pick(env, 'http_proxy', 'HTTP_PROXY', 'all_proxy', 'ALL_PROXY');
  if (!proxy) return undefined;
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(proxy) ? proxy : `http://${proxy}`;
}

/** Opens a CONNECT tunnel through `proxy` to host:port; the socket then carries TLS (or HTTP). */
export function openTunnel(proxy: string, host: string, port: number, options: { signal?: AbortSignal; timeoutMs: number }): Promise<Socket> {
  const p = new URL(proxy);
  if (p.protocol !== 'http:') {
    return Promise.reject(new EngineError('INVALID_OPTION', `Unsupported proxy ${p.protocol}//${p.host}: only http:// proxies (with CONNECT) are supported.`));
  }
  const authority = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const headers: Record<string, string> = { host: authority };
  if (p.username) {
    const credentials = `${decodeURIComponent(p.username)}:${decodeURIComponent(p.password)}`;
    headers['proxy-authorization'] = `Basic ${Buffer.from(credentials).toString('base64')}`;
  }
  return new Promise<Socket>((resolve, reject) => {
    const req = request({ host: p.hostname, port: Number(p.port || 80), method: 'CONNECT', path: authority, headers, agent: false });
    const fail = (error: Error): void => {
      cleanup();
      req.destroy();
      reject(error);
    };
    const timer = setTimeout(() => fail(new TransferError('NETWORK', `The proxy ${p.host} did not answer.`, 'Check HTTPS_PROXY.', true)), options.timeoutMs);
    const onAbort = (): void => fail(cancelledError());
    const cleanup = (): void => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    req.once('connect', (res, socket, head) => {
      cleanup();
      if (res.statusCode !== 200) {
        socket.destroy();
        const hint = res.statusCode === 407 ? 'The proxy wants credentials: put them in the proxy URL (http://user:password@host:port).' : 'Check HTTPS_PROXY / NO_PROXY.';
        reject(new TransferError('NETWORK', `The proxy ${p.host} refused to connect to ${authority} (HTTP ${res.statusCode}).`, hint, false));
        return;
      }
      if (head.length > 0) socket.unshift(head);
      resolve(socket);
    });
    req.once('error', (error) => fail(new TransferError('NETWORK', `Could not reach the proxy ${p.host}: ${(error as NodeJS.ErrnoException).code ?? error.message}.`, 'Check HTTPS_PROXY.', true, { cause: error })));
    req.end();
  });
}
