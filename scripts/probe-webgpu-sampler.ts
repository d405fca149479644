// `npx tsx scripts/probe-webgpu-sampler.ts [samples]`: the sampling graph on onnxruntime-node's
// WebGPU provider (src-main/engine/pure/sampling-graph/). Prints, for a GPU session's note:
//   1. node placement of the float64 and float32 graphs on 'webgpu' (which nodes fall back to the CPU);
//   2. ms per sample: float32 graph on webgpu (logits uploaded from the host, and logits fed as
//      'gpu-buffer' tensors from a decoder session), float32 and float64 on cpu, the host sampler;
//   3. bytes crossing per token for each way;
//   4. whether a 'gpu-buffer' output of one webgpu session (the tiny TEST MODEL decoder's logits:
//      random weights, it restores nothing) feeds another webgpu session (the sampler) and gives the
//      CPU's answer, and whether a one-node Identity session with its output at 'cpu' downloads it
//      (the rare host redo), with its time.
// Exits 3 when WebGPU is unavailable. Asserts nothing; on a CPU it runs on Mesa's lavapipe, whose
// times say nothing about a real GPU's.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { TokenSampler } from '../src-main/engine/common/sampling/sampler';
import { PURE_SAMPLING } from '../src-main/engine/common/sampling/settings';
import type { StepKind } from '../src-main/engine/common/sampling/step-tracker';
import { encodeModel, GraphBuilder } from '../src-main/engine/onnx/onnx-builder';
import { PURE_TINY_TEST, PURE_TOKENS } from '../src-main/engine/pure/config';
import { buildDecoderGraph, DECODER_IO } from '../src-main/engine/pure/decoder/decoder-graph';
import { DecoderSession } from '../src-main/engine/pure/decoder/decoder-session';
import { makeTestWeights, weightGetter } from '../src-main/engine/pure/decoder/decoder-test-weights';
import { makeTinyTokenizer } from '../src-main/engine/pure/fixtures/tiny-tokenizer';
import { stepTensors } from '../src-main/engine/pure/pipeline/step-tensors';
import { DeviceSampler, isSure, readGraphSamples } from '../src-main/engine/pure/sampling-graph/device-sampler';
import { buildSamplingGraph, SAMPLING_IO, SAMPLING_MODE } from '../src-main/engine/pure/sampling-graph/sampling-graph';
import type { SamplingPrecision } from '../src-main/engine/pure/sampling-graph/sampling-graph';
import { topKTable } from '../src-main/engine/pure/sampling-graph/top-k-table';
import { buildImageCodeMap, vocabularyEntries } from '../src-main/engine/pure/tokenizer/code-map';
import { rngYielding } from '../src-main/engine/pure/sampling-graph/rng-yielding';
import { mulberry32 } from '../src-main/testing/mulberry32';

const C = PURE_TINY_TEST.decoder;
const V = C.vocabSize;
const codeMap = buildImageCodeMap(vocabularyEntries(makeTinyTokenizer()), 16384, V);
const maskIds = { codeIds: codeMap.codeIds, rowEnd: PURE_TOKENS.rowEnd, imageEnd: PURE_TOKENS.imageEnd };
const table = topKTable(PURE_SAMPLING);
const samplerModel = (precision: SamplingPrecision) => buildSamplingGraph({ vocabSize: V, codeIds: maskIds.codeIds, precision, maxK: table.base + table.thresholds.length, kTable: table });

// Child mode: create one session with verbose logging; onnxruntime prints the placement on stderr.
if (process.argv[2] === '--placement') {
  const s = await ort.InferenceSession.create(samplerModel(process.argv[3] as SamplingPrecision), { executionProviders: ['webgpu'], logSeverityLevel: 0, logVerbosityLevel: 0 });
  await s.release();
  process.exit(0);
}

