// `npx tsx bench/device-sampler.bench.ts [steps]`: time per image token of the host sampler
// (common/sampling/sampler.ts) against the sampling graph (pure/sampling-graph) on onnxruntime's
// CPU provider, on the real 73728-token vocabulary with CFG, the image-code mask and PURE's
// dynamic top-k. Both see the same logits and RNG state and must pick the same token (counted).
// On a CPU the graph is not expected to win: it exists so that on a GPU only the token id
// crosses to the host. Prints numbers; asserts nothing.
import { availableParallelism, loadavg } from 'node:os';
import { TokenSampler } from '../src-main/engine/common/sampling/sampler';
import { cloneRng, createRng, nextFloat } from '../src-main/engine/common/sampling/rng';
import type { StepKind } from '../src-main/engine/common/sampling/step-tracker';
import { PURE_TOKENS } from '../src-main/engine/pure/config';
import { makeTinyTokenizer } from '../src-main/engine/pure/fixtures/tiny-tokenizer';
import { DeviceSampler } from '../src-main/engine/pure/sampling-graph/device-sampler';
import { buildImageCodeMap, vocabularyEntries } from '../src-main/engine/pure/tokenizer/code-map';

const VOCAB = 73728;
const steps = Number(process.argv[2] ?? 200);
const codeMap = buildImageCodeMap(vocabularyEntries(makeTinyTokenizer()), 16384, VOCAB);
const maskIds = { codeIds: codeMap.codeIds, rowEnd: PURE_TOKENS.rowEnd, imageEnd: PURE_TOKENS.imageEnd };
const rng = createRng(1);
const gauss = () => nextFloat(rng) + nextFloat(rng) + nextFloat(rng) - 1.5;

/** Logits that look like a model's: noise everywhere, a few to a few hundred peaked codes. */
function logits(): Float32Array {
  const a = Float32Array.from({ length: VOCAB }, () => 3 * gauss());
  const peaks = 1 + Math.floor(nextFloat(rng) ** 3 * 300);
  for (let j = 0; j < peaks; j++) a[codeMap.codeIds[Math.floor(nextFloat(rng) * 16384)]] += 4 + 10 * nextFloat(rng);
  return a;
}
const pool = Array.from({ length: 32 }, () => ({ cond: logits(), uncond: logits() }));
const step: StepKind = { mode: 'image', position: 1, slot: 'code', height: 64, width: 64 };

const host = new TokenSampler({}, maskIds);
const device = await DeviceSampler.create(VOCAB, {}, maskIds);
const hostMs: number[] = [];
const deviceMs: number[] = [];
let same = 0;
for (let i = -20; i < steps; i++) {
  const l = pool[(i + 20) % pool.length];
  const a = createRng(i + 100);
  const b = cloneRng(a);
  let t = performance.now();
  const h = host.sample(l, step, a);
  const th = performance.now() - t;
  t = performance.now();
  const d = await device.sample(l, step, b);
  const td = performance.now() - t;
  if (i < 0) continue; // warm-up: JIT and onnxruntime's first runs
  hostMs.push(th);
  deviceMs.push(td);
  if (h.token === d.token) same++;
}
await device.release();
const median = (x: number[]) => [...x].sort((p, q) => p - q)[Math.floor(x.length / 2)];
const mean = (x: number[]) => x.reduce((p, q) => p + q, 0) / x.length;
console.log(`device sampler bench: vocab ${VOCAB}, image tokens with CFG + mask + dynamic top-k, ${steps} steps, ${availableParallelism()} cores, load ${loadavg()[0].toFixed(2)}`);
console.log(`host sampler (TypeScript):          median ${median(hostMs).toFixed(3)} ms, mean ${mean(hostMs).toFixed(3)} ms per token`);
console.log(`sampling graph (onnxruntime CPU):   median ${median(deviceMs).toFixed(3)} ms, mean ${mean(deviceMs).toFixed(3)} ms per token (includes building the feeds and the host redo of ${device.redone} unsure steps)`);
console.log(`same token: ${same} / ${steps}`);
console.log(`bytes to the host per token: host sampler needs 2 x ${VOCAB} x 4 = ${2 * VOCAB * 4} B of logits; the graph returns ${6 * 8} B (token, entropy, k, kept, two margins)`);
