// `npm run bench:pure -- [--shape tiny|small|7b] [--dtype fp32|fp16|int4] [--provider cpu|webgpu|cuda|dml]
//   [--steps 16] [--contexts 4096,8192] [--batches 1,2] [--threads N] [--prefill-chunk 1024]
//   [--device-free-gb N] [--int4-accuracy 4|0] [--rebuild] [--json]`
// Decoder speed of PURE's graph at a real shape, on a BENCHMARK MODEL (random weights, not PURE;
// bench/pure-bench-model.ts): prefill a random context once (in chunks), then time decode steps
// at each context length, batch 1 and batch 2 (CFG as one batch-2 step), and extrapolate the
// seconds of a whole 512x512 restoration. Reports the provider, the dtype and the peak RSS.
// The KV cache goes through the host at every step (the Node API has no IO binding): on a GPU
// provider this bench measures exactly that cost. Prints numbers; asserts nothing.
import { availableParallelism, freemem, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import type { DecoderDtype } from '../src-main/engine/pure/decoder/decoder-graph';
import { DecoderSession } from '../src-main/engine/pure/decoder/decoder-session';
import type { KvCache } from '../src-main/engine/pure/decoder/decoder-session';
import { kvBytesPerToken } from '../src-main/engine/pure/preflight/memory-estimate';
import { mulberry32 } from '../src-main/testing/mulberry32';
import { BENCH_MODEL_LABEL, BENCH_MODELS_DIR, BENCH_SHAPES, benchModel, cachedBenchModel, expectedDiskBytes, freeDiskBytes } from './pure-bench-model';
import type { BenchShape } from './pure-bench-model';
import { extrapolateRestoration, PURE_512_RESTORATION } from './pure-model-extrapolate';
import type { StepTiming } from './pure-model-extrapolate';

const { values: flags } = parseArgs({
  options: {
    shape: { type: 'string', default: 'small' },
    dtype: { type: 'string' },
    provider: { type: 'string', default: 'cpu' },
    steps: { type: 'string', default: '16' },
    contexts: { type: 'string', default: '4096,8192' },
    batches: { type: 'string', default: '1,2' },
    threads: { type: 'string', default: process.env.BENCH_THREADS ?? String(availableParallelism()) },
    'prefill-chunk': { type: 'string', default: '1024' },
    'device-free-gb': { type: 'string' },
    'int4-accuracy': { type: 'string', default: '4' },
    rebuild: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});

function refuse(message: string): never {
  console.error(`bench:pure: ${message}`);
  process.exit(2);
}

const shape = flags.shape as BenchShape;
if (!(shape in BENCH_SHAPES)) refuse(`--shape must be tiny, small or 7b, got "${flags.shape}".`);
const provider = flags.provider;
// One provider is measured, as named: 'auto' and 'gpu' stand for a chain the app works out.
if (!['cpu', 'webgpu', 'cuda', 'dml'].includes(provider)) refuse(`--provider takes one of cpu, webgpu, cuda, dml (not a list, not auto or gpu), got "${provider}".`);
const dtype = (flags.dtype ?? (provider === 'cpu' ? 'fp32' : 'fp16')) as DecoderDtype;
if (!['fp32', 'fp16', 'int4'].includes(dtype)) refuse(`--dtype must be fp32, fp16 or int4, got "${dtype}".`);
if (!['0', '4'].includes(flags['int4-accuracy'])) refuse(`--int4-accuracy must be 0 or 4, got "${flags['int4-accuracy']}".`);
if (process.argv.some((a) => a.startsWith('--int4-accuracy')) && dtype !== 'int4') refuse('--int4-accuracy is for --dtype int4.');
const int4Accuracy = Number(flags['int4-accuracy']) as 0 | 4;
const steps = Number(flags.steps);
const contexts = flags.contexts.split(',').map(Number).sort((a, b) => a - b);
const batches = flags.batches.split(',').map(Number);
const threads = Number(flags.threads);
const chunk = Number(flags['prefill-chunk']);
if (![steps, threads, chunk, ...contexts].every((n) => Number.isInteger(n) && n > 0)) refuse('--steps, --threads, --prefill-chunk and --contexts take positive integers.');
if (!batches.every((b) => b === 1 || b === 2) || !batches.includes(1)) refuse('--batches takes 1 and optionally 2 (1 is needed for the extrapolation).');

const config = BENCH_SHAPES[shape];
const gb = (bytes: number) => `${(bytes / 1e9).toFixed(2)} GB`;
const log = (line: string) => void (flags.json ? process.stderr : process.stdout).write(`${line}\n`);

// ---- refuse early: disk for the model, memory for weights + caches --------------------------
const maxContext = contexts[contexts.length - 1] + steps + 4;
const maxBatch = Math.max(...batches);
const kvToken = kvBytesPerToken(config, dtype);
// The base cache, its batch-2 copy and each step's fresh present (Concat makes a new cache).
const kvBytes = maxContext * kvToken * (1 + 2 * maxBatch);
// A prefill chunk's attention scores, 8 B each at the softmax (see preflight/memory-estimate.ts).
const prefillBytes = config.numHeads * chunk * maxContext * 8;
const diskNeed = expectedDiskBytes(shape, dtype);
const diskFree = freeDiskBytes(BENCH_MODELS_DIR);
const cached = !flags.rebuild && cachedBenchModel(shape, dtype, { int4Accuracy }) !== undefined;
if (!cached && diskFree < diskNeed * 1.05) refuse(`the ${shape} ${dtype} ${BENCH_MODEL_LABEL} needs ${gb(diskNeed)} of disk under ${BENCH_MODELS_DIR}; ${gb(diskFree)} is free. Free some space, or use --dtype int4 (${gb(expectedDiskBytes(shape, 'int4'))}) or a smaller --shape.`);
const hostNeed = (provider === 'cpu' ? diskNeed + prefillBytes : 0) + kvBytes + 2 ** 30;
if (hostNeed > freemem() * 0.9) refuse(`this run needs about ${gb(hostNeed)} of memory (weights, KV caches up to ${maxContext} tokens x batch ${maxBatch}); ${gb(freemem())} is free. Use shorter --contexts, --batches 1, --dtype int4 or a smaller --shape.`);
if (flags['device-free-gb'] !== undefined) {
  const deviceNeed = diskNeed + kvBytes + prefillBytes;
  const deviceFree = Number(flags['device-free-gb']) * 1e9;
  if (deviceNeed > deviceFree * 0.9) refuse(`the ${provider} device needs about ${gb(deviceNeed)}; ${gb(deviceFree)} is free. Use --dtype int4, shorter --contexts or --prefill-chunk 256.`);
}

// ---- the model -------------------------------------------------------------------------------
const model = benchModel(shape, dtype, { rebuild: flags.rebuild, log, int4Accuracy });
const c = config;
log(`${model.label}: shape ${shape} (hidden ${c.hiddenSize}, ${c.numLayers} layers, ${c.numHeads} heads x ${c.headDim}, MLP ${c.intermediateSize}, vocab ${c.vocabSize}), ${dtype}, ${gb(model.diskBytes)} on disk`);
log(`  ${model.buildS > 0 ? `built in ${model.buildS.toFixed(1)} s` : 'reused'} at ${model.dir}`);
let t0 = performance.now();
let session: DecoderSession;
try {
  session = await DecoderSession.create(model.modelPath, c, dtype, { executionProviders: [provider], intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
} catch (error) {
  refuse(`provider '${provider}' could not load the model: ${(error as Error).message.split('\n')[0]}`);
}
const loadS = (performance.now() - t0) / 1000;
log(`provider ${provider}, ${threads} threads, session load ${loadS.toFixed(1)} s, load average ${loadavg()[0].toFixed(1)}`);

// ---- timing ----------------------------------------------------------------------------------
const rand = mulberry32(7);
const randomToken = () => 4 + Math.floor(rand() * 8192); // image-code ids
/** The same cache twice along the batch axis: CFG's two rows (their values do not matter for speed). */
function twoRows(cache: KvCache): KvCache {
  const dup = (t: ort.Tensor) => {
    const data = t.data as Float32Array | Uint16Array;
    const out = new (data.constructor as Float32ArrayConstructor | Uint16ArrayConstructor)(data.length * 2);
    out.set(data);
    out.set(data, data.length);
    return new ort.Tensor(t.type as 'float32' | 'float16', out, [2, ...t.dims.slice(1)]);
  };
  return { length: cache.length, keys: cache.keys.map(dup), values: cache.values.map(dup) };
}

async function decodeSteps(start: KvCache, batch: number): Promise<{ median: number; min: number; cpu: number }> {
  let past = start;
  const step = async () => (past = (await session.run({ inputIds: Array.from({ length: batch }, () => [randomToken()]), past })).present);
  for (let i = 0; i < 2; i++) await step(); // warm-up
  const times: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < steps; i++) {
    const t = performance.now();
    await step();
    times.push(performance.now() - t);
  }
  const cpu = process.cpuUsage(cpu0);
  times.sort((a, b) => a - b);
  return { median: times[times.length >> 1], min: times[0], cpu: (cpu.user + cpu.system) / 1000 / steps };
}

const timings: (StepTiming & { minMs: number; cpuMs: number })[] = [];
let base = session.emptyCache(1);
let prefillMs = 0;
let prefillTokens = 0;
log('');
log('context  batch  decode ms/step median (min)   cpu ms/step   prefill so far');
for (const context of contexts) {
  // Extend the batch-1 cache to `context` in chunks: the prefill runs once for all contexts.
  t0 = performance.now();
  while (base.length < context) {
    const n = Math.min(chunk, context - base.length);
    base = (await session.run({ inputIds: [Array.from({ length: n }, randomToken)], past: base })).present;
  }
  prefillMs += performance.now() - t0;
  prefillTokens = context;
  for (const batch of batches) {
    const r = await decodeSteps(batch === 1 ? base : twoRows(base), batch);
    timings.push({ context, batch, msPerStep: r.median, minMs: r.min, cpuMs: r.cpu });
    log(`${String(context).padStart(7)}  ${String(batch).padStart(5)}  ${r.median.toFixed(1).padStart(12)} (${r.min.toFixed(1)})${r.cpu.toFixed(1).padStart(18)}   ${prefillMs.toFixed(0)} ms for ${prefillTokens} tokens`);
  }
}
await session.release();

const plan = PURE_512_RESTORATION;
const e = extrapolateRestoration(timings, prefillMs / prefillTokens, plan);
// From the fastest step of each run too: on a busy machine the median carries other processes' load.
const eMin = extrapolateRestoration(timings.map((t) => ({ ...t, msPerStep: t.minMs })), prefillMs / prefillTokens, plan);
const peakRss = process.resourceUsage().maxRSS * 1024;
log('');
log(`512x512 restoration, extrapolated (prompt ${plan.promptTokens}, text ${plan.textTokens}, ${plan.imageTokens} image tokens with CFG):`);
if (e.totalBatchedS !== undefined) log(`  CFG as one batch-2 step:   prefill ${e.prefillS.toFixed(1)} s + text ${e.textS.toFixed(1)} s + image ${e.imageBatchedS!.toFixed(1)} s = ${e.totalBatchedS.toFixed(1)} s`);
const lastContext = plan.promptTokens + plan.textTokens + plan.imageTokens;
if (contexts[contexts.length - 1] < lastContext / 2) log(`  (extrapolated far beyond the measured ${contexts.join(', ')} tokens, up to ${lastContext}: a rough figure)`);
log(`  CFG as two batch-1 steps:  prefill ${e.prefillS.toFixed(1)} s + text ${e.textS.toFixed(1)} s + image ${e.imageTwoCallsS.toFixed(1)} s = ${e.totalTwoCallsS.toFixed(1)} s`);
log(`  from the fastest steps instead of the medians: ${eMin.totalBatchedS !== undefined ? `${eMin.totalBatchedS.toFixed(1)} s batched, ` : ''}${eMin.totalTwoCallsS.toFixed(1)} s two calls`);
log(`peak RSS ${gb(peakRss)} (this process: weights on the CPU provider, the KV caches on every provider)`);
log(`(${model.label}: speed only; it restores nothing.)`);
if (flags.json) {
  console.log(JSON.stringify({ label: model.label, shape, dtype, provider, threads, config: c, diskBytes: model.diskBytes, buildS: model.buildS, loadS, prefillMsPerToken: prefillMs / prefillTokens, timings, restoration: e, restorationFromFastest: eMin, peakRssBytes: peakRss }));
}
