// `npx tsx bench/pure-tiny.bench.ts [--quick] [--no-mid] [--mid-loop]`: decoder speed of PURE's generation
// loop on TEST MODELS (the real decoder graph at small sizes with random weights: they restore
// nothing, and their speed says little about 7B's except how the two CFG runners compare).
//   1. The whole decode loop on the tiny test model: prefill time, image tokens per second, decoder
//      time per image token, RSS growth, for four runners: the concat-cache graph (the whole cache
//      copied out of every call) one call per branch or CFG batched (left padding), and the
//      static-cache graph (JS buffers read in place, only new K/V out) one by one or batched.
//   2. Decoder time per image token at the start, middle and end of an image, all four, on the
//      tiny and a mid-size test model (hidden 512, 8 layers), with what the left padding costs.
// Prints numbers; asserts nothing. BENCH_THREADS sets onnxruntime's threads (default 2).
import { loadavg } from 'node:os';
import { PerformanceObserver } from 'node:perf_hooks';
import { PURE_7B, PURE_TOKENS } from '../src-main/engine/pure/config';
import type { DecoderConfig } from '../src-main/engine/pure/config';
import * as ort from 'onnxruntime-node';
import { DECODER_IO, STATIC_DECODER_IO } from '../src-main/engine/pure/decoder/decoder-graph';
import type { DecoderCacheKind } from '../src-main/engine/pure/decoder/decoder-graph';
import type { DecoderSession, KvCache } from '../src-main/engine/pure/decoder/decoder-session';
import { makeTinyTokenizer } from '../src-main/engine/pure/fixtures/tiny-tokenizer';
import { generatePure } from '../src-main/engine/pure/generation/generate';
import type { GenerationResult } from '../src-main/engine/pure/generation/generate';
import { buildPrompt } from '../src-main/engine/pure/generation/prompt';
import { imageSequenceLength, serializeImage } from '../src-main/engine/pure/generation/token-layout';
import { createDecoderRunner } from '../src-main/engine/pure/pipeline/decoder-runner-choice';
import type { CfgBatching } from '../src-main/engine/pure/pipeline/decoder-runner-choice';
import { stackLeftPadded } from '../src-main/engine/pure/pipeline/kv-rows';
import { stepTensors } from '../src-main/engine/pure/pipeline/step-tensors';
import { buildImageCodeMap, vocabularyEntries } from '../src-main/engine/pure/tokenizer/code-map';
import { openBenchDecoder, TEST_DECODERS } from './pure-test-decoder';
import { RssSampler } from './rss-sampler';
import { TimedRunner } from './timed-runner';
import type { ForwardRecord } from './timed-runner';

const quick = process.argv.includes('--quick');
const withMid = !process.argv.includes('--no-mid') && !quick; // the mid-size model takes ~1 min to build and probe
const threads = Number(process.env.BENCH_THREADS ?? 2);
const SIDE = quick ? 32 : 64; // latent tokens per image side: 64 is PURE's 512 px
const PROBE_STEPS = quick ? 5 : 15;
const MODES: CfgBatching[] = ['one-by-one', 'batched'];
const GRAPHS: DecoderCacheKind[] = ['concat', 'static'];
const VARIANTS = GRAPHS.flatMap((graph) => MODES.map((mode) => ({ graph, mode, name: `${graph} ${mode}` })));

const codeMap = buildImageCodeMap(vocabularyEntries(makeTinyTokenizer()), 16384, TEST_DECODERS.tiny.config.vocabSize);
const INSTRUCTION = Array.from({ length: 24 }, (_, i) => 9100 + i); // stand-in for the tokenized instruction
const FORCED_TEXT = Array.from({ length: 14 }, (_, i) => 9300 + i); // degradation + caption, forced
/** A PURE-shaped workload at `side` latent tokens per side: prompt with the LQ image, forced text. */
function workload(side: number) {
  const lq = Int32Array.from({ length: side * side }, (_, i) => (i * 7919) % 16384);
  const prompt = buildPrompt(PURE_TOKENS, INSTRUCTION, serializeImage(lq, side, side, codeMap.codeToId, PURE_TOKENS, 4));
  // Slots in the cond cache when the image starts: prompt + forced text + image start.
  return { side, lq, prompt, imageTokens: imageSequenceLength(side, side), condAtImage: prompt.length + FORCED_TEXT.length + 1 };
}
type Workload = ReturnType<typeof workload>;
const main = workload(SIDE);

