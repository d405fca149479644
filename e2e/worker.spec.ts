// The bundled utility-process entry (out/main/worker.js), run by plain Node with a stand-in for
// Electron's parent port: checks the wiring that the job-loop unit tests cannot, i.e. that
// the built file starts, answers, reports engine failures as events, and exits on shutdown.
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test } from '@playwright/test';

const workerFile = resolve(import.meta.dirname, '../out/main/worker.js');
const fakePort = resolve(import.meta.dirname, 'fake-parent-port.mjs');
const photo = resolve(import.meta.dirname, '../test-data/photos/camera.png');

type Message = Record<string, unknown>;

/**
 * Forks the worker; `next` resolves with the first message matching, or fails once it has exited.
 * With `electronPort`, it gets a stand-in for Electron's parent port; without, it runs on Node's
 * own IPC channel, as under the HTTP bridge.
 */
function startWorker(electronPort = true): { child: ChildProcess; next: (predicate: (m: Message) => boolean) => Promise<Message> } {
  const child = fork(workerFile, [], { execArgv: electronPort ? ['--import', fakePort] : [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const received: Message[] = [];
  let exit: string | undefined;
  let wake: (() => void)[] = [];
  const wakeAll = (): void => {
    const waiting = wake;
    wake = [];
    waiting.forEach((resolve) => resolve());
  };
  child.on('message', (message) => {
    received.push(message as Message);
    wakeAll();
  });
  child.on('exit', (code, signal) => {
    exit = signal ?? `code ${code}`;
    wakeAll();
  });
  const next = async (predicate: (m: Message) => boolean): Promise<Message> => {
    for (;;) {
      const found = received.find(predicate);
      if (found) return found;
      if (exit) throw new Error(`the worker exited (${exit}) before the expected message`);
      await new Promise<void>((resolve) => wake.push(resolve));
    }
  };
  return { child, next };
}

test.beforeEach(() => {
  test.skip(!existsSync(workerFile), 'out/main/worker.js is missing: run `npx electron-vite build` first');
});

test('the built worker answers, fails bad jobs with a code, and exits on shutdown', async () => {
  const { child, next } = startWorker();
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  try {
    child.send({ type: 'ping' });
    expect(await next((m) => m.type === 'pong')).toEqual({ type: 'pong' });

    child.send({ type: 'restore', jobId: 'bad-tile', input: '/nowhere/a.jpg', options: { tile: 1 } });
    const invalid = await next((m) => m.jobId === 'bad-tile');
    expect(invalid).toMatchObject({ type: 'failed', error: { code: 'INVALID_OPTION' } });

    // Reaches the real engine, which cannot find the file: the error comes back as data.
    child.send({ type: 'restore', jobId: 'missing', input: '/nowhere/a.jpg', options: {} });
    const missing = await next((m) => m.jobId === 'missing' && m.type !== 'progress');
    expect(missing).toMatchObject({ type: 'failed', error: { code: expect.any(String), message: expect.any(String) } });

    child.send({ type: 'shutdown' });
    expect(await exited).toBe(0);
  } finally {
    child.kill();
  }
});

test('cancel reaches the running inference and nothing is written', async () => {
  const outDir = mkdtempSync(join(tmpdir(), 'pure-worker-'));
  const output = join(outDir, 'restored.png');
  const { child, next } = startWorker();
  try {
    child.send({ type: 'restore', jobId: 'j', input: photo, output, options: { engine: 'realesrgan-x4fast', tile: 64 } });
    const first = await next((m) => m.type !== 'progress' || (m.progress as { stage: string }).stage === 'restoring');
    expect(first.type).toBe('progress');

    child.send({ type: 'cancel', jobId: 'j' });
    const ended = await next((m) => m.type === 'failed' || m.type === 'done');
    expect(ended).toEqual({ type: 'failed', jobId: 'j', error: { code: 'CANCELLED', message: 'Cancelled.' } });
    expect(existsSync(output)).toBe(false);
  } finally {
    child.kill();
    rmSync(outDir, { recursive: true, force: true });
  }
});

test('malformed messages never crash the worker: they fail their job or are ignored', async () => {
  const { child, next } = startWorker(false);
  try {
    const junk: unknown[] = [null, 'restore', 42, [], { type: 'explode' }, { type: 'restore' }, { type: 'cancel', jobId: '' }];
    for (const message of junk) child.send(message as Parameters<typeof child.send>[0]);
    // A broken request that names a job fails that job, with a code, rather than vanishing.
    child.send({ type: 'restore', jobId: 'no-input', options: {} });
    expect(await next((m) => m.jobId === 'no-input')).toMatchObject({ type: 'failed', error: { code: 'INTERNAL', message: expect.stringMatching(/input/) } });
    child.send({ type: 'ping' });
    expect(await next((m) => m.type === 'pong')).toEqual({ type: 'pong' });
    expect(child.exitCode).toBeNull();
  } finally {
    child.kill();
  }
});
