// Experiment (issue 15, x4plus at 2000x1500): would Real-ESRGAN x4plus's body hold less memory per
// pixel, at the same speed, if each dense block's concat-then-conv were written as a sum of convs
// over the parts (conv(cat(a, b)) = conv_a(a) + conv_b(b))? The concatenated copies (96 to 192
// channels) are what makes ~4 KB per read pixel (docs/tiling.md); without them bigger body tiles
// would fit in 3 GB, and fewer, bigger tiles read less context.
//
// Builds a stack of RRDB blocks of x4plus's shape (64 features, 32 growth, 3 dense blocks of 5
// convs each, residual scale 0.2) with random weights (fixed seed) in both forms, checks they
// compute the same thing, and runs each in a fresh process (onnxruntime as the app runs it: 'all'
// optimizations, no memory pattern, 1 thread): its peak RSS over the loaded baseline, and CPU s.
// Prints numbers; asserts nothing. Usage: npx tsx scripts/concat-free-rrdb.experiment.ts [size=256] [blocks=4]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { attr, encodeModel, float32Tensor, GraphBuilder } from '../src-main/engine/onnx/onnx-builder';
import { mulberry32 } from '../src-main/testing/mulberry32';

const [sizeArg = '256', blocksArg = '4', role, modelArg] = process.argv.slice(2);
const size = Number(sizeArg);
const blocks = Number(blocksArg);
const F = 64;
const G = 32;

function build(split: boolean): Uint8Array {
  const random = mulberry32(7);
  const g = new GraphBuilder(split ? 'rrdb-split' : 'rrdb-concat');
  g.addInput({ name: 'input', elementType: 'float32', shape: [1, F, 'h', 'w'] });
  let n = 0;
  const bias = (cout: number): string => g.addInitializer(float32Tensor(`b${n++}`, [cout], Array.from({ length: cout }, () => (random() - 0.5) * 0.02)));
  const node = (opType: string, inputs: string[], attributes = {}): string => {
    const out = `t${n++}`;
    g.addNode({ opType, inputs: [...inputs], outputs: [out], attributes });
    return out;
  };
  const conv = (input: string, w: string, b?: string): string => node('Conv', b ? [input, w, b] : [input, w], { kernel_shape: attr.ints([3, 3]), pads: attr.ints([1, 1, 1, 1]) });
  const scale = g.addInitializer(float32Tensor('scale', [1], [0.2]));
  /** conv over the channel concatenation of `parts` (channel counts `cins`), either form, same weights. */
  const convOver = (parts: string[], cins: number[], cout: number): string => {
    const cin = cins.reduce((a, b) => a + b, 0);
    const values = Array.from({ length: cout * cin * 9 }, () => (random() - 0.5) * (2 / Math.sqrt(cin * 9)));
    const b = bias(cout);
    if (!split) {
      const w = g.addInitializer(float32Tensor(`w${n++}`, [cout, cin, 3, 3], values));
      return conv(parts.length > 1 ? node('Concat', [...parts], { axis: attr.int(1) }) : parts[0], w, b);
    }
    let sum: string | undefined;
    let offset = 0;
    for (const [i, part] of parts.entries()) {
      const c = cins[i];
      const slice: number[] = [];
      for (let o = 0; o < cout; o++) slice.push(...values.slice((o * cin + offset) * 9, (o * cin + offset + c) * 9));
      offset += c;
      const w = g.addInitializer(float32Tensor(`w${n++}`, [cout, c, 3, 3], slice));
      const y = conv(part, w, i === 0 ? b : undefined);
      sum = sum === undefined ? y : node('Add', [sum, y]);
    }
    return sum!;
  };
  let x = 'input';
  for (let r = 0; r < blocks; r++) {
    const rrdbIn = x;
    for (let d = 0; d < 3; d++) {
      const parts = [x];
      const cins = [F];
      for (let k = 0; k < 4; k++) {
        parts.push(node('LeakyRelu', [convOver(parts, cins, G)], { alpha: attr.float(0.2) }));
        cins.push(G);
      }
      const x5 = convOver(parts, cins, F);
      x = node('Add', [node('Mul', [x5, scale]), x]);
    }
    x = node('Add', [node('Mul', [x, scale]), rrdbIn]);
  }
  g.addNode({ opType: 'Identity', inputs: [x], outputs: ['output'] });
  g.addOutput({ name: 'output', elementType: 'float32', shape: [1, F, 'h', 'w'] });
  return encodeModel({ graph: g });
}

/** VmHWM / VmRSS of this process in MB. */
function memory(): { hwm: number; rss: number } {
  const status = readFileSync('/proc/self/status', 'utf8');
  const kb = (key: string): number => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)![1]) / 1024;
  return { hwm: kb('VmHWM'), rss: kb('VmRSS') };
}

if (role === 'child') {
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(modelArg, { graphOptimizationLevel: 'all', executionMode: 'sequential', intraOpNumThreads: 1, interOpNumThreads: 1, enableMemPattern: false, logSeverityLevel: 3 });
  const random = mulberry32(11);
  const input = new ort.Tensor('float32', Float32Array.from({ length: F * size * size }, () => random() - 0.5), [1, F, size, size]);
  const before = memory();
  const cpu0 = process.cpuUsage();
  let out: Float32Array | undefined;
  for (let i = 0; i < 2; i++) out = (await session.run({ input }))['output'].data as Float32Array;
  const cpu = process.cpuUsage(cpu0);
  const after = memory();
  process.stdout.write(JSON.stringify({ peakOverLoadedMB: after.hwm - before.rss, perPixelKB: ((after.hwm - before.rss) * 1024) / (size * size), cpuSecondsPerRun: (cpu.user + cpu.system) / 2e6, checksum: Array.from(out!.subarray(0, 64)) }));
} else {
  const dir = mkdtempSync(join(tmpdir(), 'rrdb-exp-'));
  try {
    const results: Record<string, { peakOverLoadedMB: number; perPixelKB: number; cpuSecondsPerRun: number; checksum: number[] }> = {};
    for (const split of [false, true, false, true]) {
      const path = join(dir, `${split}.onnx`);
      writeFileSync(path, build(split));
      const r = JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', import.meta.filename, sizeArg, blocksArg, 'child', path], { encoding: 'utf8' }));
      const name = split ? 'sum of convs' : 'concat';
      console.log(`${name.padEnd(13)} ${size}x${size}, ${blocks} RRDB: peak over loaded ${r.peakOverLoadedMB.toFixed(0)} MB (${r.perPixelKB.toFixed(2)} KB/px), ${r.cpuSecondsPerRun.toFixed(2)} CPU s/run`);
      results[name] = r;
    }
    const a = results['concat'].checksum;
    const b = results['sum of convs'].checksum;
    console.log(`largest difference of the first 64 outputs: ${Math.max(...a.map((v, i) => Math.abs(v - b[i]))).toExponential(2)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
