// Times the VQ encoder/decoder graphs in ONNX Runtime on CPU with random weights, and counts their
// multiply-adds, so the real VQ-8's cost can be measured or extrapolated without its checkpoint.
//   node --import tsx src-main/engine/pure/vq/vq-bench.ts            # TEST MODEL shape, 512 px
//   node --import tsx src-main/engine/pure/vq/vq-bench.ts --real     # also the real VQ-8 shape
// Options: --size N (pixels, multiple of 8), --runs N, --threads N (ORT intra-op threads).
import * as ort from 'onnxruntime-node';
import { PURE_7B, PURE_TINY_TEST } from '../config';
import type { VqConfig } from '../config';
import { buildVqDecoderGraph } from './vq-decoder-graph';
import { buildVqEncoderGraph } from './vq-encoder-graph';
import { randomVqWeights } from './vq-test-weights';
import { decoderPlan, encoderPlan } from './vq-weight-names';
import type { VqNetPlan } from './vq-weight-names';

/** Multiply-adds of one net at an input side of `side` pixels (encoder) or grid cells (decoder). */
function macs(plan: VqNetPlan, side: number, down: boolean): number {
  let s = side;
  let total = 0;
  const conv = (inC: number, outC: number, k: number, area: number) => (total += inC * outC * k * k * area);
  const res = (inC: number, outC: number) => {
    conv(inC, outC, 3, s * s);
    conv(outC, outC, 3, s * s);
    if (inC !== outC) conv(inC, outC, 1, s * s);
  };
  const attn = (c: number) => {
    conv(c, c, 1, 4 * s * s); // q, k, v, proj_out
    total += 2 * c * (s * s) ** 2; // scores and weighted sum
  };
  const mid = () => {
    res(plan.mid.channels, plan.mid.channels);
    attn(plan.mid.channels);
    res(plan.mid.channels, plan.mid.channels);
  };
  conv(plan.convIn.inChannels, plan.convIn.outChannels, 3, s * s);
  if (!down) mid();
  for (const level of plan.levels) {
    for (const b of level.res) {
      res(b.inChannels, b.outChannels);
      if (level.attn.length) attn(b.outChannels);
    }
    if (level.resampleConv) {
      s = down ? s / 2 : s * 2;
      conv(level.channels, level.channels, 3, s * s);
    }
  }
  if (down) mid();
  conv(plan.convOut.inChannels, plan.convOut.outChannels, 3, s * s);
  return total;
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

async function bench(label: string, config: VqConfig, size: number, runs: number, threads: number): Promise<void> {
  const grid = size / config.downsample;
  const t0 = performance.now();
  const { getWeight, parameterCount } = randomVqWeights(config, 1);
  const encoder = buildVqEncoderGraph(config, getWeight);
  const decoder = buildVqDecoderGraph(config, getWeight);
  const buildS = (performance.now() - t0) / 1000;
  console.log(`${label}: ${(parameterCount / 1e6).toFixed(1)}M params; weights + graphs built in ${buildS.toFixed(1)} s (encoder ${(encoder.length / 2 ** 20).toFixed(0)} MiB, decoder ${(decoder.length / 2 ** 20).toFixed(0)} MiB)`);
  const gmacEnc = macs(encoderPlan(config), size, true) / 1e9 + (grid * grid * config.codebookSize * config.codebookDim) / 1e9;
  const gmacDec = macs(decoderPlan(config), grid, false) / 1e9;
  const options: ort.InferenceSession.SessionOptions = { intraOpNumThreads: threads, graphOptimizationLevel: 'all' };

  const image = new ort.Tensor('float32', new Float32Array(3 * size * size).map((_, i) => Math.sin(i * 0.01)), [1, 3, size, size]);
  const codes = new ort.Tensor('int64', BigInt64Array.from({ length: grid * grid }, (_, i) => BigInt((i * 7919) % config.codebookSize)), [1, grid, grid]);
  for (const [name, model, feeds, gmac] of [
    ['encoder', encoder, { image }, gmacEnc],
    ['decoder', decoder, { codes }, gmacDec],
  ] as const) {
    const t1 = performance.now();
    const session = await ort.InferenceSession.create(model, options);
    const loadS = (performance.now() - t1) / 1000;
    const times: number[] = [];
    for (let r = 0; r < runs; r++) {
      const t = performance.now();
      await session.run(feeds);
      times.push((performance.now() - t) / 1000);
    }
    await session.release();
    const best = Math.min(...times);
    const rssMiB = process.resourceUsage().maxRSS / 1024; // peak of the whole process so far
    console.log(`  ${name} ${size}x${size}: ${gmac.toFixed(1)} GMAC; session ${loadS.toFixed(1)} s; runs ${times.map((x) => x.toFixed(2)).join(', ')} s; best ${(gmac / best).toFixed(1)} GMAC/s; peak RSS ${rssMiB.toFixed(0)} MiB`);
  }
}

const size = arg('--size', 512);
const runs = arg('--runs', 3);
const threads = arg('--threads', 0); // 0 = ORT's default (all cores)
await bench('TEST MODEL (PURE_TINY_TEST.vq, random weights)', PURE_TINY_TEST.vq, size, runs, threads);
if (process.argv.includes('--real')) await bench('real VQ-8 shape (PURE_7B.vq, random weights)', PURE_7B.vq, size, Math.min(runs, 2), threads);
