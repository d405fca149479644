// Model load of the Real-ESRGAN engines: onnxruntime's session creation optimizing the graph
// (as before the cache) against opening the cached optimized graph, alternated in one process
// so both see the same machine; and the whole inference-process start the engine waits for.
// Wall and CPU seconds: on a shared machine wall time waits for a core, CPU time does not.
// Prints numbers (medians); asserts nothing. Usage: tsx bench/model-load.bench.ts [reps=5]
import * as ort from 'onnxruntime-node';
import { locateModel } from '../src-main/engine/models/model-store';
import { InferenceWorker } from '../src-main/engine/runtime/inference-worker';
import { createCachedSession } from '../src-main/engine/runtime/optimized-graph-cache';

const reps = Number(process.argv[2] ?? 5);
const options = { graphOptimizationLevel: 'all', executionMode: 'sequential', logSeverityLevel: 4, intraOpNumThreads: 2, interOpNumThreads: 1 } as const;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timed(f: () => Promise<ort.InferenceSession>): Promise<{ wall: number; cpu: number }> {
  const c = process.cpuUsage();
  const t = performance.now();
  const session = await f();
  const used = process.cpuUsage(c);
  const wall = (performance.now() - t) / 1000;
  await session.release();
  return { wall, cpu: (used.user + used.system) / 1e6 };
}

console.log('engine              session: optimizing (wall/CPU s)   cached graph (wall/CPU s)   inference process start to loaded (wall s)');
for (const engine of ['realesrgan-x4plus', 'realesrgan-x4fast']) {
  const path = (await locateModel(engine)).onnxPath;
  await (await createCachedSession(path, 'cpu', options)).session.release(); // the cache exists from here on
  const before: { wall: number; cpu: number }[] = [];
  const after: { wall: number; cpu: number }[] = [];
  for (let i = 0; i < reps; i++) {
    before.push(await timed(() => ort.InferenceSession.create(path, { ...options, executionProviders: ['cpu'] })));
    after.push(await timed(async () => (await createCachedSession(path, 'cpu', options)).session));
  }
  const starts: number[] = [];
  for (let i = 0; i < Math.min(reps, 3); i++) {
    const t = performance.now();
    const { worker } = await InferenceWorker.start(path, ['cpu'], 2);
    starts.push((performance.now() - t) / 1000);
    await worker.close();
  }
  const f = (xs: { wall: number; cpu: number }[]): string => `${median(xs.map((x) => x.wall)).toFixed(2)} / ${median(xs.map((x) => x.cpu)).toFixed(2)}`;
  console.log(`${engine.padEnd(20)}${f(before).padStart(34)}${f(after).padStart(28)}${median(starts).toFixed(2).padStart(43)}`);
}
