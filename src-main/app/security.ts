// Session-wide hardening: the CSP header on every response and no permissions at all (camera,
// notifications, geolocation...): a photo restorer needs none, and asking would only confuse.
import type { Session } from 'electron';

export function hardenSession(session: Session, csp: string): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } });
  });
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}
