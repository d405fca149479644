// Where the time from "process start" to "model ready" goes once the tools run from built
// JavaScript (out/main; build it first: node scripts/build-main.mjs). Each part is timed on its
// own, alternated over reps, medians of wall and CPU seconds (this process and its children: on a
// shared machine wall time waits for a core, CPU time does not):
//   node start             `node -e 0`
//   CLI modules            `node out/main/cli.js restore --help` (node start included)
//   import onnxruntime     `node -e "await import('onnxruntime-node')"` (node start included)
//   model digest           sha256 of model.onnx, which the model store checks once per process
//   engine process         fork of out/main/ort-worker.js until the model is loaded (cached graph)
//   session from cache     onnxruntime's session creation from the cached optimized graph, in-process
// Prints numbers; asserts nothing. Usage: tsx bench/load-breakdown.bench.ts [reps=5] [engine=realesrgan-x4plus]
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { buildState } from '../bin/build-state.js';
import { sha256File } from '../src-main/engine/models/digest';
import { locateModel } from '../src-main/engine/models/model-store';
import { createCachedSession } from '../src-main/engine/runtime/optimized-graph-cache';

const reps = Number(process.argv[2] ?? 5);
const engine = process.argv[3] ?? 'realesrgan-x4plus';
const root = join(import.meta.dirname, '..');
if (!buildState(root).fresh) throw new Error('out/main is missing or older than the sources: node scripts/build-main.mjs first');
// The engine process from the build, not the sources (inference-worker.ts reads this at each start).
process.env.PURE_STUDIO_ORT_WORKER = join(root, 'out/main/ort-worker.js');
const { InferenceWorker } = await import('../src-main/engine/runtime/inference-worker');

const model = (await locateModel(engine)).onnxPath;
const options = { graphOptimizationLevel: 'all', executionMode: 'sequential', logSeverityLevel: 4, intraOpNumThreads: 2, interOpNumThreads: 1 } as const;
await (await createCachedSession(model, 'cpu', options)).session.release(); // the cached graph exists from here on

/** CPU seconds of waited-for children so far (fields 16 and 17 of /proc/self/stat, 1/100 s ticks). */
function childCpu(): number {
  const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(f[13]) + Number(f[14])) / 100;
}
const seconds = async (f: () => unknown): Promise<{ wall: number; cpu: number }> => {
  const own = process.cpuUsage();
  const children = childCpu();
  const t = performance.now();
  await f();
  const used = process.cpuUsage(own);
  return { wall: (performance.now() - t) / 1000, cpu: (used.user + used.system) / 1e6 + childCpu() - children };
};
const proc = (args: string[]) => () => {
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`node ${args.join(' ')}: exit ${r.status}`);
};
const parts: [string, () => unknown][] = [
  ['node start', proc(['-e', '0'])],
  ['CLI modules (restore --help)', proc([join(root, 'out/main/cli.js'), 'restore', '--help'])],
  ['import onnxruntime-node', proc(['--input-type=module', '-e', "await import('onnxruntime-node')"])],
  [`model digest (sha256 of ${(statSync(model).size / 1e6).toFixed(0)} MB)`, () => sha256File(model)],
  ['engine process: fork to loaded', async () => (await InferenceWorker.start(model, ['cpu'], 2)).worker.close()],
  ['session from the cached graph', async () => (await createCachedSession(model, 'cpu', options)).session.release()],
];
const times = parts.map((): { wall: number; cpu: number }[] => []);
for (let i = 0; i < reps; i++) for (const [j, [, f]] of parts.entries()) times[j].push(await seconds(f));
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`${engine}, load average ${loadavg()[0].toFixed(1)}, onnxruntime ${ort.env.versions.common}, medians of ${reps}`);
console.log('| part | wall s | CPU s |\n|---|---|---|');
for (const [j, [name]] of parts.entries()) console.log(`| ${name} | ${median(times[j].map((t) => t.wall)).toFixed(3)} | ${median(times[j].map((t) => t.cpu)).toFixed(3)} |`);
