// Download failures as EngineErrors that also say whether trying again can help: a dropped
// connection or a 503 is worth a retry with backoff, a 404 or a bad certificate is not.
import { EngineError, type EngineErrorOptions, type ErrorCode } from '../common/errors';
import { GUI_HINTS } from './gui-hints';

export class TransferError extends EngineError {
  constructor(
    code: ErrorCode,
    message: string,
    hint: string | undefined,
    readonly retryable: boolean,
    options?: EngineErrorOptions,
  ) {
    super(code, message, hint, options);
  }
}

export const isRetryable = (error: unknown): boolean => error instanceof TransferError && error.retryable;

/** The URL without its query (signed CDN links carry tokens there) for messages and logs. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return url;
  }
}

const NETWORK_HINT = 'Check the internet connection (and HTTPS_PROXY / NO_PROXY if you use a proxy), then pull again: the download resumes where it stopped.';

export function httpStatusError(status: number, url: string): TransferError {
  const where = describeUrl(url);
  if (status === 404 || status === 410) {
    return new TransferError('NETWORK', `The server has no file at ${where} (HTTP ${status}).`, 'The model catalog may be out of date: update PURE Studio, or download the files yourself and use `models import`.', false, {
      gui: { hint: GUI_HINTS.catalogOutOfDate },
    });
  }
  if (status === 401 || status === 403) {
    return new TransferError('NETWORK', `The server refused access to ${where} (HTTP ${status}).`, 'The model may require accepting its licence on its web page and a token (set HF_TOKEN for Hugging Face).', false);
  }
  if (status === 408 || status === 429 || status >= 500) {
    return new TransferError('NETWORK', `The server failed while sending ${where} (HTTP ${status}).`, 'The server has a problem or is busy; try again later: the download resumes where it stopped.', true);
  }
  return new TransferError('NETWORK', `Unexpected answer from the server for ${where} (HTTP ${status}).`, undefined, false);
}

const WHY: Record<string, string> = {
  ENOTFOUND: 'the name does not resolve (offline, or DNS blocked?)',
  EAI_AGAIN: 'the name does not resolve right now',
  ECONNREFUSED: 'the connection was refused',
  ECONNRESET: 'the connection was reset',
  ETIMEDOUT: 'the connection timed out',
  ENETUNREACH: 'the network is unreachable',
  EHOSTUNREACH: 'the host is unreachable',
};

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS/;

/** A socket-level error (refused, reset, DNS, TLS) as a TransferError. */
export function socketError(error: unknown, url: string): EngineError {
  if (error instanceof EngineError) return error;
  const code = (error as NodeJS.ErrnoException).code ?? '';
  const detail = code || (error as Error).message;
  const host = (() => {
    try {
      return new URL(url).host;
    } catch {
      return url;
    }
  })();
  if (TLS_CODES.test(code)) {
    return new TransferError('NETWORK', `The TLS certificate of ${host} is not trusted (${detail}).`, 'If a proxy or antivirus inspects HTTPS, point NODE_EXTRA_CA_CERTS at its certificate.', false, { cause: error });
  }
  const why = WHY[code] ? `${WHY[code]} (${code})` : detail;
  return new TransferError('NETWORK', `Could not download from ${host}: ${why}.`, NETWORK_HINT, true, { cause: error, gui: { hint: GUI_HINTS.network } });
}

export function stalledError(url: string, ms: number): TransferError {
  return new TransferError('DOWNLOAD_STALLED', `The download from ${describeUrl(url)} received nothing for ${Math.round(ms / 1000)} s.`, NETWORK_HINT, true, { gui: { hint: GUI_HINTS.network } });
}