const samples = Number(process.argv[2] ?? 20);
ort.env.logLevel = 'error';
try {
  const g = new GraphBuilder('probe');
  g.addInput({ name: 'x', elementType: 'float32', shape: [4] });
  g.addNode({ opType: 'Add', inputs: ['x', 'x'], outputs: ['y'] });
  g.addOutput({ name: 'y', elementType: 'float32', shape: [4] });
  await (await ort.InferenceSession.create(encodeModel({ graph: g }), { executionProviders: ['webgpu'], logSeverityLevel: 3 })).release();
} catch (error) {
  console.log(`WebGPU unavailable: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}`);
  process.exit(3);
}

// 1. Placement.
console.log('1. Node placement on webgpu (verbose session log):');
for (const precision of ['float64', 'float32'] as const) {
  const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--placement', precision], { encoding: 'utf8', env: process.env, maxBuffer: 64 << 20 });
  const lines = child.stderr.split('\n');
  const counts: string[] = [];
  const onCpu = new Map<string, number>();
  let provider = '';
  for (const line of lines) {
    const head = /(?:All nodes|Node\(s\)) placed on \[(\w+)\]\. Number of nodes: (\d+)/.exec(line);
    if (head) {
      provider = head[1];
      counts.push(`${head[1]} ${head[2]}`);
      continue;
    }
    const node = /VerifyEachNodeIsAssignedToAnEp\]\s+(\w+) \(/.exec(line);
    if (node && provider === 'CPUExecutionProvider') onCpu.set(node[1], (onCpu.get(node[1]) ?? 0) + 1);
  }
  const cpuOps = [...onCpu].map(([op, n]) => `${op} x${n}`).join(', ');
  console.log(`   ${precision}: ${counts.join(', ') || `no placement lines (exit ${child.status})`}${cpuOps ? `; on the CPU: ${cpuOps}` : ''}`);
}

// 2 and 3. Timing on image-code rows with CFG (the hot path), the same logits and uniforms for every way.
const rand = mulberry32(5);
const noise = (scale: number) => Float32Array.from({ length: V }, () => scale * (rand() + rand() + rand() - 1.5));
const CODE: StepKind = { mode: 'image', position: 3, slot: 'code', height: 64, width: 64 };
const rows = Array.from({ length: samples }, () => ({ logits: { cond: noise(4), uncond: noise(3) }, step: CODE, u: Math.floor(rand() * 2 ** 53) / 2 ** 53 }));
async function timeSampler(s: DeviceSampler): Promise<{ ms: number; sure: number }> {
  await s.runGraph([rows[0]]); // warm-up (shader compilation on webgpu)
  let sure = 0;
  const t0 = performance.now();
  for (const row of rows) {
    const [r] = await s.runGraph([row]);
    if (isSure(r, s.precision)) sure++;
  }
  return { ms: (performance.now() - t0) / samples, sure };
}
const host = new TokenSampler({}, maskIds);
let t0 = performance.now();
for (const row of rows) host.sample(row.logits, row.step, rngYielding(row.u));
const hostMs = (performance.now() - t0) / samples;
const gpuSampler = await DeviceSampler.create(V, {}, maskIds, { executionProviders: ['webgpu'], logSeverityLevel: 3 }, 'float32');
const cpuF32 = await DeviceSampler.create(V, {}, maskIds, { intraOpNumThreads: 2 }, 'float32');
const cpuF64 = await DeviceSampler.create(V, {}, maskIds, { intraOpNumThreads: 2 }, 'float64');
const gpuHost = await timeSampler(gpuSampler);
const f32 = await timeSampler(cpuF32);
const f64 = await timeSampler(cpuF64);
await Promise.all([gpuSampler.release(), cpuF32.release(), cpuF64.release()]);

