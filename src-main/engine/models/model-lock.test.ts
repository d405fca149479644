// The cross-process model lock: one owner, stale owners replaced, waiting, and cancel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { acquireModelLock, lockPath, readLock } from './model-lock';
import { locksDir } from './paths';
import { tempDir } from '../../testing/fixtures';

/** A pid that existed and is gone: a child that has already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

function plantLock(home: string, id: string, pid: number, host = hostname()): void {
  mkdirSync(locksDir(home), { recursive: true });
  writeFileSync(lockPath(id, home), JSON.stringify({ pid, host, activity: 'downloading', startedAt: '2025-01-01T00:00:00Z', token: 'planted' }));
}

test('a live owner refuses a second one with MODEL_LOCKED, naming the owner; release frees it', async () => {
  const home = tempDir();
  const first = await acquireModelLock('m', { home, activity: 'downloading' });
  await assert.rejects(acquireModelLock('m', { home, activity: 'removing' }), (e: { code: string; message: string; hint: string }) => e.code === 'MODEL_LOCKED' && e.message.includes(`process ${process.pid}`) && e.hint.includes(lockPath('m', home)));
  await first.setActivity('converting');
  assert.equal((await readLock('m', home))?.activity, 'converting');
  await first.release();
  assert.ok(!existsSync(lockPath('m', home)));
  const second = await acquireModelLock('m', { home, activity: 'removing' });
  await second.release();
});

test('the lock of a process that died is taken over; one on another host only once it is old', async () => {
  const home = tempDir();
  plantLock(home, 'm', deadPid());
  assert.equal((await readLock('m', home))?.stale, true);
  const lock = await acquireModelLock('m', { home, activity: 'downloading' });
  assert.equal((await readLock('m', home))?.pid, process.pid);
  await lock.release();

  plantLock(home, 'm', 1, 'some-other-host');
  await assert.rejects(acquireModelLock('m', { home, activity: 'downloading' }), { code: 'MODEL_LOCKED' });
  const old = new Date(Date.now() - 60 * 60_000);
  utimesSync(lockPath('m', home), old, old); // no heartbeat for an hour
  await (await acquireModelLock('m', { home, activity: 'downloading' })).release();
});

test('wait: the second owner gets the lock when the first lets go; a cancel stops the wait', async () => {
  const home = tempDir();
  const first = await acquireModelLock('m', { home, activity: 'downloading' });
  let told = 0;
  const second = acquireModelLock('m', { home, activity: 'downloading', wait: true, pollMs: 10, onWait: () => told++ });
  setTimeout(() => void first.release(), 50);
  await (await second).release();
  assert.equal(told, 1);

  const holder = await acquireModelLock('m', { home, activity: 'downloading' });
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 30);
  await assert.rejects(acquireModelLock('m', { home, activity: 'downloading', wait: true, pollMs: 10, signal: controller.signal }), { code: 'CANCELLED' });
  await holder.release();
});
