// `npx tsx scripts/probe-gqa-inplace.ts`: can a KV cache be updated in place on the device from
// Node? GroupQueryAttention (com.microsoft) with a shared max-length buffer: feed the SAME past
// buffer every step (and offer it as the present fetch) and compare the attention with a JS
// reference. Correct results mean the kernel wrote each new K/V into that buffer. Measured with
// onnxruntime-node 1.30: on cpu, yes (5.96e-8); on webgpu (lavapipe), no: the present comes back
// in a fresh gpu-buffer and the fed one is left as it was (max error 0.32). FOLLOW=1 feeds each
// step's present instead (correct on both, but a full max-length buffer per step). Asserts nothing.
import * as ort from 'onnxruntime-node';
import { encodeModel, GraphBuilder } from '../src-main/engine/onnx/onnx-builder';
const H = 4, KV = 4, D = 16, M = 64;
ort.env.logLevel = 'error';
function gqa(): Uint8Array {
  const g = new GraphBuilder('gqa');
  g.addInput({ name: 'q', elementType: 'float32', shape: [1, 's', H * D] });
  g.addInput({ name: 'k', elementType: 'float32', shape: [1, 's', KV * D] });
  g.addInput({ name: 'v', elementType: 'float32', shape: [1, 's', KV * D] });
  g.addInput({ name: 'past_key', elementType: 'float32', shape: [1, KV, 'p', D] });
  g.addInput({ name: 'past_value', elementType: 'float32', shape: [1, KV, 'p', D] });
  g.addInput({ name: 'seqlens_k', elementType: 'int32', shape: [1] });
  g.addInput({ name: 'total_sequence_length', elementType: 'int32', shape: [] });
  g.addNode({ opType: 'GroupQueryAttention', domain: 'com.microsoft', inputs: ['q', 'k', 'v', 'past_key', 'past_value', 'seqlens_k', 'total_sequence_length'], outputs: ['out', 'present_key', 'present_value'], attributes: { num_heads: { type: 'int', value: H }, kv_num_heads: { type: 'int', value: KV } } } as never);
  g.addOutput({ name: 'out', elementType: 'float32', shape: [1, 's', H * D] });
  g.addOutput({ name: 'present_key', elementType: 'float32', shape: [1, KV, 't', D] });
  g.addOutput({ name: 'present_value', elementType: 'float32', shape: [1, KV, 't', D] });
  return encodeModel({ graph: g, opsetImports: [{ domain: '', version: 17 }, { domain: 'com.microsoft', version: 1 }] });
}
function zeros(): Uint8Array {
  const g = new GraphBuilder('zeros');
  g.addInput({ name: 'x', elementType: 'float32', shape: [1, KV, M, D] });
  g.addNode({ opType: 'Sub', inputs: ['x', 'x'], outputs: ['y'] });
  g.addOutput({ name: 'y', elementType: 'float32', shape: [1, KV, M, D] });
  return encodeModel({ graph: g });
}
let seed = 1; const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) - 0.5;
const N = 10;
const qs = Array.from({ length: N }, () => Float32Array.from({ length: H * D }, rnd));
const ks = Array.from({ length: N }, () => Float32Array.from({ length: KV * D }, rnd));
const vs = Array.from({ length: N }, () => Float32Array.from({ length: KV * D }, rnd));
// reference: step t attends over tokens 0..t
function ref(t: number): Float32Array {
  const out = new Float32Array(H * D);
  for (let h = 0; h < H; h++) { const kvh = Math.floor(h / (H / KV)); const sc: number[] = [];
    for (let j = 0; j <= t; j++) { let s = 0; for (let d = 0; d < D; d++) s += qs[t][h * D + d] * ks[j][kvh * D + d]; sc.push(s / Math.sqrt(D)); }
    const mx = Math.max(...sc); const e = sc.map((x) => Math.exp(x - mx)); const z = e.reduce((a, b) => a + b, 0);
    for (let d = 0; d < D; d++) { let s = 0; for (let j = 0; j <= t; j++) s += (e[j] / z) * vs[j][kvh * D + d]; out[h * D + d] = s; } }
  return out;
}
const T = (d: Float32Array, dims: number[]) => new ort.Tensor('float32', d, dims);
for (const ep of ['cpu', 'webgpu']) {
  try {
    const s = await ort.InferenceSession.create(gqa(), { executionProviders: [ep], preferredOutputLocation: ep === 'webgpu' ? { out: 'cpu', present_key: 'gpu-buffer', present_value: 'gpu-buffer' } : 'cpu' });
    // shared buffer of max length M
    let pk: ort.Tensor, pv: ort.Tensor;
    if (ep === 'webgpu') {
      const z = await ort.InferenceSession.create(zeros(), { executionProviders: ['webgpu'], preferredOutputLocation: 'gpu-buffer' });
      pk = (await z.run({ x: T(new Float32Array(KV * M * D), [1, KV, M, D]) })).y;
      pv = (await z.run({ x: T(new Float32Array(KV * M * D), [1, KV, M, D]) })).y;
    } else { pk = T(new Float32Array(KV * M * D), [1, KV, M, D]); pv = T(new Float32Array(KV * M * D), [1, KV, M, D]); }
    let worst = 0; const locs = new Set<string>(); let inplace = true;
    for (let t = 0; t < N; t++) {
      const feeds = { q: T(qs[t], [1, 1, H * D]), k: T(ks[t], [1, 1, KV * D]), v: T(vs[t], [1, 1, KV * D]), past_key: pk, past_value: pv, seqlens_k: new ort.Tensor('int32', Int32Array.of(t), [1]), total_sequence_length: new ort.Tensor('int32', Int32Array.of(t + 1), []) };
      const r = await s.run(feeds, { out: null, present_key: pk, present_value: pv } as never);
      if (r.present_key !== pk) { inplace = false; }
      locs.add(r.present_key.location + ' ' + r.present_key.dims.join('x'));
      if (!inplace && process.env.FOLLOW === "1") { pk = r.present_key; pv = r.present_value; }
      const o = r.out.data as Float32Array; const e = ref(t);
      for (let i = 0; i < o.length; i++) worst = Math.max(worst, Math.abs(o[i] - e[i]));
    }
    console.log(ep, 'max |out - ref|', worst.toExponential(2), 'present', [...locs].join(', '), 'same tensor object returned:', inplace);
  } catch (error) { console.log(ep, 'failed:', (error as Error).message.split('\n')[0]); }
}
