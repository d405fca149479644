// A resumable, verified download of one file (the habits of Ollama's downloader):
//   <name>.partial       the bytes so far, written in place (one or several ranges in parallel)
//   <name>.partial.json  the sidecar: URL, expected size and digest, validator, and each range's
//                        progress, so a dropped connection or an app restart resumes with Range
// The file is hashed before it is renamed into place; a mismatch deletes it (DIGEST_MISMATCH).
import { mkdir, open, readFile, rename, rm, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from './atomic-write';
import { cancelledError, EngineError, throwIfAborted } from '../common/errors';
import { digestFile } from './digest';
import { fetchPart, type Part, type PartOutcome, type ServerFacts } from './fetch-part';
import type { GetOptions } from './http-get';
import { RetryBudget } from './retry-budget';
import { describeUrl, isRetryable } from './transfer-errors';
import { PARTIAL_SUFFIX, SIDECAR_SUFFIX } from './url-policy';

export interface TransferSettings {
  /** Parallel connections for a file of known size (1 = one stream). */
  parts: number;
  /** A file is split only when each part gets at least this many bytes. */
  minPartBytes: number;
  /** Failed attempts in a row (without new bytes) before giving up. */
  retries: number;
  /**
   * Retrying stops once a part has gone this long without reaching further into the file than
   * before, however many bytes arrived meanwhile (a server that ignores Range and drops the
   * connection sends the same bytes again and again).
   */
  retryWindowMs: number;
  /** ...or once the bytes fetched again (after restarts from zero) exceed this share of the file. */
  refetchRatio: number;
  /** First wait before a retry; doubled each time, at most 30 s, with jitter. */
  backoffMs: number;
  /** No byte for this long and the connection is treated as dead. */
  stallMs: number;
}

export const DEFAULT_TRANSFER: TransferSettings = { parts: 4, minPartBytes: 64 << 20, retries: 5, retryWindowMs: 120_000, refetchRatio: 1, backoffMs: 1000, stallMs: 30_000 };

export interface RemoteFile {
  name: string;
  url: string;
  size?: number;
  /** Expected sha256: pinned by the catalog, listed by the server, or recorded on first use. */
  sha256?: string;
  /** Expected git blob id (Hugging Face lists one for files not stored in LFS). */
  gitSha1?: string;
}

export interface DownloadContext extends Pick<GetOptions, 'signal' | 'env' | 'proxy' | 'authorization'> {
  settings: TransferSettings;
  /** Bytes already on disk when the download starts (resumed). */
  onStart?(bytesPresent: number): void;
  /** New bytes written; negative when a server forces a restart from zero. */
  onBytes?(delta: number): void;
  onVerifying?(): void;
}

export interface DownloadedFile {
  name: string;
  path: string;
  size: number;
  sha256: string;
}

interface Sidecar {
  version: 1;
  url: string;
  size: number | null;
  sha256: string | null;
  validator?: string;
  parts: Part[];
}

const doneBytes = (state: Sidecar): number => state.parts.reduce((sum, p) => sum + p.done, 0);
const isComplete = (p: Part): boolean => p.end !== null && p.start + p.done >= p.end;

function freshState(file: RemoteFile, settings: TransferSettings): Sidecar {
  const size = file.size ?? null;
  const n = size === null ? 1 : Math.max(1, Math.min(settings.parts, Math.floor(size / Math.max(1, settings.minPartBytes))));
  const parts: Part[] = [];
  for (let i = 0; i < n; i++) {
    const start = size === null ? 0 : Math.floor((size * i) / n);
    parts.push({ start, end: size === null ? null : Math.floor((size * (i + 1)) / n), done: 0 });
  }
  return { version: 1, url: file.url, size, sha256: file.sha256 ?? null, parts };
}

async function readSidecar(path: string): Promise<Sidecar | undefined> {
  try {
    const json = JSON.parse(await readFile(path, 'utf8')) as Sidecar;
    return json.version === 1 && Array.isArray(json.parts) && json.parts.length > 0 ? json : undefined;
  } catch {
    return undefined;
  }
}

async function writeSidecar(path: string, state: Sidecar): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(state)); // a crash leaves the old or the new state, never half
}

