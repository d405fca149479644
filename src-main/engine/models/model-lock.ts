// One writer per model across every PURE Studio process (two windows, the app and the CLI): an
// exclusive lock file created with O_EXCL, holding the owner's pid, host and activity. A lock is
// stale when its owner on this host is gone, or, for an owner on another host of a shared
// folder, when it has not been touched (heartbeat) for a long time.
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { cancelledError, EngineError } from '../common/errors';
import { locksDir } from './paths';

export type LockActivity = 'downloading' | 'converting' | 'importing' | 'removing' | 'moving';

export interface LockInfo {
  pid: number;
  host: string;
  activity: LockActivity;
  startedAt: string;
  token: string;
}

export interface ModelLock {
  readonly path: string;
  setActivity(activity: LockActivity): Promise<void>;
  release(): Promise<void>;
}

export interface LockOptions {
  home: string;
  activity: LockActivity;
  /** Wait for the current owner to finish instead of failing with MODEL_LOCKED. */
  wait?: boolean;
  signal?: AbortSignal;
  onWait?: (holder: LockInfo) => void;
  pollMs?: number;
  heartbeatMs?: number;
  staleMs?: number;
}

export const lockPath = (id: string, home: string): string => join(locksDir(home), `${id}.lock`);

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

/** The current owner of a model's lock, if any, and whether it is stale. */
export async function readLock(id: string, home: string, staleMs = 10 * 60_000): Promise<(LockInfo & { stale: boolean }) | undefined> {
  const path = lockPath(id, home);
  try {
    const [text, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    const lock = JSON.parse(text) as LockInfo;
    // On this host the pid says it all (a long conversion may block the heartbeat); for an owner
    // on another host (a shared folder) only the heartbeat can tell.
    const stale = lock.host === hostname() ? !pidAlive(lock.pid) : Date.now() - info.mtimeMs > staleMs;
    return { ...lock, stale };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    // Half-written by an owner that crashed mid-write (or garbage): stale once it is old enough.
    const info = await stat(path).catch(() => undefined);
    if (!info) return undefined;
    return { pid: 0, host: '?', activity: 'downloading', startedAt: '?', token: '', stale: Date.now() - info.mtimeMs > 5000 };
  }
}

function lockedError(id: string, holder: LockInfo, path: string): EngineError {
  const where = holder.host === hostname() ? `process ${holder.pid}` : `process ${holder.pid} on ${holder.host}`;
  return new EngineError(
    'MODEL_LOCKED',
    `Model "${id}" is busy: another PURE Studio (${where}) is ${holder.activity} it since ${holder.startedAt}.`,
    `Wait for it to finish, or close that instance. If no other instance is running, delete ${path}.`,
  );
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(cancelledError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

export async function acquireModelLock(id: string, options: LockOptions): Promise<ModelLock> {
  const path = lockPath(id, options.home);
  await mkdir(locksDir(options.home), { recursive: true });
  const info: LockInfo = { pid: process.pid, host: hostname(), activity: options.activity, startedAt: new Date().toISOString(), token: randomUUID() };
  let waited = false;
  for (;;) {
    if (options.signal?.aborted) throw cancelledError();
    try {
      await writeFile(path, JSON.stringify(info), { flag: 'wx' }); // O_CREAT | O_EXCL: one winner
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = await readLock(id, options.home, options.staleMs);
    if (!holder) continue; // released between our attempt and the read
    if (holder.stale) {
      // Move it aside first: of two processes clearing the same stale lock, only one rename wins.
      await rename(path, `${path}.stale-${info.token}`).then(
        () => rm(`${path}.stale-${info.token}`, { force: true }),
        () => undefined,
      );
      continue;
    }
    if (!options.wait) throw lockedError(id, holder, path);
    if (!waited) options.onWait?.(holder);
    waited = true;
    await sleep(options.pollMs ?? 250, options.signal);
  }

  const heartbeat = setInterval(() => {
    const now = new Date();
    void utimes(path, now, now).catch(() => undefined);
  }, options.heartbeatMs ?? 30_000);
  heartbeat.unref();
  let released = false;
  return {
    path,
    async setActivity(activity) {
      info.activity = activity;
      await writeFile(`${path}.${info.token}`, JSON.stringify(info));
      await rename(`${path}.${info.token}`, path); // readers never see a half-written lock
    },
    async release() {
      if (released) return;
      released = true;
      clearInterval(heartbeat);
      // Only remove it if it is still ours (a stale-lock takeover may have replaced it).
      const current = await readFile(path, 'utf8').catch(() => '');
      if (current.includes(info.token)) await rm(path, { force: true });
    },
  };
}