// 4. Cross-session: the decoder's logits stay at 'gpu-buffer' and feed the sampler session.
const decoderModel = buildDecoderGraph(C, weightGetter(makeTestWeights(C)), { dtype: 'fp32' }).model;
const location: Record<string, 'cpu' | 'gpu-buffer'> = { [DECODER_IO.logits]: 'gpu-buffer' };
for (let i = 0; i < C.numLayers; i++) [location[DECODER_IO.presentKey(i)], location[DECODER_IO.presentValue(i)]] = ['gpu-buffer', 'gpu-buffer'];
const decoder = await ort.InferenceSession.create(decoderModel, { executionProviders: ['webgpu'], preferredOutputLocation: location, logSeverityLevel: 3 });
const sampler = await ort.InferenceSession.create(samplerModel('float32'), { executionProviders: ['webgpu'], logSeverityLevel: 3 });
const identity = new GraphBuilder('download');
identity.addInput({ name: 'x', elementType: 'float32', shape: ['b', 1, V] });
identity.addNode({ opType: 'Identity', inputs: ['x'], outputs: ['y'] });
identity.addOutput({ name: 'y', elementType: 'float32', shape: ['b', 1, V] });
const download = await ort.InferenceSession.create(encodeModel({ graph: identity }), { executionProviders: ['webgpu'], preferredOutputLocation: 'cpu', logSeverityLevel: 3 });
const cpuDecoder = await DecoderSession.create(decoderModel, C, 'fp32', { intraOpNumThreads: 2 });
const cpuSampler = await DeviceSampler.create(V, {}, maskIds, { intraOpNumThreads: 2 }, 'float32');

