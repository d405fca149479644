// Probe (not a test): does onnxruntime-node copy a CPU input tensor into the session on each run?
// The static-cache runner (pipeline/ort-static-cache-runner.ts) relies on it NOT doing so: it
// hands the whole preallocated KV buffer to every decode step. A graph that reads 4 values of an
// input of N floats is run for growing N; a per-run copy would make the time and the peak RSS grow
// with N. A view into the middle of a larger buffer (a subarray with a byte offset) is checked
// too, because the runner feeds one row of a batch-2 buffer that way.
//   node --import tsx src-main/engine/pure/decoder/input-copy.probe.ts
import * as ort from 'onnxruntime-node';
import { encodeModel, GraphBuilder, int64Tensor } from '../../onnx/onnx-builder';

function sliceModel(): Uint8Array {
  const g = new GraphBuilder('first_four');
  g.addInput({ name: 'x', elementType: 'float32', shape: ['n'] });
  const starts = g.addInitializer(int64Tensor('starts', [1], [0]));
  const ends = g.addInitializer(int64Tensor('ends', [1], [4]));
  g.addNode({ opType: 'Slice', inputs: ['x', starts, ends], outputs: ['y'], name: 'slice' });
  g.addOutput({ name: 'y', elementType: 'float32', shape: [4] });
  return encodeModel({ graph: g });
}

const session = await ort.InferenceSession.create(sliceModel(), { intraOpNumThreads: 1 });
const mib = (b: number) => (b / 2 ** 20).toFixed(0);
console.log('floats (MiB)   ms per run (min of 20)   peak RSS growth over the runs (MiB)');
for (const n of [2 ** 18, 2 ** 24, 2 ** 27]) {
  const backing = new Float32Array(n + 8);
  for (let i = 0; i < backing.length; i += 4096) backing[i] = i; // touch every page: RSS counts it now
  const view = backing.subarray(8); // byte offset 32, like row 1 of a batch-2 buffer
  view[0] = 42;
  const x = new ort.Tensor('float32', view, [n]);
  await session.run({ x });
  const rssBefore = process.resourceUsage().maxRSS * 1024;
  let best = Infinity;
  for (let i = 0; i < 20; i++) {
    view[1] = i; // written after the tensor was made: a snapshot would not see it
    const t0 = performance.now();
    const out = await session.run({ x });
    best = Math.min(best, performance.now() - t0);
    const y = out.y.data as Float32Array;
    if (y[0] !== 42 || y[1] !== i) throw new Error(`the view was not read in place: ${Array.from(y).join(", ")}`);
  }
  const grown = process.resourceUsage().maxRSS * 1024 - rssBefore;
  console.log(`${mib(n * 4).padStart(12)}${best.toFixed(3).padStart(24)}${mib(grown).padStart(36)}`);
}
await session.release();
