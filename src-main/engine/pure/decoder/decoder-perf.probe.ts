// Perf probe (not a test): milliseconds per decode step of the decoder graph on the CPU, at a
// fixed context, for TEST MODELS with random weights. Run:
//   node --import tsx src-main/engine/pure/decoder/decoder-perf.probe.ts [threads] [contexts] [tiny|medium|all]
// e.g. `2 64,1024 medium`. The machine's load average is printed: timings on a shared machine
// are noisy, so both the median and the minimum step time are reported.
// The medium model is written with external data into a temp dir, so its weights are generated
// lazily, streamed to disk and never all held in JS memory (the path the 7B model takes).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PURE_TINY_TEST } from '../config';
import type { DecoderConfig } from '../config';
import { buildDecoderGraph } from './decoder-graph';
import type { DecoderDtype } from './decoder-graph';
import { DecoderSession } from './decoder-session';
import { decoderTensorSpecs } from './decoder-weight-names';
import type { GetWeight } from './decoder-weight-names';

const threads = Number(process.argv[2] ?? 2);
const contexts = (process.argv[3] ?? '1024').split(',').map(Number);
const STEPS = 20;

/** TEST MODEL shape between tiny and 7B: 4096 -> 1024 hidden, 32 -> 8 layers, real vocabulary. */
const MEDIUM: DecoderConfig = { ...PURE_TINY_TEST.decoder, hiddenSize: 1024, numLayers: 8, numHeads: 8, numKvHeads: 8, headDim: 128, intermediateSize: 2816 };

/** Cheap deterministic values made on request (xorshift), scaled like real weights. */
function lazyWeights(c: DecoderConfig): GetWeight {
  const shapes = new Map(decoderTensorSpecs(c).map((s) => [s.name, s.shape]));
  return (name) => {
    const shape = shapes.get(name);
    if (!shape) throw new Error(`unknown weight ${name}`);
    const count = shape.reduce((a, b) => a * b, 1);
    const out = new Float32Array(count);
    let s = 0x9e3779b9 ^ name.length;
    const scale = shape.length === 2 && !name.includes('_norm') ? 1 / Math.sqrt(shape[1]) : 0.1;
    const base = shape.length === 1 || (name.includes('_norm.weight')) ? 1 : 0;
    for (let i = 0; i < count; i++) {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      out[i] = base + scale * ((s >>> 0) / 2 ** 32 - 0.5) * 3.46; // uniform with unit variance * scale
    }
    return out;
  };
}

async function probe(label: string, c: DecoderConfig, dtype: DecoderDtype): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'decoder-probe-'));
  try {
    let t = performance.now();
    const built = buildDecoderGraph(c, lazyWeights(c), { dtype, externalDataPath: join(dir, 'decoder.onnx.data') });
    const modelPath = join(dir, 'decoder.onnx');
    writeFileSync(modelPath, built.model);
    const buildMs = performance.now() - t;
    t = performance.now();
    const s = await DecoderSession.create(modelPath, c, dtype, { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
    const loadMs = performance.now() - t;
    try {
      for (const context of contexts) {
        const past = context - 1;
        const kv = () => s.kvTensor(Float32Array.from({ length: c.numKvHeads * past * c.headDim }, (_, i) => Math.sin(i)), [1, c.numKvHeads, past, c.headDim]);
        const cache = { length: past, keys: Array.from({ length: c.numLayers }, kv), values: Array.from({ length: c.numLayers }, kv) };
        const step = () => s.run({ inputIds: [[4]], positionIds: [[past]], past: cache });
        for (let i = 0; i < 2; i++) await step(); // warm-up
        const times: number[] = [];
        const cpu0 = process.cpuUsage();
        for (let i = 0; i < STEPS; i++) {
          t = performance.now();
          await step();
          times.push(performance.now() - t);
        }
        const cpu = process.cpuUsage(cpu0);
        // CPU time (all ORT threads) per step: far less sensitive to other processes than wall time.
        const cpuMs = (cpu.user + cpu.system) / 1000 / STEPS;
        times.sort((a, b) => a - b);
        const weightsMb = (built.externalData?.byteLength ?? built.model.length) / 2 ** 20;
        console.log(
          `${label} ${dtype}: ${times[STEPS >> 1].toFixed(1)} ms/step median (min ${times[0].toFixed(1)}; cpu ${cpuMs.toFixed(1)} ms/step), context ${context}, ` +
            `${threads} threads; weights ${weightsMb.toFixed(0)} MiB; build ${(buildMs / 1000).toFixed(1)} s, load ${(loadMs / 1000).toFixed(1)} s; ` +
            `rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB; load avg ${loadavg()[0].toFixed(1)}`,
        );
      }
    } finally {
      await s.release();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const which = process.argv[4] ?? 'all';
for (const dtype of ['fp32', 'fp16'] as const) {
  if (which === 'all' || which === 'tiny') await probe('PURE_TINY_TEST (hidden 64, 2 layers)', PURE_TINY_TEST.decoder, dtype);
  if (which === 'all' || which === 'medium') await probe('MEDIUM (hidden 1024, 8 layers, inter 2816)', MEDIUM, dtype);
}