const emptyPast = () => new ort.Tensor('float32', new Float32Array(0), [1, C.numKvHeads, 0, C.headDim]);
async function deviceLogits(prompt: number[]): Promise<ort.Tensor> {
  const feeds: Record<string, ort.Tensor> = { ...stepTensors([{ tokens: Int32Array.from(prompt), position: 0, pad: 0 }], 0) } as unknown as Record<string, ort.Tensor>;
  const named: Record<string, ort.Tensor> = {
    [DECODER_IO.inputIds]: feeds.inputIds,
    [DECODER_IO.positionIds]: feeds.positionIds,
    [DECODER_IO.attentionMask]: feeds.attentionMask,
    [DECODER_IO.logitsPositions]: feeds.logitsPositions,
  };
  for (let i = 0; i < C.numLayers; i++) [named[DECODER_IO.pastKey(i)], named[DECODER_IO.pastValue(i)]] = [emptyPast(), emptyPast()];
  const out = await decoder.run(named);
  for (let i = 0; i < C.numLayers; i++) for (const n of [DECODER_IO.presentKey(i), DECODER_IO.presentValue(i)]) out[n].dispose();
  return out[DECODER_IO.logits]; // (1, 1, V) on the device
}
const condPrompt = [0, 5, 100, 8197, 8820, 8820, 70000, 4, 9, 3, 8196, PURE_TOKENS.imageStart];
const uncondPrompt = [PURE_TOKENS.imageStart, 8805, 8806];
const condGpu = await deviceLogits(condPrompt);
const uncondGpu = await deviceLogits(uncondPrompt);
const smallFeeds = (u: number) => ({
  [SAMPLING_IO.mode]: new ort.Tensor('int32', Int32Array.of(SAMPLING_MODE.imageCode), [1]),
  [SAMPLING_IO.forcedId]: new ort.Tensor('int32', Int32Array.of(-1), [1]),
  [SAMPLING_IO.useCfg]: new ort.Tensor('bool', Uint8Array.of(1), [1]),
  [SAMPLING_IO.guidance]: new ort.Tensor('float32', Float32Array.of(PURE_SAMPLING.guidanceScale), [1]),
  [SAMPLING_IO.temperature]: new ort.Tensor('float32', Float32Array.of(PURE_SAMPLING.temperature), [1]),
  [SAMPLING_IO.u]: new ort.Tensor('float32', Float32Array.of(u), [1]),
  [SAMPLING_IO.textK]: new ort.Tensor('int32', Int32Array.of(PURE_SAMPLING.textTopK), [1]),
});
const smallBytes = Object.values(smallFeeds(0)).reduce((n, t) => n + (t.data as ArrayBufferView).byteLength, 0);
let crossLine: string;
let crossMs = NaN;
let downloadMs = NaN;
let outBytes = 0;
try {
  const cpuCond = (await cpuDecoder.run({ inputIds: [condPrompt] })).logits;
  const cpuUncond = (await cpuDecoder.run({ inputIds: [uncondPrompt] })).logits;
  let same = 0;
  const us = Array.from({ length: samples }, () => Math.floor(rand() * 2 ** 53) / 2 ** 53);
  await sampler.run({ [SAMPLING_IO.cond]: condGpu, [SAMPLING_IO.uncond]: uncondGpu, ...smallFeeds(0.5) }); // warm-up
  t0 = performance.now();
  const gpuAnswers = [];
  for (const u of us) {
    const out = await sampler.run({ [SAMPLING_IO.cond]: condGpu, [SAMPLING_IO.uncond]: uncondGpu, ...smallFeeds(u) });
    outBytes = Object.values(out).reduce((n, t) => n + (t.data as ArrayBufferView).byteLength, 0);
    gpuAnswers.push(readGraphSamples(out, 1, true)[0]);
  }
  crossMs = (performance.now() - t0) / samples;
  for (let i = 0; i < samples; i++) {
    const [c] = await cpuSampler.runGraph([{ logits: { cond: cpuCond, uncond: cpuUncond }, step: CODE, u: us[i] }]);
    const g = gpuAnswers[i];
    if (g.token === c.token && g.k === c.k && g.kept === c.kept) same++;
  }
  await download.run({ x: condGpu }); // warm-up
  t0 = performance.now();
  let worst = 0;
  for (let i = 0; i < samples; i++) {
    const y = (await download.run({ x: condGpu })).y;
    if (i === 0) for (let v = 0; v < V; v++) worst = Math.max(worst, Math.abs((y.data as Float32Array)[v] - cpuCond[v]));
  }
  downloadMs = (performance.now() - t0) / samples;
  crossLine = `works: decoder logits at ${condGpu.location} fed to the sampler session; ${same} of ${samples} draws give the CPU decoder + CPU graph's token, k and kept; download session (Identity, output at 'cpu'): ${downloadMs.toFixed(2)} ms per (1, 1, ${V}) logits row, max |downloaded - cpu decoder| ${worst.toExponential(2)}`;
} catch (error) {
  crossLine = `FAILED: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}`;
}
console.log(`2. ms per sample, image-code rows with CFG, ${samples} samples (lavapipe: a CPU pretending to be a GPU):`);
console.log(`   host sampler ${hostMs.toFixed(2)}; float32 graph webgpu, logits fed from the host ${gpuHost.ms.toFixed(2)}, fed as gpu-buffer ${crossMs.toFixed(2)}; float32 cpu ${f32.ms.toFixed(2)}; float64 cpu ${f64.ms.toFixed(2)}`);
console.log(`   sure without a host redo: float32 webgpu ${gpuHost.sure}/${samples}, float32 cpu ${f32.sure}/${samples}, float64 cpu ${f64.sure}/${samples}`);
console.log('3. bytes per token (one CFG image token):');
console.log(`   host sampler: ${2 * V * 4} B of logits down; graph with host logits: ${2 * V * 4 + smallBytes} B up, ${outBytes} B down; graph fed gpu-buffer logits: ${smallBytes} B up, ${outBytes} B down (+ ${2 * V * 4} B down for a redo, both branches)`);
console.log(`4. cross-session gpu-buffer: ${crossLine}`);
condGpu.dispose();
uncondGpu.dispose();
await Promise.all([decoder.release(), sampler.release(), download.release(), cpuDecoder.release(), cpuSampler.release()]);

