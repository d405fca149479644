// `npx tsx scripts/probe-webgpu-accumulation.ts`: does a provider's float16 MatMul accumulate in
// float16? One (1, 4096) x (4096, 256) product of ones and 1/16: the exact sum is 256, and a float16
// accumulator stalls at 128 (there the spacing is 1/8 and adding 1/16 rounds back down). PURE's 7B
// sums over 4096 and 11008 inputs per product, so this decides whether an fp16 package keeps its
// precision on that provider. MatMulNBits (the int4 packages' op) is checked the same way, on
// weights of 1/16 and 1/8. Prints one line per provider and op; asserts nothing.
// Measured on lavapipe (WebGPU on Mesa's CPU Vulkan): MatMul fp16 gives 128 on webgpu, 256 on cpu;
// MatMulNBits gives 375.75 on both (the int4 blocks' own rounding of 384, the same on each).
import * as ort from 'onnxruntime-node';
import { encodeModel, GraphBuilder } from '../src-main/engine/onnx/onnx-builder';
import { GraphOps } from '../src-main/engine/pure/decoder/graph-ops';
import { toFloat16Bits } from '../src-main/engine/pure/decoder/weight-prep';
import { WeightSink } from '../src-main/engine/pure/decoder/weight-sink';
import { matMulNBits, MS_OPSET } from '../src-main/engine/pure/quant/matmul-nbits';

const K = 4096;
const N = 256;
ort.env.logLevel = 'error';

function fp16MatMul(): Uint8Array {
  const g = new GraphBuilder('fp16_matmul');
  g.addInput({ name: 'x', elementType: 'float16', shape: [1, K] });
  g.addInitializer({ name: 'w', dims: [K, N], values: { type: 'float16', data: toFloat16Bits(new Float32Array(K * N).fill(1 / 16)) } });
  g.addNode({ opType: 'MatMul', inputs: ['x', 'w'], outputs: ['y'] });
  g.addOutput({ name: 'y', elementType: 'float16', shape: [1, N] });
  return encodeModel({ graph: g });
}

function int4MatMul(): Uint8Array {
  const g = new GraphBuilder('int4_matmul');
  g.addInput({ name: 'x', elementType: 'float16', shape: [1, K] });
  const w = new Float32Array(N * K).fill(1 / 16); // (N, K), a torch Linear's layout
  for (let i = 0; i < w.length; i += 2) w[i] = 1 / 8; // exact sum 384
  const y = matMulNBits(new GraphOps(g), new WeightSink(g), 'x', 'w', w, N, K, { blockSize: 32, scheme: 'asymmetric', scaleType: 'float16' }, 'y');
  g.addOutput({ name: y, elementType: 'float16', shape: [1, N] });
  return encodeModel({ graph: g, opsetImports: [{ domain: '', version: 17 }, MS_OPSET] });
}

const half = (bits: number): number => {
  const e = (bits >> 10) & 31;
  const m = bits & 1023;
  return (bits & 0x8000 ? -1 : 1) * (e === 0 ? m * 2 ** -24 : (1 + m / 1024) * 2 ** (e - 15));
};

for (const [name, model, exact] of [['MatMul fp16', fp16MatMul(), 256], ['MatMulNBits int4', int4MatMul(), 384]] as const) {
  for (const provider of ['cpu', 'webgpu']) {
    try {
      const s = await ort.InferenceSession.create(model, { executionProviders: [provider] });
      const out = await s.run({ x: new ort.Tensor('float16', new Uint16Array(K).fill(0x3c00), [1, K]) });
      const got = half((Object.values(out)[0].data as Uint16Array)[0]);
      console.log(`${name} on ${provider}: ${got} (exact ${exact}${got <= exact / 2 + 1 ? ': the sum stalled, float16 accumulation' : ''})`);
      await s.release();
    } catch (error) {
      console.log(`${name} on ${provider}: unavailable (${(error as Error).message.split('\n')[0]})`);
    }
  }
}
