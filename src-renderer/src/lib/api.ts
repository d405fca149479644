// Where the page finds its API: the desktop preload's `window.pureStudio`, or, when the page was
// opened from `npm run serve`, the HTTP bridge. The bridge's link carries a token in its query;
// it is moved into sessionStorage and out of the address bar (and so out of history and
// screenshots) at once. In a plain browser with neither, there is no engine and the page says so.
import type { PureStudioApi } from '../../../src-main/protocol/api';
import { BridgeClient } from './bridge-client';

const TOKEN_KEY = 'pure-studio-token';

function takeBridgeToken(): string | undefined {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    history.replaceState(null, '', url.pathname + url.search + url.hash);
    return fromUrl;
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
}

export function findApi(): PureStudioApi | undefined {
  const preload = (window as Window & { pureStudio?: PureStudioApi }).pureStudio;
  if (preload) return preload;
  if (window.location.protocol !== 'http:' && window.location.protocol !== 'https:') return undefined;
  const token = takeBridgeToken();
  return token ? new BridgeClient(token) : undefined;
}