const fmt = (x: number, digits = 2) => x.toFixed(digits);
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

console.log(`PURE decoder bench on TEST MODELS (random weights; they restore nothing). threads=${threads}, load average ${loadavg().map((l) => fmt(l)).join(' ')}`);
console.log('Wall times on a shared machine are noisy: process CPU time (all onnxruntime threads) is printed next to them.\n');

// ---- 1. the whole decode loop ----
await decodeLoop('tiny', main);
// A mid-size loop takes minutes on 2 cores: opt in (a 32x32 image keeps it to a few).
if (process.argv.includes('--mid-loop')) await decodeLoop('mid', workload(32));

// ---- 2. decoder time per image token at fixed contexts ----
for (const which of withMid ? (['tiny', 'mid'] as const) : (['tiny'] as const)) {
  const model = await openBenchDecoder(which, threads);
  const fixed = await openBenchDecoder(which, threads, 'fp32', 'static');
  try {
    console.log(`2. Decoder ms per image token at fixed contexts, ${model.label}, fp32 (fastest of ${PROBE_STEPS}; cond cache = ${main.condAtImage} + i, uncond = 3 + i; wall / cpu)`);
    console.log('image token i   concat 1-by-1   concat batched   static 1-by-1   static batched   concat pad cost ms');
    for (const i of [0, main.imageTokens >> 1, main.imageTokens - 1]) {
      const p = await probeAt(model.session, main.condAtImage + i, 3 + i);
      const st = await probeStatic(fixed.session, main.condAtImage + i, 3 + i);
      const cell = (t: Timing) => `${fmt(t.wall)} / ${fmt(t.cpu)}`.padStart(17);
      console.log(`${String(i).padStart(13)}${cell(p.sequential)}${cell(p.batched)}${cell(st.sequential)}${cell(st.batched)}${fmt(p.padCostMs).padStart(20)}`);
    }
    console.log(kvMemoryLine(model.config, 'this model', 4, main));
    console.log('');
  } finally {
    await model.close();
    await fixed.close();
  }
}
console.log(kvMemoryLine(PURE_7B.decoder, `PURE 7B fp16 at ${SIDE}x${SIDE} (computed, not run)`, 2, main));