/** Resumes when the partial file and its sidecar describe this very file; otherwise starts over. */
async function startState(file: RemoteFile, partial: string, sidecar: string, settings: TransferSettings): Promise<Sidecar> {
  const saved = await readSidecar(sidecar);
  const onDisk = await stat(partial).then((s) => s.size, () => undefined);
  const same = saved && onDisk !== undefined && saved.url === file.url && saved.sha256 === (file.sha256 ?? null) && (file.size === undefined || saved.size === file.size);
  if (same) {
    // One stream appends in order, so the file's length is the truth (the sidecar may lag a crash).
    if (saved.parts.length === 1) saved.parts[0].done = Math.min(onDisk, (saved.parts[0].end ?? Infinity) - saved.parts[0].start);
    return saved;
  }
  const state = freshState(file, settings);
  await writeFile(partial, '');
  await writeSidecar(sidecar, state);
  return state;
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }
    function onAbort(): void {
      clearTimeout(timer);
      reject(cancelledError());
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export async function downloadFile(file: RemoteFile, dir: string, ctx: DownloadContext): Promise<DownloadedFile> {
  const final = join(dir, file.name);
  const partial = `${final}${PARTIAL_SUFFIX}`;
  const sidecar = `${final}${SIDECAR_SUFFIX}`;
  await mkdir(dirname(final), { recursive: true });
  throwIfAborted(ctx.signal);
  let state = await startState(file, partial, sidecar, ctx.settings);
  ctx.onStart?.(doneBytes(state));

  const fh = await open(partial, 'r+');
  try {
    state = await transfer(file, state, fh, sidecar, ctx);
  } catch (error) {
    // A file of the wrong size is not worth resuming; anything else is kept for the next try.
    if (error instanceof EngineError && error.code === 'DIGEST_MISMATCH') {
      await fh.close();
      await rm(partial, { force: true });
      await rm(sidecar, { force: true });
    }
    throw error;
  } finally {
    await fh.close().catch(() => undefined);
  }

  ctx.onVerifying?.();
  const digest = await digestFile(partial, { gitSha1: file.gitSha1 !== undefined });
  const wrong =
    (file.size !== undefined && digest.size !== file.size) ||
    (file.sha256 !== undefined && digest.sha256 !== file.sha256) ||
    (file.gitSha1 !== undefined && digest.gitSha1 !== file.gitSha1);
  if (wrong) {
    await rm(partial, { force: true });
    await rm(sidecar, { force: true });
    throw new EngineError(
      'DIGEST_MISMATCH',
      `${file.name} from ${describeUrl(file.url)} does not match its expected ${file.sha256 ? 'sha256' : file.gitSha1 ? 'git id' : 'size'} (got ${digest.size} bytes, sha256 ${digest.sha256.slice(0, 12)}...); it was deleted.`,
      'Pull again. If it happens again, the file on the server is not the one the catalog expects (damaged, or replaced).',
    );
  }
  await rename(partial, final);
  await rm(sidecar, { force: true });
  return { name: file.name, path: final, size: digest.size, sha256: digest.sha256 };
}

/** Runs the unfinished parts until all are complete; returns the final state. */
async function transfer(file: RemoteFile, initial: Sidecar, fh: FileHandle, sidecar: string, ctx: DownloadContext): Promise<Sidecar> {
  let state = initial;
  let lastSave = Date.now();
  let saving: Promise<void> = Promise.resolve();
  // Parts report progress concurrently: writes of the sidecar are queued, never interleaved.
  const save = (): Promise<void> => {
    lastSave = Date.now();
    saving = saving.catch(() => undefined).then(() => writeSidecar(sidecar, state));
    return saving;
  };
  const tick = (): void => {
    if (Date.now() - lastSave > 1000) void save().catch(() => undefined);
  };
  for (;;) {
    try {
      const outcome = await runParts(file, state, fh, ctx, tick);
      if (outcome === 'range-ignored') {
        // The server does not honour Range: parallel parts are impossible, take one stream from zero.
        ctx.onBytes?.(-doneBytes(state));
        state = { ...freshState(file, { ...ctx.settings, parts: 1 }), validator: state.validator };
        await fh.truncate(0);
        await save();
        continue;
      }
      await save();
      return state;
    } catch (error) {
      await save().catch(() => undefined);
      throw ctx.signal?.aborted ? cancelledError() : error;
    }
  }
}

/**
 * Every unfinished part runs at once, each with its own retries (a drop on one connection does
 * not disturb the others). A failure that retrying cannot fix stops them all.
 */
async function runParts(file: RemoteFile, state: Sidecar, fh: FileHandle, ctx: DownloadContext, tick: () => void): Promise<'complete' | 'range-ignored'> {
  const inner = new AbortController();
  const onOuter = (): void => inner.abort();
  ctx.signal?.addEventListener('abort', onOuter, { once: true });
  const single = state.parts.length === 1;
  const onResponse = (facts: ServerFacts): void => {
    state.validator ??= facts.etag && !facts.etag.startsWith('W/') ? facts.etag : facts.lastModified;
    if (facts.total === undefined) return;
    if (file.size !== undefined && facts.total !== file.size) {
      throw new EngineError('DIGEST_MISMATCH', `The server's ${file.name} is ${facts.total} bytes; ${file.size} were expected.`, 'The file on the server is not the one the catalog expects; update PURE Studio or report it.');
    }
    if (single && state.parts[0].end === null) {
      state.size = facts.total;
      state.parts[0].end = facts.total; // lets a short body be caught as a dropped connection
    }
  };
  const partContext = {
    url: file.url,
    fh,
    get: { signal: inner.signal, env: ctx.env, proxy: ctx.proxy, authorization: ctx.authorization, timeoutMs: ctx.settings.stallMs },
    stallMs: ctx.settings.stallMs,
    single,
    onBytes: (delta: number): void => {
      ctx.onBytes?.(delta);
      tick();
    },
    onResponse,
    onRestart: async (): Promise<void> => {
      ctx.onBytes?.(-doneBytes(state));
      await fh.truncate(0);
    },
  };
  const runPart = async (part: Part): Promise<PartOutcome> => {
    const budget = new RetryBudget(ctx.settings, part.done);
    for (;;) {
      if (inner.signal.aborted) throw cancelledError();
      let restarted = false;
      try {
        return await fetchPart(part, {
          ...partContext,
          onRestart: () => ((restarted = true), partContext.onRestart()),
          validator: state.validator,
          total: state.size ?? undefined,
        });
      } catch (error) {
        if (inner.signal.aborted) throw cancelledError();
        if (!isRetryable(error)) throw error;
        const waitMs = budget.afterFailure(part.done, restarted, part.end ?? state.size ?? null, error, file);
        await abortableSleep(waitMs, inner.signal);
      }
    }
  };
  try {
    const results = await Promise.allSettled(
      state.parts
        .filter((p) => !isComplete(p) || p.end === null)
        .map((part) =>
          runPart(part).then(
            (outcome) => {
              if (outcome === 'range-ignored') inner.abort();
              return outcome;
            },
            (error: unknown) => {
              inner.abort();
              throw error;
            },
          ),
        ),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected' && !(r.reason instanceof EngineError && r.reason.code === 'CANCELLED'));
    if (failed) throw failed.reason;
    if (ctx.signal?.aborted) throw cancelledError();
    if (results.some((r) => r.status === 'fulfilled' && r.value === 'range-ignored')) return 'range-ignored';
    if (results.some((r) => r.status === 'rejected')) throw cancelledError();
    return 'complete';
  } finally {
    ctx.signal?.removeEventListener('abort', onOuter);
  }
}
