// `npx tsx scripts/probe-webgpu.ts [decodeSteps]`: can onnxruntime-node's WebGPU provider run here,
// and does the KV cache stay on the device? Prints, for a GPU session to paste into its note:
//   1. whether a WebGPU adapter is found (Dawn: Vulkan on Linux; a CPU needs Mesa >= 25 lavapipe);
//   2. whether 'gpu-buffer' outputs can be fed back as inputs (the cache design);
//   3. the GPU-cache runner (src-main/engine/pure/pipeline/ort-gpu-cache-runner.ts) on the tiny
//      TEST MODEL decoder (random weights, restores nothing): ms per decode step, bytes up/down per
//      step, and the largest logit difference from the CPU decoder session.
// Exits 0 when WebGPU works, 3 when it does not (with the reason). Asserts nothing else.
import * as ort from 'onnxruntime-node';
import { encodeModel, GraphBuilder } from '../src-main/engine/onnx/onnx-builder';
import { PURE_TINY_TEST } from '../src-main/engine/pure/config';
import { buildDecoderGraph } from '../src-main/engine/pure/decoder/decoder-graph';
import { DecoderSession } from '../src-main/engine/pure/decoder/decoder-session';
import { makeTestWeights, weightGetter } from '../src-main/engine/pure/decoder/decoder-test-weights';
import { OrtGpuCacheRunner } from '../src-main/engine/pure/pipeline/ort-gpu-cache-runner';

const decodeSteps = Number(process.argv[2] ?? 64);
ort.env.logLevel = 'error';

const g = new GraphBuilder('probe');
g.addInput({ name: 'x', elementType: 'float32', shape: [4] });
g.addNode({ opType: 'Add', inputs: ['x', 'x'], outputs: ['y'] });
g.addOutput({ name: 'y', elementType: 'float32', shape: [4] });
let probe: ort.InferenceSession;
try {
  probe = await ort.InferenceSession.create(encodeModel({ graph: g }), { executionProviders: ['webgpu'], preferredOutputLocation: 'gpu-buffer' });
} catch (error) {
  console.log(`1. WebGPU: unavailable: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}`);
  process.exit(3);
}
console.log('1. WebGPU: an adapter was found and a session created');
let x = (await probe.run({ x: new ort.Tensor('float32', Float32Array.of(1, 2, 3, 4), [4]) })).y;
for (let i = 0; i < 3; i++) x = (await probe.run({ x })).y; // gpu-buffer output fed back as input
// Not tried: downloading a gpu-buffer tensor from JS (tensor.getData()) aborts the whole process
// in onnxruntime-node 1.30 (an uncaught C++ throw, measured on lavapipe), so results that the
// host needs must be graph outputs placed at 'cpu'.
console.log(`2. gpu-buffer outputs: location ${x.location}, fed back as inputs 3 times (host reads must use 'cpu' outputs)`);
await probe.release();

const C = PURE_TINY_TEST.decoder;
const model = buildDecoderGraph(C, weightGetter(makeTestWeights(C)), { dtype: 'fp32' }).model;
const cpu = await DecoderSession.create(model, C, 'fp32');
const gpu = await OrtGpuCacheRunner.create(model, C, 'fp32');
const prompt = Int32Array.from({ length: 256 }, (_, i) => 4 + ((i * 977) % 8000)); // 256 tokens of context
const seq = await gpu.openSequence();
await gpu.forward([{ sequence: seq, tokens: prompt, position: 0 }]);
let ref = await cpu.run({ inputIds: [Array.from(prompt)] });
let worst = 0;
const up0 = gpu.traffic.bytesUp;
const down0 = gpu.traffic.bytesDown;
let gpuMs = 0;
let cpuMs = 0;
for (let s = 0; s < decodeSteps; s++) {
  const token = 4 + ((s * 131) % 8000);
  let t = performance.now();
  const [logits] = await gpu.forward([{ sequence: seq, tokens: Int32Array.of(token), position: prompt.length + s }]);
  gpuMs += performance.now() - t;
  t = performance.now();
  ref = await cpu.run({ inputIds: [[token]], past: ref.present });
  cpuMs += performance.now() - t;
  for (let v = 0; v < C.vocabSize; v++) worst = Math.max(worst, Math.abs(logits[v] - ref.logits[v]));
}
console.log(`3. GPU-cache runner, tiny TEST MODEL decoder (${C.numLayers} layers, hidden ${C.hiddenSize}), ${decodeSteps} decode steps after 256 tokens:`);
console.log(`   webgpu ${(gpuMs / decodeSteps).toFixed(2)} ms/step vs cpu ${(cpuMs / decodeSteps).toFixed(2)} ms/step; per step ${((gpu.traffic.bytesUp - up0) / decodeSteps).toFixed(0)} B up, ${((gpu.traffic.bytesDown - down0) / decodeSteps).toFixed(0)} B down; cache at ${gpu.cacheLocations(seq)[0]}; max |logit - cpu| ${worst.toExponential(2)}`);
await gpu.release();
await cpu.release();
