// The intra-op thread count the engines choose when --threads is unset, and that it is the count
// their onnxruntime sessions are created with (Real-ESRGAN's inference process and PURE's).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { locateModel } from '../models/model-store';
import { makeTinyPureCheckpoint } from '../pure/fixtures/make-tiny-checkpoint';
import { convertPure } from '../pure/package/convert-pure';
import { PureEngine } from '../pure/pipeline/pure-engine';
import { tempDir } from '../../testing/fixtures';
import { InferenceWorker } from './inference-worker';
import { cpuCores, defaultThreads, physicalCoresFromCpuinfo, resolveThreads } from './thread-count';

/** Two cores with two hyperthreads each, as /proc/cpuinfo lists them (fields trimmed). */
const SMT_CPUINFO = [0, 1, 2, 3].map((p) => `processor\t: ${p}\nphysical id\t: 0\nsiblings\t: 4\ncore id\t\t: ${p % 2}\ncpu cores\t: 2\n`).join('\n');

test('physical cores are the distinct (socket, core) pairs of /proc/cpuinfo', () => {
  assert.equal(physicalCoresFromCpuinfo(SMT_CPUINFO), 2);
  const twoSockets = SMT_CPUINFO + '\n' + SMT_CPUINFO.replaceAll('physical id\t: 0', 'physical id\t: 1');
  assert.equal(physicalCoresFromCpuinfo(twoSockets), 4);
  assert.equal(physicalCoresFromCpuinfo('processor\t: 0\nmodel name\t: ARM\n'), undefined, 'no core ids: unknown');
});

test('the default is one thread per physical core, within the processors this process may use', () => {
  assert.equal(defaultThreads({ logical: 4, physical: 2, available: 4 }), 2, 'hyperthreads are not counted');
  assert.equal(defaultThreads({ logical: 16, physical: 8, available: 3 }), 3, 'a CPU limit (cgroup, taskset) caps it');
  assert.equal(defaultThreads({ logical: 8, physical: undefined, available: 8 }), 8, 'unknown physical cores: the available ones');
  assert.equal(resolveThreads(3), 3, 'an explicit count is kept');
  assert.equal(resolveThreads(0, { logical: 4, physical: 2, available: 4 }), 2);
  const here = cpuCores();
  console.log(`this machine: ${here.logical} logical, ${here.physical ?? '?'} physical, ${here.available} available -> ${defaultThreads(here)} threads`);
});

test('Real-ESRGAN: with --threads unset its session gets the default count, and says so', async () => {
  const model = (await locateModel('realesrgan-x4fast')).onnxPath;
  for (const [asked, expected] of [[0, defaultThreads()], [1, 1]] as const) {
    const { worker, model: loaded } = await InferenceWorker.start(model, ['cpu'], asked);
    await worker.close();
    assert.equal(loaded.threads, expected, `--threads ${asked}`);
  }
});

test('PURE: with --threads unset every session gets the default count, and says so', async () => {
  const dir = tempDir();
  const checkpoint = join(dir, 'checkpoint');
  const { vqFile } = await makeTinyPureCheckpoint(checkpoint, { seed: 1 });
  const pkg = join(dir, 'pkg');
  await convertPure({ checkpoint, vq: vqFile, out: pkg, dtype: 'fp32' });
  for (const [asked, expected] of [[0, defaultThreads()], [1, 1]] as const) {
    const engine = await PureEngine.load(pkg, asked);
    await engine.close();
    assert.equal(engine.threads, expected, `--threads ${asked}`);
  }
});
