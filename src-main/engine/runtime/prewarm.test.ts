// An inference process started ahead (the built CLI does so for a restore, so that its Node start
// and onnxruntime import overlap the command's own start): the next worker takes it, and when none
// does it neither keeps its parent alive nor outlives it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { locateModel } from '../models/model-store';
import { InferenceWorker, prewarmWorker } from './inference-worker';

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('the next inference worker is the process started ahead, and a later one is new', async () => {
  const model = (await locateModel('realesrgan-x4fast')).onnxPath;
  const pid = prewarmWorker();
  assert.ok(pid !== undefined && alive(pid));
  assert.equal(prewarmWorker(), pid, 'one at a time');
  const first = await InferenceWorker.start(model, ['cpu'], 1);
  const second = await InferenceWorker.start(model, ['cpu'], 1);
  try {
    assert.equal(first.worker.pid, pid);
    assert.notEqual(second.worker.pid, pid);
    const out = await first.worker.run(new Float32Array(3 * 8 * 8).fill(0.5), [1, 3, 8, 8]);
    assert.deepEqual(out.dims, [1, 3, 32, 32]);
  } finally {
    await first.worker.close();
    await second.worker.close();
  }
});

test('a process started ahead and never used lets its parent exit, and goes with it', async () => {
  const script = `import { prewarmWorker } from ${JSON.stringify(new URL('./inference-worker.ts', import.meta.url).href)}; console.log(prewarmWorker());`;
  const parent = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  parent.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  // A guard against a hang (the failure this test is about), not a measure of speed.
  const guard = setTimeout(() => parent.kill('SIGKILL'), 60_000);
  const [code, signal] = await new Promise<[number | null, string | null]>((r) => parent.once('exit', (c, s) => r([c, s])));
  clearTimeout(guard);
  assert.equal(signal, null, 'the parent ended by itself');
  assert.equal(code, 0);
  const child = Number(stdout.trim());
  assert.ok(child > 0, stdout);
  // It sees its IPC channel close and exits; wait for that rather than assume an instant.
  for (let i = 0; i < 300 && alive(child); i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(alive(child), false, 'the unused inference process is gone');
});
