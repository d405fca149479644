// `pull`: from a catalog id to a ready model, safely re-runnable at any point. Under the model's
// lock: plan the files, check free space, download what is missing (resuming partial files),
// convert and validate, publish, then drop the downloads. A cancel or a failure leaves every
// verified download in <models>/.downloads/<id>/ for the next pull; nothing half-made is ever
// where a ready model is expected.
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EngineError } from '../common/errors';
import { isDownloadEntry, loadCatalog, modelEntry, type DownloadEntry, type ModelEntry } from './catalog';
import { listFiles, type ConverterRegistry } from './converters';
import { digestFile } from './digest';
import { ensureFreeSpace, type FreeSpaceProbe } from './disk-space';
import { DEFAULT_TRANSFER, downloadFile, type TransferSettings } from './download-file';
import { planAuthorization, planDownload, withTrustedDigests, type PlannedFile, type PlanOptions } from './download-plan';
import { installNcnnModel } from './install-ncnn-model';
import { installPackage } from './install-package';
import type { SourceFile } from './manifest';
import { acquireModelLock } from './model-lock';
import { RateMeter, throttled, type ProgressListener } from './model-progress';
import { installedState } from './model-store';
import { clearPullFailure, recordPullFailure, type PullStage } from './pull-failure';
import { downloadsDir, studioHome } from './paths';
import { recordTrust } from './trust-store';
import { isRetryable } from './transfer-errors';
import { PARTIAL_SUFFIX } from './url-policy';
import { GUI_HINTS } from './gui-hints';

export interface PullOptions {
  home?: string;
  /** Default: $PURE_STUDIO_CATALOG or the built-in catalog. */
  catalog?: ModelEntry[];
  signal?: AbortSignal;
  onProgress?: ProgressListener;
  /** Wait while another instance holds the model, instead of failing with MODEL_LOCKED. */
  wait?: boolean;
  /** Free-space probe (tests inject a small figure). */
  freeSpace?: FreeSpaceProbe;
  transfer?: Partial<TransferSettings>;
  converters?: ConverterRegistry;
  /** Keep the original files after a successful conversion (default: delete them). */
  keepDownloads?: boolean;
  env?: NodeJS.ProcessEnv;
  /** A proxy URL, or null for none; default: from the environment. */
  proxy?: string | null;
  /** Forget digests recorded on first use (the publisher replaced a file on purpose). */
  retrust?: boolean;
}

export type PullOutcome = 'installed' | 'present';

const VERIFIED_FILE = 'verified.json';
type VerifiedRecords = Record<string, { size: number; mtimeMs: number; sha256: string }>;

/** A model's download folder: plan.json and verified.json, and the files themselves in files/. */
export const downloadDirFor = (id: string, home: string): string => join(downloadsDir(home), id);
export const downloadFilesDir = (id: string, home: string): string => join(downloadDirFor(id, home), 'files');

export async function pullModel(id: string, options: PullOptions = {}): Promise<PullOutcome> {
  const env = options.env ?? process.env;
  const home = options.home ?? studioHome(env);
  const entry = modelEntry(id, options.catalog ?? loadCatalog(env));
  const report = options.onProgress ?? (() => {});
  const lock = await acquireModelLock(id, {
    home,
    activity: 'downloading',
    wait: options.wait,
    signal: options.signal,
    onWait: (holder) => report({ id, phase: 'waiting', message: `waiting for process ${holder.pid}, which is ${holder.activity} it` }),
  });
  try {
    if (!isDownloadEntry(entry)) {
      return await installNcnnModel(entry, { home, signal: options.signal, log: (message) => report({ id, phase: 'installing', message }) });
    }
    if ((await installedState(id, home)).kind === 'ok') return 'present';
    await clearPullFailure(id, home);
    let stage: PullStage = 'download';
    try {
      const { sources, revision } = await fetchAll(entry, home, options);
      stage = 'convert';
      await lock.setActivity('converting');
      const filesDir = downloadFilesDir(id, home);
      await pruneExtras(filesDir, new Set(sources.map((s) => s.name)));
      await installPackage(entry, filesDir, sources, { kind: 'download', revision }, { home, converters: options.converters, signal: options.signal, onProgress: report });
    } catch (error) {
      // A pause or cancel is the user's choice; anything else is remembered so that the model
      // lists as failed, with why, until the next pull (the kept files make that a resume).
      const stopped = options.signal?.aborted || (error instanceof EngineError && error.code === 'CANCELLED');
      if (!stopped) await recordPullFailure(id, home, stage, error).catch(() => undefined);
      throw error;
    }
    if (!options.keepDownloads) await rm(downloadDirFor(id, home), { recursive: true, force: true });
    report({ id, phase: 'done' });
    return 'installed';
  } finally {
    await lock.release();
  }
}

/** The converter reads the whole folder: leftovers of an older plan must not end up in a package. */
async function pruneExtras(filesDir: string, keep: Set<string>): Promise<void> {
  const names = await listFiles(filesDir).catch(() => []);
  for (const name of names) if (!keep.has(name)) await rm(join(filesDir, name), { force: true });
}

/** For the small listing request: a couple of quick retries (a failing network fails fast). */
async function retrying<T>(fn: () => Promise<T>, settings: TransferSettings, signal?: AbortSignal): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (!isRetryable(error) || attempt >= Math.min(2, settings.retries) || signal?.aborted) throw error;
      await new Promise((resolve) => setTimeout(resolve, settings.backoffMs * 2 ** attempt));
    }
  }
}

