// Management of the models on disk: list every catalog model with its state, size and place;
// verify one for real (re-hash every file); remove one. Listing is cheap (sizes, no hashing) so
// the UI can call it often; verify is the slow, thorough check.
import { randomUUID } from 'node:crypto';
import { readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { EngineError, throwIfAborted } from '../common/errors';
import { isDownloadEntry, loadCatalog, modelEntry, type ModelEntry } from './catalog';
import { digestFile } from './digest';
import { isVerified, type ModelManifest } from './manifest';
import { packageRequirements, type PackageRequirements } from './package-requirements';
import { forgetVerified, recordVerified } from '../pure/package/package-check';
import { acquireModelLock, readLock, type LockActivity } from './model-lock';
import type { ProgressListener } from './model-progress';
import { installedState, modelDir } from './model-store';
import { modelsDir, studioHome } from './paths';
import { downloadDirFor, downloadFilesDir } from './pull';
import { readPullFailure, type PullFailure } from './pull-failure';
import { PARTIAL_SUFFIX, SIDECAR_SUFFIX } from './url-policy';

export type ModelStatus = 'ready' | 'unverified' | 'downloading' | 'converting' | 'paused' | 'downloaded' | 'failed' | 'damaged' | 'not-installed';

export interface ModelInfo {
  id: string;
  name: string;
  description: string;
  engine: string;
  default: boolean;
  licence: string;
  licenceNote?: string;
  requirements: ModelEntry['requirements'];
  /**
   * ready: installed, every original file pinned by the catalog; unverified: installed, but some
   * file was trusted on first use; downloading / converting: another task holds it right now;
   * paused: a download stopped part way (pull resumes it); downloaded: all files are here but
   * the conversion has not run to the end (pull retries it); failed: the last pull ended in an
   * error, recorded in `failure` (pull retries, resuming what was kept; discarding the downloads
   * clears it); damaged: files missing or the wrong size.
   */
  status: ModelStatus;
  /** Why the last pull failed, while the model is `failed`. */
  failure?: PullFailure;
  /** A tiny or random model: the catalog says so, or the installed package's own manifest does. */
  testModel: boolean;
  /** Where the ready model is, or will be. */
  dir: string;
  /** Bytes on disk: the model plus any downloads. */
  sizeOnDisk: number;
  /** Bytes in the download folder (partial files included). */
  downloadedBytes: number;
  problem?: string;
  /** The installed package's own size and (PURE) memory need, for ready and unverified models. */
  package?: PackageRequirements;
  /**
   * How a damaged model is put right: 'download' fetches (and converts) it again; 'import' reads
   * it again from `importedFrom`, the folder it was imported from (which still exists).
   */
  repair?: 'download' | 'import';
  importedFrom?: string;
  /** The process holding the model's lock, when one does. */
  busy?: { pid: number; host: string; activity: LockActivity; since: string };
  /** Shipped inside the app (read only). */
  bundled: boolean;
}

export interface StoreOptions {
  home?: string;
  catalog?: ModelEntry[];
}

/**
 * Bytes under `dir`; `payloadBytes` leaves out the download sidecars (a few hundred bytes of
 * state each), so that "downloaded" counts only the model's own bytes.
 */
async function treeSize(dir: string): Promise<{ bytes: number; payloadBytes: number; partial: boolean; files: number }> {
  let entries;
  try {
    entries = await readdir(dir, { recursive: true, withFileTypes: true });
  } catch {
    return { bytes: 0, payloadBytes: 0, partial: false, files: 0 };
  }
  let bytes = 0;
  let payloadBytes = 0;
  let partial = false;
  let files = 0;
  for (const e of entries.filter((x) => x.isFile())) {
    const size = await stat(join(e.parentPath, e.name)).then((s) => s.size, () => 0);
    bytes += size;
    if (e.name.endsWith(SIDECAR_SUFFIX) || e.name.endsWith(`${SIDECAR_SUFFIX}.tmp`)) continue;
    payloadBytes += size;
    partial ||= e.name.endsWith(PARTIAL_SUFFIX);
    files++;
  }
  return { bytes, payloadBytes, partial, files };
}

export async function modelInfo(entry: ModelEntry, home: string): Promise<ModelInfo> {
  const [lock, installed, downloads] = await Promise.all([readLock(entry.id, home), installedState(entry.id, home), treeSize(downloadDirFor(entry.id, home))]);
  const payload = await treeSize(downloadFilesDir(entry.id, home));
  const bundled = installed.dir !== modelDir(entry.id, home);
  const packageBytes = bundled ? 0 : (await treeSize(installed.dir)).bytes;
  const info: ModelInfo = {
    id: entry.id,
    name: entry.name,
    description: entry.description,
    engine: entry.engine,
    default: entry.default,
    licence: entry.licence,
    licenceNote: entry.licenceNote,
    requirements: entry.requirements,
    status: 'not-installed',
    testModel: entry.testModel === true || ('manifest' in installed && installed.manifest?.testModel === true),
    dir: installed.dir,
    sizeOnDisk: packageBytes + downloads.bytes,
    downloadedBytes: payload.payloadBytes,
    bundled,
  };
  if (lock && !lock.stale) info.busy = { pid: lock.pid, host: lock.host, activity: lock.activity, since: lock.startedAt };
  if (info.busy?.activity === 'downloading') info.status = 'downloading';
  else if (info.busy?.activity === 'converting' || info.busy?.activity === 'importing') info.status = 'converting';
  else if (installed.kind === 'ok') info.status = isVerified(installed.manifest) ? 'ready' : 'unverified';
  else if (installed.kind === 'damaged') [info.status, info.problem] = ['damaged', installed.problem];
  else if (isDownloadEntry(entry)) {
    const failure = await readPullFailure(entry.id, home);
    if (failure) [info.status, info.failure] = ['failed', failure];
    else if (payload.files > 0) info.status = payload.partial ? 'paused' : 'downloaded';
  }
  if (installed.kind === 'ok') info.package = await packageRequirements(installed.dir, entry.engine, installed.bytes);
  if (installed.kind !== 'missing' && !bundled) Object.assign(info, await repairRoute(entry, installed.manifest));
  return info;
}

/**
 * How Repair would reinstall the model: from the folder it was imported from while that folder is
 * still there, else by downloading it again (every catalog model can be downloaded).
 */
async function repairRoute(entry: ModelEntry, manifest: ModelManifest | undefined): Promise<Pick<ModelInfo, 'repair' | 'importedFrom'>> {
  const source = manifest?.source;
  if (source && 'kind' in source && source.kind === 'import' && (await stat(source.from).then((s) => s.isDirectory(), () => false))) {
    return { repair: 'import', importedFrom: source.from };
  }
  // A TEST MODEL downloaded again would come back as the catalog's real model: only Remove then.
  return manifest?.testModel === true && entry.testModel !== true ? {} : { repair: 'download' };
}

/** Every model of the catalog, in catalog order. */
export async function listModels(options: StoreOptions = {}): Promise<ModelInfo[]> {
  const home = options.home ?? studioHome();
  return Promise.all((options.catalog ?? loadCatalog()).map((entry) => modelInfo(entry, home)));
}

export interface VerifyReport {
  id: string;
  status: 'ready' | 'unverified' | 'damaged' | 'not-installed';
  problems: string[];
  checkedBytes: number;
}

/** Re-hashes every file of an installed model against its manifest. */
export async function verifyModel(id: string, options: StoreOptions & { signal?: AbortSignal; onProgress?: ProgressListener } = {}): Promise<VerifyReport> {
  const home = options.home ?? studioHome();
  modelEntry(id, options.catalog ?? loadCatalog()); // unknown ids are a usage error
  const installed = await installedState(id, home);
  if (installed.kind === 'missing') return { id, status: 'not-installed', problems: [], checkedBytes: 0 };
  if (!installed.manifest) return { id, status: 'damaged', problems: [installed.kind === 'damaged' ? installed.problem : 'no manifest'], checkedBytes: 0 };
  const manifest = installed.manifest;
  const total = manifest.files.reduce((sum, f) => sum + f.size, 0);
  const problems: string[] = [];
  let checkedBytes = 0;
  for (const file of manifest.files) {
    throwIfAborted(options.signal);
    options.onProgress?.({ id, phase: 'verifying', file: file.name, fraction: total ? checkedBytes / total : 0 });
    const digest = await digestFile(join(installed.dir, file.name)).catch(() => undefined);
    if (!digest) problems.push(`${file.name} is missing.`);
    else if (digest.size !== file.size || digest.sha256 !== file.sha256) problems.push(`${file.name} does not match its recorded sha256.`);
    checkedBytes += digest?.size ?? 0;
  }
  // A PURE load trusts the last full proof while sizes and mtimes match (package-check.ts): record
  // this one, or drop it when something is damaged so that the next load hashes again.
  if (manifest.engine === 'pure') await (problems.length ? forgetVerified(installed.dir) : recordVerified(installed.dir, manifest.files));
  options.onProgress?.({ id, phase: 'done', fraction: 1 });
  const status = problems.length ? 'damaged' : isVerified(manifest) ? 'ready' : 'unverified';
  return { id, status, problems, checkedBytes };
}

/** Deletes an installed model (and, unless kept, its downloads); returns the bytes freed. */
export async function removeModel(id: string, options: StoreOptions & { keepDownloads?: boolean } = {}): Promise<number> {
  const home = options.home ?? studioHome();
  const entry = modelEntry(id, options.catalog ?? loadCatalog());
  if ((await modelInfo(entry, home)).bundled) throw new EngineError('INVALID_OPTION', `"${id}" is bundled with the app and cannot be removed.`);
  const lock = await acquireModelLock(id, { home, activity: 'removing' });
  try {
    const dir = modelDir(id, home);
    // Out of sight in one rename first: a reader never finds a model folder half deleted.
    const doomed = join(modelsDir(home), `.${id}.removing-${randomUUID()}`);
    const moved = await rename(dir, doomed).then(() => true, (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return false;
      throw error;
    });
    let freed = 0;
    if (moved) {
      freed += (await treeSize(doomed)).bytes;
      await rm(doomed, { recursive: true, force: true });
    }
    if (!options.keepDownloads) {
      freed += (await treeSize(downloadDirFor(id, home))).bytes;
      await rm(downloadDirFor(id, home), { recursive: true, force: true });
    }
    return freed;
  } finally {
    await lock.release();
  }
}
