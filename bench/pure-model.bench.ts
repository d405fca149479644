// `npm run bench:pure -- [--shape tiny|small|7b] [--dtype fp32|fp16|int4] [--provider cpu|webgpu|cuda|dml]
//   [--cache device|split|static|concat] [--steps 16] [--contexts 4096,8192] [--batches 1,2] [--threads N]
//   [--prefill-chunk 1024] [--device-free-gb N] [--int4-accuracy 4|0] [--cpu-arena on|off] [--rebuild] [--json]`
// Decoder speed of PURE's graph at a real shape, on a BENCHMARK MODEL (random weights, not PURE;
// bench/pure-bench-model.ts), through the same DecoderRunner the app would use with the provider
// (pipeline/decoder-runner-choice.ts): WebGPU keeps the KV cache on the device (OrtGpuCacheRunner),
// the others read a JS-owned static cache (OrtStaticCacheRunner); --cache picks another design to
// compare, among them `split`, the two-level device cache that packages do not carry yet. Prefills a random context (in chunks), then times decode steps at each context length,
// one sequence (batch 1) and a CFG pair (batch 2: one call, or two where the runner takes one
// sequence per call), counts the bytes crossing host <-> device per step, and extrapolates the
// seconds of a whole 512x512 restoration. Prints numbers; asserts nothing.
import { availableParallelism, freemem, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type { InferenceSession } from 'onnxruntime-node';
import type { DecoderDtype } from '../src-main/engine/pure/decoder/decoder-graph';
import { DecoderSession } from '../src-main/engine/pure/decoder/decoder-session';
import type { DecoderRunner, SequenceId } from '../src-main/engine/pure/generation/runner';
import { decoderPlanFor, DEVICE_CACHE_PROVIDERS } from '../src-main/engine/pure/pipeline/decoder-runner-choice';
import type { KvCacheDesign } from '../src-main/engine/pure/pipeline/decoder-runner-choice';
import { OrtDecoderRunner } from '../src-main/engine/pure/pipeline/ort-decoder-runner';
import { OrtGpuCacheRunner } from '../src-main/engine/pure/pipeline/ort-gpu-cache-runner';
import { OrtStaticCacheRunner } from '../src-main/engine/pure/pipeline/ort-static-cache-runner';
import { kvBytesPerToken } from '../src-main/engine/pure/preflight/memory-estimate';
import type { HostTraffic } from '../src-main/engine/runtime/host-traffic';
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
    cache: { type: 'string' },
    steps: { type: 'string', default: '16' },
    contexts: { type: 'string', default: '4096,8192' },
    batches: { type: 'string', default: '1,2' },
    threads: { type: 'string', default: process.env.BENCH_THREADS ?? String(availableParallelism()) },
    'prefill-chunk': { type: 'string', default: '1024' },
    'device-free-gb': { type: 'string' },
    'int4-accuracy': { type: 'string', default: '4' },
    rebuild: { type: 'boolean', default: false },
    'cpu-arena': { type: 'string', default: 'off' },
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
// The app's designs, plus 'device-split': the two-level device cache (decoder-graph.ts 'split'),
// measured here before packages carry it.
type BenchCache = KvCacheDesign | 'device-split';
const CACHE_FLAG: Record<string, BenchCache> = { device: 'device', split: 'device-split', static: 'host-static', concat: 'host-concat' };
if (flags.cache !== undefined && !(flags.cache in CACHE_FLAG)) refuse(`--cache takes device, split, static or concat, got "${flags.cache}".`);
// The app's choice for this provider unless --cache names another.
const kvCache: BenchCache = flags.cache !== undefined ? CACHE_FLAG[flags.cache] : decoderPlanFor(provider, { static: 'decoder.onnx', concat: 'decoder-concat.onnx' }).kvCache;
const onDevice = kvCache === 'device' || kvCache === 'device-split';
if (onDevice && !(DEVICE_CACHE_PROVIDERS as readonly string[]).includes(provider) && provider !== 'cpu') refuse(`--cache ${flags.cache} needs a provider whose outputs can stay on the device in onnxruntime-node (${DEVICE_CACHE_PROVIDERS.join(', ')}), or cpu to try it, not ${provider}.`);
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
const maxContext = contexts[contexts.length - 1] + 2 * (steps + 2) + 4;
const maxBatch = Math.max(...batches);
const kvToken = kvBytesPerToken(config, dtype);
// One cache per sequence (a CFG pair: two). The concat designs hold a step's old and new cache at
// once; the static one grows one layer at a time (static-kv-slab.ts), so it holds one cache plus a
// layer's worth.
const kvCopies = kvCache === 'host-static' ? 1 + 1 / config.numLayers : 2;
const kvBytes = maxContext * kvToken * maxBatch * kvCopies;
// A prefill chunk's attention scores, 8 B each at the softmax (see preflight/memory-estimate.ts).
const prefillBytes = config.numHeads * chunk * maxContext * 8;
const diskNeed = expectedDiskBytes(shape, dtype);
const diskFree = freeDiskBytes(BENCH_MODELS_DIR);
const cached = !flags.rebuild && cachedBenchModel(shape, dtype, { int4Accuracy }) !== undefined;
if (!cached && diskFree < diskNeed * 1.05) refuse(`the ${shape} ${dtype} ${BENCH_MODEL_LABEL} needs ${gb(diskNeed)} of disk under ${BENCH_MODELS_DIR}; ${gb(diskFree)} is free. Free some space, or use --dtype int4 (${gb(expectedDiskBytes(shape, 'int4'))}) or a smaller --shape.`);
const hostNeed = (provider === 'cpu' ? diskNeed + prefillBytes : 0) + (onDevice && provider !== 'cpu' ? 0 : kvBytes) + 2 ** 30;
if (hostNeed > freemem() * 0.9) refuse(`this run needs about ${gb(hostNeed)} of memory (weights, KV caches up to ${maxContext} tokens x ${maxBatch} sequences); ${gb(freemem())} is free. Use shorter --contexts, --batches 1, --dtype int4 or a smaller --shape.`);
if (flags['device-free-gb'] !== undefined) {
  // A host cache is copied to the device for each call: it needs room there as well.
  const deviceNeed = diskNeed + kvBytes + prefillBytes;
  const deviceFree = Number(flags['device-free-gb']) * 1e9;
  if (deviceNeed > deviceFree * 0.9) refuse(`the ${provider} device needs about ${gb(deviceNeed)}; ${gb(deviceFree)} is free. Use --dtype int4, shorter --contexts or --prefill-chunk 256.`);
}

// ---- the model -------------------------------------------------------------------------------
const model = benchModel(shape, dtype, { rebuild: flags.rebuild, log, int4Accuracy });
const c = config;
log(`${model.label}: shape ${shape} (hidden ${c.hiddenSize}, ${c.numLayers} layers, ${c.numHeads} heads x ${c.headDim}, MLP ${c.intermediateSize}, vocab ${c.vocabSize}), ${dtype}, ${gb(model.diskBytes)} on disk`);
log(`  ${model.buildS > 0 ? `built in ${model.buildS.toFixed(1)} s` : 'reused'} at ${model.dir}`);

// ---- the runner: the design the app uses with this provider, or the one --cache names ---------
if (!['on', 'off'].includes(flags['cpu-arena'])) refuse(`--cpu-arena takes on or off, got "${flags['cpu-arena']}".`);
// onnxruntime's CPU memory arena: off by default, as PurePipeline runs the decoder on the CPU (it
// kept ~0.27 GB more per layer over a run: docs/pure-cpu-7b.md); on to compare.
const sessionOptions: InferenceSession.SessionOptions = { executionProviders: [provider], intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all', enableCpuMemArena: flags['cpu-arena'] === 'on' };
interface BenchRunner {
  runner: DecoderRunner;
  traffic: HostTraffic;
  release: () => Promise<void>;
}
async function openRunner(): Promise<BenchRunner> {
  if (onDevice) {
    const split = kvCache === 'device-split';
    const r = await OrtGpuCacheRunner.create(split ? model.splitPath : model.concatPath, c, dtype, { provider, session: sessionOptions, prefillChunk: chunk, cache: split ? 'split' : 'concat' });
    return { runner: r, traffic: r.traffic, release: () => r.release() };
  }
  const session = await DecoderSession.create(kvCache === 'host-static' ? model.staticPath : model.concatPath, c, dtype, sessionOptions);
  const runner = kvCache === 'host-static' ? new OrtStaticCacheRunner(session, { maxBatch: 2, prefillChunk: chunk }) : new OrtDecoderRunner(session);
  return { runner, traffic: session.traffic, release: () => session.release() };
}
let t0 = performance.now();
let bench: BenchRunner;
try {
  bench = await openRunner();
} catch (error) {
  refuse(`provider '${provider}' could not load the model: ${(error as Error).message.split('\n')[0]}`);
}
const { runner, traffic } = bench;
const loadS = (performance.now() - t0) / 1000;
const CACHE_WORDS: Record<BenchCache, string> = {
  'device-split': 'two-level KV cache on the device (big part read in place, small part copied, folded every 256 tokens)',
  device: 'KV cache on the device (gpu-buffer outputs fed back)',
  'host-static': 'static KV cache in host memory, read in place',
  'host-concat': 'concat KV cache through host memory',
};
const rssAfterLoad = process.memoryUsage().rss;
log(`provider ${provider}, ${CACHE_WORDS[kvCache]}, ${threads} threads, CPU arena ${flags['cpu-arena']}, session load ${loadS.toFixed(1)} s, resident after load ${gb(rssAfterLoad)}, load average ${loadavg()[0].toFixed(1)}`);

// ---- timing ----------------------------------------------------------------------------------
const rand = mulberry32(7);
const randomToken = () => 4 + Math.floor(rand() * 8192); // image-code ids
const lengths = new Map<SequenceId, number>();
async function open(): Promise<SequenceId> {
  const id = await runner.openSequence();
  lengths.set(id, 0);
  return id;
}
/** Appends random tokens to `seq` until it holds `length`, in prefill chunks. */
async function extend(seq: SequenceId, length: number): Promise<void> {
  for (let at = lengths.get(seq)!; at < length; at = lengths.get(seq)!) {
    const n = Math.min(chunk, length - at);
    await runner.forward([{ sequence: seq, tokens: Int32Array.from({ length: n }, randomToken), position: at }]);
    lengths.set(seq, at + n);
  }
}
/** One decode step of every sequence: one call when the runner takes them together, else one each. */
async function step(seqs: SequenceId[]): Promise<void> {
  const steps = seqs.map((sequence) => ({ sequence, tokens: Int32Array.of(randomToken()), position: lengths.get(sequence)! }));
  if (runner.maxBatch >= steps.length) await runner.forward(steps);
  else for (const s of steps) await runner.forward([s]);
  for (const s of seqs) lengths.set(s, lengths.get(s)! + 1);
}

interface Measured {
  median: number;
  min: number;
  cpu: number;
  /** host -> device and device -> host bytes per step */
  up: number;
  down: number;
}
async function decodeSteps(seqs: SequenceId[]): Promise<Measured> {
  for (let i = 0; i < 2; i++) await step(seqs); // warm-up
  const times: number[] = [];
  const before = traffic.snapshot();
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < steps; i++) {
    const t = performance.now();
    await step(seqs);
    times.push(performance.now() - t);
  }
  const cpu = process.cpuUsage(cpu0);
  times.sort((a, b) => a - b);
  return { median: times[times.length >> 1], min: times[0], cpu: (cpu.user + cpu.system) / 1000 / steps, up: (traffic.bytesUp - before.up) / steps, down: (traffic.bytesDown - before.down) / steps };
}

const onCpu = provider === 'cpu';
/**
 * Bytes a decode step must move through the device's memory, modelled (what the fastest step is
 * then divided into, to compare with the card's bandwidth): every weight once per call; the cache
 * read for attention, and with a concat cache read again and written into the new present.
 */
function modelledStepBytes(context: number, batch: number): number {
  const calls = runner.maxBatch >= batch ? 1 : batch;
  // The split cache copies only its small part (at most 256 + a chunk): about one pass, like static.
  const cachePasses = kvCache === 'host-static' || kvCache === 'device-split' ? 1 : 3;
  return calls * diskNeed + batch * cachePasses * kvToken * context;
}
const bytes = (n: number) => (n >= 1e9 ? `${(n / 1e9).toFixed(2)} GB` : n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} KB` : `${n.toFixed(0)} B`);
const timings: (StepTiming & { minMs: number; cpuMs: number; bytesUp: number; bytesDown: number; modelledBytes: number })[] = [];
const cond = await open();
const uncond = maxBatch === 2 ? await open() : undefined;
let prefillMs = 0;
let prefillTokens = 0;
log('');
log(`context  batch  decode ms/step median (min)   cpu ms/step   ${onCpu ? 'host memory read / written per step (nothing crosses on the CPU)' : 'host->device / device->host per step'}   memory moved (model) at the fastest step   prefill so far`);
for (const context of contexts) {
  // The conditional sequence's prefill is timed (a restoration prefills once); the second row of
  // the CFG pair is filled to the same length untimed, an upper bound for the shorter real branch.
  t0 = performance.now();
  const from = lengths.get(cond)!;
  await extend(cond, context);
  prefillMs += performance.now() - t0;
  prefillTokens += context - Math.min(from, context);
  if (uncond !== undefined) await extend(uncond, context);
  for (const batch of batches) {
    const r = await decodeSteps(batch === 1 ? [cond] : [cond, uncond!]);
    timings.push({ context, batch, msPerStep: r.median, minMs: r.min, cpuMs: r.cpu, bytesUp: r.up, bytesDown: r.down, modelledBytes: modelledStepBytes(context, batch) });
    const moved = modelledStepBytes(context, batch);
    const rate = `${bytes(moved)} = ${(moved / (r.min / 1000) / 1e9).toFixed(0)} GB/s`;
    log(`${String(context).padStart(7)}  ${String(batch).padStart(5)}  ${r.median.toFixed(1).padStart(12)} (${r.min.toFixed(1)})${r.cpu.toFixed(1).padStart(18)}   ${`${bytes(r.up)} / ${bytes(r.down)}`.padEnd(onCpu ? 66 : 38)}   ${rate.padEnd(40)}   ${prefillMs.toFixed(0)} ms for ${prefillTokens} tokens`);
  }
}
await runner.closeSequence(cond);
if (uncond !== undefined) await runner.closeSequence(uncond);
await bench.release();

const plan = PURE_512_RESTORATION;
const e = extrapolateRestoration(timings, prefillMs / prefillTokens, plan);
// From the fastest step of each run too: on a busy machine the median carries other processes' load.
const eMin = extrapolateRestoration(timings.map((t) => ({ ...t, msPerStep: t.minMs })), prefillMs / prefillTokens, plan);
const peakRss = process.resourceUsage().maxRSS * 1024;
log('');
log(`512x512 restoration, extrapolated (prompt ${plan.promptTokens}, text ${plan.textTokens}, ${plan.imageTokens} image tokens with CFG):`);
if (e.totalBatchedS !== undefined) log(`  CFG pair per image token (${runner.maxBatch >= 2 ? 'one batch-2 call' : 'two calls: this runner takes one sequence per call'}):  prefill ${e.prefillS.toFixed(1)} s + text ${e.textS.toFixed(1)} s + image ${e.imageBatchedS!.toFixed(1)} s = ${e.totalBatchedS.toFixed(1)} s`);
const lastContext = plan.promptTokens + plan.textTokens + plan.imageTokens;
if (contexts[contexts.length - 1] < lastContext / 2) log(`  (extrapolated far beyond the measured ${contexts.join(', ')} tokens, up to ${lastContext}: a rough figure)`);
log(`  CFG as two batch-1 steps:  prefill ${e.prefillS.toFixed(1)} s + text ${e.textS.toFixed(1)} s + image ${e.imageTwoCallsS.toFixed(1)} s = ${e.totalTwoCallsS.toFixed(1)} s`);
log(`  from the fastest steps instead of the medians: ${eMin.totalBatchedS !== undefined ? `${eMin.totalBatchedS.toFixed(1)} s CFG pair, ` : ''}${eMin.totalTwoCallsS.toFixed(1)} s two calls`);
log(`peak RSS ${gb(peakRss)} (this process: weights on the CPU provider, the KV caches when they live on the host)`);
log(`(${model.label}: speed only; it restores nothing.)`);
if (flags.json) {
  console.log(JSON.stringify({ label: model.label, shape, dtype, provider, kvCache, threads, config: c, diskBytes: model.diskBytes, buildS: model.buildS, loadS, rssAfterLoadBytes: rssAfterLoad, prefillMsPerToken: prefillMs / prefillTokens, timings, restoration: e, restorationFromFastest: eMin, peakRssBytes: peakRss }));
}
