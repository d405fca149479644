// The onnxruntime child process in hostile surroundings (issue 13, section 2): killed from
// outside, orphaned mid-run, and what it leaves in the temporary folder.
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { locateModel } from '../models/model-store';
import { InferenceWorker } from './inference-worker';
import type { FromOrtWorker } from './worker-messages';

const fastModel = async (): Promise<string> => (await locateModel('realesrgan-x4fast')).onnxPath;

test('a SIGKILL of the engine child says it was killed, names memory as one cause and the peak seen', async () => {
  const { worker } = await InferenceWorker.start(await fastModel(), ['cpu'], 1);
  try {
    await worker.run(new Float32Array(3 * 16 * 16).fill(0.5), [1, 3, 16, 16]);
    assert.ok(worker.peakRssBytes > 0);
    process.kill(worker.pid!, 'SIGKILL');
    await assert.rejects(worker.run(new Float32Array(3 * 16 * 16).fill(0.5), [1, 3, 16, 16]), (error: { code: string; message: string }) => {
      assert.equal(error.code, 'WORKER_CRASHED', error.message);
      assert.match(error.message, /killed with SIGKILL .*out of memory is one possible cause.*seen using was \d+ MiB/);
      return true;
    });
  } finally {
    await worker.close();
  }
});

test('an engine child whose parent went away mid-run exits quietly, without an EPIPE stack trace', async () => {
  const script = fileURLToPath(new URL('./ort-worker.ts', import.meta.url));
  const child = fork(script, [], { execArgv: ['--import', 'tsx'], serialization: 'advanced', stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const loaded = new Promise<FromOrtWorker>((resolve) => child.once('message', resolve));
  child.send({ type: 'load', modelPath: await fastModel(), providers: ['cpu'], threads: 1 });
  assert.equal((await loaded).type, 'loaded');
  // A run of a few seconds blocks the child's JS thread; the parent's end closes meanwhile.
  child.send({ type: 'run', id: 1, data: new Float32Array(3 * 256 * 256).fill(0.5), dims: [1, 3, 256, 256] });
  await new Promise((resolve) => setTimeout(resolve, 100));
  child.disconnect();
  assert.equal(await exited, 0, stderr);
  assert.doesNotMatch(stderr, /EPIPE|ERR_IPC|Error/);
});

test('a run leaves no onnxruntime telemetry files (mat-debug-<pid>.log, .ses) in TMPDIR', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'pure-ort-tmp-'));
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = folder; // the child inherits it
  try {
    const { worker } = await InferenceWorker.start(await fastModel(), ['cpu'], 1);
    await worker.run(new Float32Array(3 * 8 * 8).fill(0.5), [1, 3, 8, 8]);
    await worker.close();
    assert.deepEqual(readdirSync(folder).filter((n) => /^mat-debug-|^\.ses$/.test(n)), []);
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
    rmSync(folder, { recursive: true, force: true });
  }
});