/** Downloads every planned file not already verified on disk; returns their provenance. */
async function fetchAll(entry: DownloadEntry, home: string, options: PullOptions): Promise<{ sources: SourceFile[]; revision?: string }> {
  const id = entry.id;
  const env = options.env ?? process.env;
  const settings = { ...DEFAULT_TRANSFER, ...options.transfer };
  const dir = downloadDirFor(id, home);
  const filesDir = downloadFilesDir(id, home);
  const planOptions: PlanOptions = { home, env, signal: options.signal, proxy: options.proxy, timeoutMs: settings.stallMs, retrust: options.retrust };
  options.onProgress?.({ id, phase: 'resolving' });
  const plan = await retrying(() => planDownload(entry, dir, planOptions), settings, options.signal);
  const files = await withTrustedDigests(plan, planOptions);

  const verified = await readVerified(dir);
  const done = new Map<string, SourceFile>();
  for (const file of files) {
    const record = await alreadyVerified(file, filesDir, verified);
    if (record) done.set(file.name, record);
  }
  await checkDisk(entry, files, done, filesDir, options.freeSpace);

  const totalBytes = files.reduce((sum, f) => sum + (f.size ?? f.approxBytes ?? 0), 0);
  let completed = [...done.values()].reduce((sum, f) => sum + f.size, 0);
  const meter = new RateMeter();
  const emit = throttled(options.onProgress);
  for (const file of files.filter((f) => !done.has(f.name))) {
    let current = 0;
    const tell = (): void => {
      const bytesDone = completed + current;
      emit({ id, phase: 'downloading', file: file.name, bytesDone, bytesTotal: totalBytes, bytesPerSecond: meter.bytesPerSecond(), etaSeconds: meter.etaSeconds(totalBytes - bytesDone) });
    };
    let result;
    try {
      result = await downloadFile(file, filesDir, {
        settings,
        signal: options.signal,
        env,
        proxy: options.proxy,
        authorization: planAuthorization(entry, env),
        onStart: (present) => ((current = present), tell()),
        onBytes: (delta) => ((current += delta), meter.add(delta), tell()),
        onVerifying: () => options.onProgress?.({ id, phase: 'verifying', file: file.name }),
      });
    } catch (error) {
      throw explainTrustMismatch(error, file, entry.id);
    }
    completed += result.size;
    const info = await stat(result.path);
    verified[file.name] = { size: result.size, mtimeMs: info.mtimeMs, sha256: result.sha256 };
    await writeFile(join(dir, VERIFIED_FILE), JSON.stringify(verified, null, 2));
    if (file.trust !== 'pinned') await recordTrust(home, file.url, result);
    done.set(file.name, { name: file.name, url: file.url, size: result.size, sha256: result.sha256, trust: file.trust });
  }
  return { sources: files.map((f) => done.get(f.name)!), revision: plan.revision };
}

function explainTrustMismatch(error: unknown, file: PlannedFile, id: string): unknown {
  if (!(error instanceof EngineError) || error.code !== 'DIGEST_MISMATCH' || file.trust !== 'first-use' || !file.sha256) return error;
  return new EngineError(
    'DIGEST_MISMATCH',
    `${error.message} It differs from the copy first downloaded from this address.`,
    `If the publisher replaced the file on purpose, run \`npm run models -- pull ${id} --retrust\`; otherwise it may have been tampered with.`,
    { gui: { hint: GUI_HINTS.tampered } },
  );
}

async function readVerified(dir: string): Promise<VerifiedRecords> {
  try {
    return JSON.parse(await readFile(join(dir, VERIFIED_FILE), 'utf8')) as VerifiedRecords;
  } catch {
    return {};
  }
}

/**
 * A finished download that still matches what this plan expects. A file whose expected digest
 * changed (say, the catalog now pins a corrected file) is deleted so that it is fetched again.
 */
async function alreadyVerified(file: PlannedFile, filesDir: string, verified: VerifiedRecords): Promise<SourceFile | undefined> {
  const path = join(filesDir, file.name);
  const info = await stat(path).catch(() => undefined);
  if (!info) return undefined;
  const record = verified[file.name];
  let sha256 = record && record.size === info.size && record.mtimeMs === info.mtimeMs ? record.sha256 : undefined;
  sha256 ??= (await digestFile(path)).sha256; // changed since it was checked (or never recorded)
  const sizeOk = file.size === undefined || file.size === info.size;
  if (!sizeOk || (file.sha256 !== undefined && sha256 !== file.sha256)) {
    await rm(path, { force: true });
    delete verified[file.name];
    return undefined;
  }
  verified[file.name] = { size: info.size, mtimeMs: info.mtimeMs, sha256 };
  return { name: file.name, url: file.url, size: info.size, sha256, trust: file.trust };
}

/** What is still to come, plus the package the converter will write. */
async function checkDisk(entry: DownloadEntry, files: PlannedFile[], done: Map<string, SourceFile>, filesDir: string, probe?: FreeSpaceProbe): Promise<void> {
  let needed = entry.requirements.installedBytes;
  for (const file of files.filter((f) => !done.has(f.name))) {
    const present = await stat(join(filesDir, `${file.name}${PARTIAL_SUFFIX}`)).then((s) => s.size, () => 0);
    needed += Math.max(0, (file.size ?? file.approxBytes ?? 0) - present);
  }
  await ensureFreeSpace(filesDir, needed, `Installing ${entry.name}`, probe);
}
