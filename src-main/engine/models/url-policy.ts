// Which URLs a model may be fetched from, and which file names a download may write. Shared by
// the catalog (checked when it is loaded) and the downloader (checked again on every redirect),
// so a hand-edited catalog or a hostile redirect cannot send bytes over plain HTTP or write
// outside the model's folder.

/** 127.0.0.0/8, ::1 and localhost: the only hosts plain HTTP may reach (local test servers). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** https:// anywhere; http:// only to loopback. */
export function isAllowedUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.username || parsed.password) return false; // credentials never live in a catalog
  return parsed.protocol === 'https:' || (parsed.protocol === 'http:' && isLoopbackHost(parsed.hostname));
}

export const URL_RULE = 'must be an https:// URL (plain http:// is allowed only to a loopback address)';

/** Suffixes the downloader uses for its own files beside a download. */
export const PARTIAL_SUFFIX = '.partial';
export const SIDECAR_SUFFIX = '.partial.json';

/**
 * A relative file name inside a model's folder: forward slashes, no `..`, no hidden segments
 * (those are ours), nothing that looks like our partial files.
 */
export function isSafeRelativeName(name: string): boolean {
  if (!/^[A-Za-z0-9._\-/]+$/.test(name) || name.length > 200) return false;
  const segments = name.split('/');
  if (segments.some((s) => s === '' || s.startsWith('.'))) return false;
  return !name.endsWith(PARTIAL_SUFFIX) && !name.endsWith(SIDECAR_SUFFIX);
}

export const NAME_RULE = 'must be a relative path of letters, digits, ".", "_", "-" and "/" without hidden or ".." segments';
