// `npx tsx bench/pure-load-memory.bench.ts [--shape small] [--dtype int4] [--threads 2] [--context 1024]`
// What onnxruntime holds for PURE's decoder on the CPU, against the weights' bytes on disk (what
// the memory preflight counts): resident memory before the session, after it is created, after a
// prefill and a CFG decode step (kernels pack their weights on first use), and at the peak; and the
// static KV cache as allocated. On a BENCHMARK MODEL (random weights, bench/pure-bench-model.ts).
// One dtype per process, so that each measurement starts from a clean heap. Prints numbers.
import { parseArgs } from 'node:util';
import { DecoderSession } from '../src-main/engine/pure/decoder/decoder-session';
import type { DecoderDtype } from '../src-main/engine/pure/decoder/decoder-graph';
import { OrtStaticCacheRunner } from '../src-main/engine/pure/pipeline/ort-static-cache-runner';
import { kvBytesPerToken } from '../src-main/engine/pure/preflight/memory-estimate';
import { benchModel, type BenchShape } from './pure-bench-model';

const { values } = parseArgs({ options: { shape: { type: 'string', default: 'small' }, dtype: { type: 'string', default: 'int4' }, threads: { type: 'string', default: '2' }, context: { type: 'string', default: '1024' } } });
const shape = values.shape as BenchShape;
const dtype = values.dtype as DecoderDtype;
const context = Number(values.context);
const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
const rss = () => process.memoryUsage().rss;
const peak = () => process.resourceUsage().maxRSS * 1024;

const model = benchModel(shape, dtype, { log: (l) => console.error(l) });
global.gc?.();
const before = rss();
const session = await DecoderSession.create(model.staticPath, model.config, dtype, { intraOpNumThreads: Number(values.threads), graphOptimizationLevel: 'all' });
const loaded = rss();
const runner = new OrtStaticCacheRunner(session, { maxBatch: 2, prefillChunk: 512 });
const cond = await runner.openSequence();
const uncond = await runner.openSequence();
const prompt = Int32Array.from({ length: context }, (_, i) => 4 + (i % 8000));
await runner.forward([{ sequence: cond, tokens: prompt, position: 0 }]);
await runner.forward([{ sequence: uncond, tokens: Int32Array.of(8197, 8820, 8820), position: 0 }]);
const prefilled = rss();
for (let s = 0; s < 4; s++) {
  await runner.forward([
    { sequence: cond, tokens: Int32Array.of(100 + s), position: context + s },
    { sequence: uncond, tokens: Int32Array.of(100 + s), position: 3 + s },
  ]);
}
const stepped = rss();
const kv = kvBytesPerToken(model.config, dtype === 'fp32' ? 'fp32' : 'fp16');
console.log(
  `${shape} ${dtype} on the CPU (${values.threads} threads): weights on disk ${mib(model.diskBytes)}; ` +
    `session +${mib(loaded - before)} (${((loaded - before) / model.diskBytes).toFixed(2)}x the disk bytes); ` +
    `after prefill ${context} + CFG steps +${mib(stepped - before)} (${((stepped - before) / model.diskBytes).toFixed(2)}x; ` +
    `KV cache of both branches at ${context} tokens would be ${mib(2 * kv * context)}); prefill alone +${mib(prefilled - loaded)}; peak RSS ${mib(peak())}`,
);
await session.session.release();