/** The whole generation loop on a test model, with each runner; the same seed. */
async function decodeLoop(which: keyof typeof TEST_DECODERS, w: Workload): Promise<void> {
  const models = { concat: await openBenchDecoder(which, threads), static: await openBenchDecoder(which, threads, 'fp32', 'static') };
  try {
    console.log(`1. Decode loop, ${models.concat.label}, fp32: prompt ${w.prompt.length} tokens, ${FORCED_TEXT.length} forced text tokens, a ${w.side}x${w.side} image (${w.imageTokens} tokens) with CFG`);
    for (const graph of GRAPHS) await warmUp(models[graph].session);
    const results = new Map<string, GenerationResult>();
    console.log('runner                prefill ms   image tok/s   decoder ms/image token (wall, cpu)   calls/token   pad share of attended KV   JS GC s   RSS peak growth MiB');
    for (const v of VARIANTS) {
      // Every concat call hands the whole KV cache to JS as fresh buffers: the GC's share shows that cost.
      let gcMs = 0;
      const gc = new PerformanceObserver((list) => list.getEntries().forEach((e) => (gcMs += e.duration)));
      gc.observe({ entryTypes: ['gc'] });
      const rss0 = process.memoryUsage().rss;
      const timed = new RssSampler(new TimedRunner(createDecoderRunner(models[v.graph].session, v.mode)));
      const r = await generatePure(timed, { prompt: w.prompt, lqCodes: w.lq, forcedText: FORCED_TEXT }, { tokens: PURE_TOKENS, codeMap, side: w.side, latentPerGrid: 4, seed: 1 });
      await new Promise((resolve) => setImmediate(resolve)); // let the observer hear the last GCs
      gc.disconnect();
      if (!r.imageComplete) throw new Error('the bench image did not complete');
      results.set(v.name, r);
      const image = timed.inner.records.filter((x) => x.tokensPerStep === 1 || x.batch === 2); // after the prefill
      console.log(
        `${v.name.padEnd(22)}${fmt(r.timings.prefillMs, 0).padStart(10)}${fmt(r.timings.imageTokensPerSecond, 1).padStart(14)}` +
          `${fmt(sum(image.map((x) => x.wallMs)) / w.imageTokens, 3).padStart(17)}, ${fmt(sum(image.map((x) => x.cpuMs)) / w.imageTokens, 3).padEnd(21)}` +
          `${fmt(image.length / w.imageTokens).padStart(6)}${`${fmt(100 * (v.graph === 'concat' ? padShareOf(image) : 0), 1)} %`.padStart(22)}${fmt(gcMs / 1000, 1).padStart(13)}` +
          `${fmt((timed.peakRss - rss0) / 2 ** 20, 0).padStart(20)}`,
      );
    }
    const base = results.get(VARIANTS[0].name)!;
    for (const v of VARIANTS.slice(1)) {
      const r = results.get(v.name)!;
      const same = r.tokens.length === base.tokens.length && r.tokens.every((t, i) => t === base.tokens[i]);
      console.log(`${v.name}: same tokens as ${VARIANTS[0].name} (seed 1): ${same ? 'yes' : 'NO'}; image tokens/s ${fmt(r.timings.imageTokensPerSecond / base.timings.imageTokensPerSecond)}x`);
    }
    console.log('');
  } finally {
    await models.concat.close();
    await models.static.close();
  }
}

/** Every runner's shapes once (prefill, batch 1, batch 2), so first-call costs stay out of the numbers. */
async function warmUp(session: DecoderSession): Promise<void> {
  const side = 4;
  const small = Int32Array.from({ length: side * side }, (_, i) => i);
  const p = buildPrompt(PURE_TOKENS, INSTRUCTION, serializeImage(small, side, side, codeMap.codeToId, PURE_TOKENS, 4));
  for (const mode of MODES) {
    await generatePure(createDecoderRunner(session, mode), { prompt: p, lqCodes: small, forcedText: FORCED_TEXT }, { tokens: PURE_TOKENS, codeMap, side, latentPerGrid: 4, seed: 1 });
  }
}

/** Share of the KV slots attended in batched calls that are padding. */
function padShareOf(records: ForwardRecord[]): number {
  const batched = records.filter((x) => x.batch === 2);
  if (batched.length === 0) return 0;
  return 1 - sum(batched.map((x) => x.realSlots)) / sum(batched.map((x) => x.paddedSlots));
}

interface Timing {
  wall: number;
  cpu: number;
}

/**
 * One image step at cond length `condLen`, uncond length `uncondLen` (caches of made-up values:
 * speed does not depend on them): two batch-1 calls vs one left-padded batch-2 call. The padding's
 * cost is measured, not modelled: half the difference between the padded batch-2 step and a
 * batch-2 step with both rows at the uncond length (everything that scales with cache slots:
 * attention, and the copies of the cache into and out of each call).
 */
async function probeAt(session: DecoderSession, condLen: number, uncondLen: number): Promise<{ sequential: Timing; batched: Timing; padCostMs: number }> {
  const cond = madeUpCache(session, condLen);
  const uncond = madeUpCache(session, uncondLen);
  const padded = stackLeftPadded([cond, uncond]);
  const unpadded = stackLeftPadded([uncond, uncond]);
  const token = Int32Array.of(4);
  const solo = (c: KvCache) => () => session.runTensors({ ...stepTensors([{ tokens: token, position: c.length, pad: 0 }], c.length), past: c });
  const pair = (cache: KvCache, rows: [number, number], pads: number[]) => () =>
    session.runTensors({ ...stepTensors(rows.map((position, r) => ({ tokens: token, position, pad: pads[r] })), cache.length), past: cache });
  const condStep = await time(solo(cond));
  const uncondStep = await time(solo(uncond));
  const batched = await time(pair(padded.cache, [condLen, uncondLen], padded.pads));
  const short = await time(pair(unpadded.cache, [uncondLen, uncondLen], unpadded.pads));
  return {
    sequential: { wall: condStep.wall + uncondStep.wall, cpu: condStep.cpu + uncondStep.cpu },
    batched,
    padCostMs: Math.max(0, batched.wall - short.wall) / 2,
  };
}

