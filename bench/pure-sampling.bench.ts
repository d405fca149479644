// `npx tsx bench/pure-sampling.bench.ts [images]`: host-side time per generated PURE image token
// (CFG combine + mask + entropy + dynamic top-k + temperature + sampling + the loop's bookkeeping)
// on the real 73728-token vocabulary, through the real generation loop with a decoder that answers
// instantly from precomputed logits. Host time of a step = from the moment forward() returned to
// the moment the loop calls forward() again. Prints numbers; asserts nothing.
// Target on the 2-core machine: <= 1 ms per image token.
import { loadavg } from 'node:os';
import { PURE_TOKENS } from '../src-main/engine/pure/config';
import { createRng, nextFloat } from '../src-main/engine/common/sampling/rng';
import { buildImageCodeMap, vocabularyEntries } from '../src-main/engine/pure/tokenizer/code-map';
import { makeTinyTokenizer } from '../src-main/engine/pure/fixtures/tiny-tokenizer';
import { generatePure } from '../src-main/engine/pure/generation/generate';
import { buildPrompt } from '../src-main/engine/pure/generation/prompt';
import type { DecoderRunner, DecoderStep } from '../src-main/engine/pure/generation/runner';
import { serializeImage } from '../src-main/engine/pure/generation/token-layout';

const VOCAB = 73728;
const SIDE = 64;
const images = Number(process.argv[2] ?? 3); // the first one warms the JIT up and is not counted
const codeMap = buildImageCodeMap(vocabularyEntries(makeTinyTokenizer()), 16384, VOCAB);
const rng = createRng(1);
const gauss = () => nextFloat(rng) + nextFloat(rng) + nextFloat(rng) - 1.5; // ~N(0, 0.5)

/** Logits that look like a model's: noise over every token, a few to a few hundred peaked codes. */
function realisticLogits(): Float32Array {
  const a = new Float32Array(VOCAB);
  for (let i = 0; i < VOCAB; i++) a[i] = 3 * gauss();
  const peaks = 1 + Math.floor(nextFloat(rng) ** 3 * 300); // mostly few peaks: entropy (and k) vary
  for (let j = 0; j < peaks; j++) a[codeMap.codeIds[Math.floor(nextFloat(rng) * 16384)]] += 4 + 10 * nextFloat(rng);
  return a;
}
// 48 distinct arrays (14 MB): more than the caches hold, like fresh logits from a real decoder.
const pool = Array.from({ length: 48 }, realisticLogits);
const TEXT = [9300, 9301, 9302, 9303, 9304];

class InstantRunner implements DecoderRunner {
  readonly vocabSize = VOCAB;
  readonly maxBatch = 2;
  hostMs: number[] = [];
  cpuUs: number[] = [];
  private lastReturn = NaN;
  private lastCpu = process.cpuUsage();
  private calls = 0;
  private readonly text = new Float32Array(VOCAB);
  private next = 1;

  async openSequence(): Promise<number> {
    return this.next++;
  }

  async forward(steps: readonly DecoderStep[]): Promise<Float32Array[]> {
    const now = performance.now();
    const cpu = process.cpuUsage(this.lastCpu);
    const inImage = this.calls > TEXT.length + 3;
    if (inImage && !Number.isNaN(this.lastReturn)) {
      this.hostMs.push(now - this.lastReturn);
      this.cpuUs.push(cpu.user + cpu.system);
    }
    this.calls++;
    let out: Float32Array[];
    if (this.calls <= TEXT.length + 3 && steps[0].sequence === 1) {
      // Text, then the image start and the two grid tokens, with one obvious choice each.
      this.text.fill(0);
      const i = this.calls - 1;
      this.text[i < TEXT.length ? TEXT[i] : i === TEXT.length ? PURE_TOKENS.imageStart : PURE_TOKENS.gridBase + 16] = 30;
      out = [this.text];
    } else {
      out = steps.map((_, j) => pool[(this.calls * 2 + j) % pool.length]);
    }
    this.lastCpu = process.cpuUsage();
    this.lastReturn = performance.now();
    return out;
  }

  async closeSequence(): Promise<void> {}
}

const lq = Int32Array.from({ length: SIDE * SIDE }, (_, i) => i % 16384);
const prompt = buildPrompt(PURE_TOKENS, [9400, 9401], serializeImage(lq, SIDE, SIDE, codeMap.codeToId, PURE_TOKENS, 4));
const host: number[] = [];
const cpu: number[] = [];
let sampling = 0;
let tokens = 0;
for (let i = 0; i < images; i++) {
  const runner = new InstantRunner();
  const r = await generatePure(runner, { prompt, lqCodes: lq }, { tokens: PURE_TOKENS, codeMap, side: SIDE, latentPerGrid: 4, seed: i });
  if (!r.imageComplete) throw new Error('bench image did not complete');
  if (i === 0) continue;
  host.push(...runner.hostMs);
  cpu.push(...runner.cpuUs.map((us) => us / 1000));
  sampling += r.timings.samplingMs;
  tokens += runner.hostMs.length;
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
console.log(`PURE host-side sampling per image token, vocabulary ${VOCAB}, ${tokens} tokens over ${images - 1} image(s) (after 1 warm-up)`);
console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} on this machine: wall-clock tails include time the OS gave to other processes`);
console.log('                 median    p95   mean   (ms/token)   target <= 1 ms');
console.log(`wall clock     ${pct(host, 0.5).toFixed(3).padStart(8)} ${pct(host, 0.95).toFixed(3).padStart(6)} ${mean(host).toFixed(3).padStart(6)}`);
console.log(`CPU time       ${pct(cpu, 0.5).toFixed(3).padStart(8)} ${pct(cpu, 0.95).toFixed(3).padStart(6)} ${mean(cpu).toFixed(3).padStart(6)}`);
console.log(`of which the sampler itself: ${(sampling / tokens).toFixed(3)} ms/token (mean)`);