/**
 * The static-cache graph at the same contexts, fed as OrtStaticCacheRunner feeds it: buffers of
 * made-up values at the runner's capacity (the length rounded up to its 256-slot growth), read in
 * place; one batch-1 call per branch over its own buffer, or one batch-2 call over two rows.
 */
async function probeStatic(session: DecoderSession, condLen: number, uncondLen: number): Promise<{ sequential: Timing; batched: Timing }> {
  const c = session.config;
  const capacity = (len: number) => Math.ceil((len + 1) / 256) * 256;
  const call = (lengths: number[]) => {
    const rows = lengths.length;
    const cap = capacity(Math.max(...lengths));
    const buffer = () => new ort.Tensor('float32', Float32Array.from({ length: rows * c.numKvHeads * cap * c.headDim }, (_, i) => Math.sin(i)), [rows, c.numKvHeads, cap, c.headDim]);
    const feeds: Record<string, ort.Tensor> = {
      [DECODER_IO.inputIds]: new ort.Tensor('int64', new BigInt64Array(rows).fill(4n), [rows, 1]),
      [DECODER_IO.positionIds]: new ort.Tensor('int64', BigInt64Array.from(lengths, BigInt), [rows, 1]),
      [STATIC_DECODER_IO.pastLengths]: new ort.Tensor('int64', BigInt64Array.from(lengths, BigInt), [rows]),
      [DECODER_IO.logitsPositions]: new ort.Tensor('int64', new BigInt64Array(rows), [rows, 1]),
    };
    for (let i = 0; i < c.numLayers; i++) {
      feeds[STATIC_DECODER_IO.bufferKey(i)] = buffer();
      feeds[STATIC_DECODER_IO.bufferValue(i)] = buffer();
    }
    return () => session.session.run(feeds);
  };
  const condStep = await time(call([condLen]));
  const uncondStep = await time(call([uncondLen]));
  const batched = await time(call([condLen, uncondLen]));
  return { sequential: { wall: condStep.wall + uncondStep.wall, cpu: condStep.cpu + uncondStep.cpu }, batched };
}

/** The fastest of PROBE_STEPS runs (after one warm-up): on a shared machine the minimum is the least disturbed. */
async function time(step: () => Promise<unknown>): Promise<Timing> {
  await step();
  let wall = Infinity;
  let cpu = Infinity;
  for (let i = 0; i < PROBE_STEPS; i++) {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await step();
    wall = Math.min(wall, performance.now() - t0);
    const used = process.cpuUsage(cpu0);
    cpu = Math.min(cpu, (used.user + used.system) / 1000);
  }
  return { wall, cpu };
}

function madeUpCache(session: DecoderSession, length: number): KvCache {
  const c = session.config;
  const layer = () => session.kvTensor(Float32Array.from({ length: c.numKvHeads * length * c.headDim }, (_, i) => Math.sin(i)), [1, c.numKvHeads, length, c.headDim]);
  return { length, keys: Array.from({ length: c.numLayers }, layer), values: Array.from({ length: c.numLayers }, layer) };
}

/** KV cache bytes at the image's end: batched keeps the uncond row as long as the cond one. */
function kvMemoryLine(c: DecoderConfig, label: string, bytesPerValue: number, w: Workload): string {
  const perSlot = c.numLayers * 2 * c.numKvHeads * c.headDim * bytesPerValue;
  const condEnd = w.condAtImage + w.imageTokens;
  const uncondEnd = 3 + w.imageTokens;
  const mib = (slots: number) => fmt((slots * perSlot) / 2 ** 20, 0);
  return `KV cache at the image end, ${label}: one-by-one ${mib(condEnd + uncondEnd)} MiB, batched ${mib(2 * condEnd)} MiB (+${mib(condEnd - uncondEnd)} MiB of padding)`;
}
