// The Chameleon (Lumina-mGPT / PURE) decoder as ONE ONNX graph for both prefill and decode,
// built from HF-named weights. I/O contract (see DECODER_IO and the report in the PR):
//   input_ids        int64 (batch, seq)             new tokens
//   position_ids     int64 (batch, seq)             RoPE positions of the new tokens
//   attention_mask   int64 (batch, past + seq)      1 = real token, 0 = padding (left padding)
//   past_key_values.{i}.key/.value  T (batch, kv_heads, past, head_dim), past may be 0
//   logits_positions int64 (batch, n_select)        indices into the new tokens
//   -> logits        f32 (batch, n_select, vocab)
//   -> present.{i}.key/.value      T (batch, kv_heads, past + seq, head_dim)
// T is float32 for dtype 'fp32', float16 for 'fp16' and 'int4'.
// With `cache: 'static'` the cache I/O differs (STATIC_DECODER_IO; no attention_mask, no present):
//   past_lengths     int64 (batch)                  valid slots at the start of each row's buffer
//   cache.{i}.key/.value  T (batch, kv_heads, capacity, head_dim)  the runner's buffer, read in place
//   -> new_kv.{i}.key/.value  T (batch, kv_heads, seq, head_dim)  only the new tokens' K/V
// and the runner writes the new K/V into its buffer after the call (pipeline/ort-static-cache-runner.ts).
// In the concat graph (the default) A query at new index j sees cache slots
// 0..past+j whose attention_mask is 1 (causal by slot, not by position id), so rows of a batch
// may hold sequences of different lengths when they are left-padded to a common length.

import { DEFAULT_OPSET, GraphBuilder, encodeModel } from '../../onnx/onnx-builder';
import type { ExternalDataSummary } from '../../onnx/external-data';
import type { DecoderConfig } from '../config';
import { addComputeWeight, addDecoderLayer, INT4_DEFAULTS, isHalfCompute, rmsNorm, toCompute, toF32, linear } from './decoder-layer';
import type { DecoderDtype, Int4GraphOptions, LayerCacheNames, LayerContext } from './decoder-layer';
import { MS_OPSET } from '../quant/matmul-nbits';
import { decoderNames, expectLength } from './decoder-weight-names';
import type { GetWeight } from './decoder-weight-names';
import { GraphOps } from './graph-ops';
import { splitMask, staticMask } from './static-mask';
import { WeightSink } from './weight-sink';
import { runSteps, runStepsYielding } from './build-steps';
import type { BuildSteps } from './build-steps';
import type { WeightRecord } from './weight-sink';

export type { DecoderDtype, Int4GraphOptions } from './decoder-layer';
export { INT4_DEFAULTS } from './decoder-layer';

/**
 * The cache designs a package holds:
 * 'concat': past in, present = Concat(past, new) out (the whole cache crosses the call each step).
 * 'static': a preallocated buffer in, read in place; only the new tokens' K/V out.
 */
export type DecoderCacheKind = 'concat' | 'static';
/**
 * And one the bench measures before packages carry it: 'split', batch 1, a big part read in place
 * and a small recent part; present small = small + new out (ort-gpu-cache-runner.ts folds small
 * into big every few hundred steps).
 */
export type DecoderGraphCache = DecoderCacheKind | 'split';

export interface DecoderGraphOptions {
  dtype: DecoderDtype;
  /** default 'concat' */
  cache?: DecoderGraphCache;
  /** For dtype 'int4' only; default INT4_DEFAULTS. */
  int4?: Partial<Int4GraphOptions>;
  /**
   * Write every weight of 1 KiB or more to this file as it is produced (ONNX external data).
   * The returned model must then be saved in the same directory: the tensors reference the
   * file by its base name.
   */
  externalDataPath?: string;
  /**
   * Write no weights: point every initializer at the ones another build of the same weights
   * recorded (its `weights`), checking each name, type and shape. Excludes externalDataPath.
   */
  replayWeights?: WeightRecord;
}

export interface DecoderGraph {
  /** The serialised .onnx model (small when externalDataPath was given). */
  model: Uint8Array;
  externalData?: ExternalDataSummary;
  /** Every weight initializer as this graph references it, for a twin graph's replayWeights. */
  weights: WeightRecord;
}

/** Graph input/output names, for the code that feeds the session. */
export const DECODER_IO = {
  inputIds: 'input_ids',
  positionIds: 'position_ids',
  attentionMask: 'attention_mask',
  logitsPositions: 'logits_positions',
  logits: 'logits',
  pastKey: (i: number) => `past_key_values.${i}.key`,
  pastValue: (i: number) => `past_key_values.${i}.value`,
  presentKey: (i: number) => `present.${i}.key`,
  presentValue: (i: number) => `present.${i}.value`,
};

/** The static-cache graph's own inputs and outputs (the others are DECODER_IO's). */
export const STATIC_DECODER_IO = {
  pastLengths: 'past_lengths',
  bufferKey: (i: number) => `cache.${i}.key`,
  bufferValue: (i: number) => `cache.${i}.value`,
  newKey: (i: number) => `new_kv.${i}.key`,
  newValue: (i: number) => `new_kv.${i}.value`,
};

/** The two-level cache graph's own inputs and outputs (the others are DECODER_IO's). */
export const SPLIT_DECODER_IO = {
  bigKey: (i: number) => `past_big.${i}.key`,
  bigValue: (i: number) => `past_big.${i}.value`,
  smallKey: (i: number) => `past_small.${i}.key`,
  smallValue: (i: number) => `past_small.${i}.value`,
  presentSmallKey: (i: number) => `present_small.${i}.key`,
  presentSmallValue: (i: number) => `present_small.${i}.value`,
};

/** -1e9 rather than -inf: a fully masked row (a padding query) then gets a finite softmax, not NaN. */
const MASKED = -1e9;

export function buildDecoderGraph(config: DecoderConfig, getWeight: GetWeight, options: DecoderGraphOptions): DecoderGraph {
  return runSteps(decoderGraphSteps(config, getWeight, options));
}

/** The same build, giving the event loop a turn after each weight; `signal` stops it between two weights. */
export function buildDecoderGraphYielding(config: DecoderConfig, getWeight: GetWeight, options: DecoderGraphOptions, signal?: AbortSignal): Promise<DecoderGraph> {
  return runStepsYielding(decoderGraphSteps(config, getWeight, options), signal);
}

/** The build as steps (one per weight): see build-steps.ts. */
export function* decoderGraphSteps(config: DecoderConfig, getWeight: GetWeight, options: DecoderGraphOptions): BuildSteps<DecoderGraph> {
  if (config.numHeads % config.numKvHeads !== 0) throw new Error('numHeads must be a multiple of numKvHeads');
  if (config.headDim % 2 !== 0) throw new Error('RoPE needs an even headDim');
  const g = new GraphBuilder('chameleon_decoder');
  const ops = new GraphOps(g);
  const sink = new WeightSink(g, options.externalDataPath, options.replayWeights);
  if (options.int4 && options.dtype !== 'int4') throw new Error(`int4 options given for dtype '${options.dtype}'`);
  const int4 = options.dtype === 'int4' ? { ...INT4_DEFAULTS, ...options.int4 } : undefined;
  try {
    const kvType = isHalfCompute(options.dtype) ? 'float16' : 'float32';
    const ids = g.addInput({ name: DECODER_IO.inputIds, elementType: 'int64', shape: ['batch', 'seq'] });
    const positions = g.addInput({ name: DECODER_IO.positionIds, elementType: 'int64', shape: ['batch', 'seq'] });
    const isStatic = options.cache === 'static';
    const caches: LayerCacheNames[] = [];
    let maskBias: string;
    let keySplit: string | undefined;
    if (isStatic) {
      const pastLengths = g.addInput({ name: STATIC_DECODER_IO.pastLengths, elementType: 'int64', shape: ['batch'] });
      const kvShape = ['batch', config.numKvHeads, 'capacity', config.headDim];
      for (let i = 0; i < config.numLayers; i++) {
        caches.push({
          kind: 'static',
          bufferKey: g.addInput({ name: STATIC_DECODER_IO.bufferKey(i), elementType: kvType, shape: kvShape }),
          bufferValue: g.addInput({ name: STATIC_DECODER_IO.bufferValue(i), elementType: kvType, shape: kvShape }),
          newKey: STATIC_DECODER_IO.newKey(i),
          newValue: STATIC_DECODER_IO.newValue(i),
        });
      }
      if (config.numLayers === 0) throw new Error('a static-cache decoder needs at least one layer');
      // Every layer's buffer has the same capacity: layer 0's shape stands for all.
      ({ bias: maskBias, keySplit } = staticMask(ops, ids, pastLengths, STATIC_DECODER_IO.bufferKey(0), config.numHeads / config.numKvHeads, MASKED));
    } else if (options.cache === 'split') {
      if (config.numLayers === 0) throw new Error('a split-cache decoder needs at least one layer');
      for (let i = 0; i < config.numLayers; i++) {
        const input = (name: string, len: string) => g.addInput({ name, elementType: kvType, shape: ['batch', config.numKvHeads, len, config.headDim] });
        caches.push({
          kind: 'split',
          bigKey: input(SPLIT_DECODER_IO.bigKey(i), 'big_seq'),
          bigValue: input(SPLIT_DECODER_IO.bigValue(i), 'big_seq'),
          smallKey: input(SPLIT_DECODER_IO.smallKey(i), 'small_seq'),
          smallValue: input(SPLIT_DECODER_IO.smallValue(i), 'small_seq'),
          presentSmallKey: SPLIT_DECODER_IO.presentSmallKey(i),
          presentSmallValue: SPLIT_DECODER_IO.presentSmallValue(i),
        });
      }
      // Every layer's parts have the same lengths: layer 0's shapes stand for all.
      ({ bias: maskBias, keySplit } = splitMask(ops, ids, SPLIT_DECODER_IO.bigKey(0), SPLIT_DECODER_IO.smallKey(0), config.numHeads / config.numKvHeads, MASKED));
    } else {
      const attentionMask = g.addInput({ name: DECODER_IO.attentionMask, elementType: 'int64', shape: ['batch', 'total_seq'] });
      for (let i = 0; i < config.numLayers; i++) {
        const kvShape = ['batch', config.numKvHeads, 'past_seq', config.headDim];
        caches.push({
          kind: 'concat',
          pastKey: g.addInput({ name: DECODER_IO.pastKey(i), elementType: kvType, shape: kvShape }),
          pastValue: g.addInput({ name: DECODER_IO.pastValue(i), elementType: kvType, shape: kvShape }),
          presentKey: DECODER_IO.presentKey(i),
          presentValue: DECODER_IO.presentValue(i),
        });
      }
      maskBias = attentionBias(ops, ids, attentionMask, config.numLayers > 0 ? DECODER_IO.pastKey(0) : undefined);
    }
    const logitsPositions = g.addInput({ name: DECODER_IO.logitsPositions, elementType: 'int64', shape: ['batch', 'n_select'] });

    const { cos, sinSigned } = ropeTables(ops, config, positions);
    const ctx: LayerContext = { ops, config, dtype: options.dtype, ...(int4 ? { int4 } : {}), getWeight, sink, cos, sinSigned, maskBias, ...(keySplit ? { keySplit } : {}) };

    let x = yield* embed(ctx, ids); // (batch, seq, hidden) f32
    for (let i = 0; i < config.numLayers; i++) x = yield* addDecoderLayer(ctx, i, x, caches[i]);

    // Only the requested positions reach the final norm and the LM head: a prefill of 4000
    // tokens must not materialise a (4000, 73728) logits tensor.
    const index = ops.op('Unsqueeze', [logitsPositions, ops.i64([-1])], 'logits_index'); // (batch, n_select, 1)
    const picked = ops.op('GatherND', [x, index], 'picked_hidden', { batch_dims: { type: 'int', value: 1 } }); // (batch, n_select, hidden)
    const normed = toCompute(ctx, yield* rmsNorm(ctx, picked, decoderNames.finalNorm, 'final')); // (batch, n_select, hidden)
    const head = yield* linear(ctx, normed, decoderNames.lmHead, config.vocabSize, config.hiddenSize, 'lm_head', int4?.lmHead ?? false); // (batch, n_select, vocab)
    const logits = isHalfCompute(options.dtype) ? ops.cast(head, 'float32', 'logits_f32') : head;
    ops.op('Identity', [logits], '', undefined, DECODER_IO.logits); // (batch, n_select, vocab) f32

    g.addOutput({ name: DECODER_IO.logits, elementType: 'float32', shape: ['batch', 'n_select', config.vocabSize] });
    for (const cache of caches) {
      const shape = ['batch', config.numKvHeads, cache.kind === 'static' ? 'seq' : cache.kind === 'split' ? 'small_total' : 'total_seq', config.headDim];
      const [key, value] = cache.kind === 'static' ? [cache.newKey, cache.newValue] : cache.kind === 'split' ? [cache.presentSmallKey, cache.presentSmallValue] : [cache.presentKey, cache.presentValue];
      g.addOutput({ name: key, elementType: kvType, shape });
      g.addOutput({ name: value, elementType: kvType, shape });
    }
    const externalData = sink.finish();
    const model = encodeModel({
      graph: g,
      producerName: 'pure-studio',
      docString: 'Chameleon decoder (PURE / Lumina-mGPT architecture), built by src-main/engine/pure/decoder',
      metadata: { dtype: options.dtype, cache: options.cache ?? 'concat', config: JSON.stringify(config), ...(int4 ? { int4: JSON.stringify(int4) } : {}) },
      // MatMulNBits lives in ONNX Runtime's contrib domain.
      ...(int4 ? { opsetImports: [{ domain: '', version: DEFAULT_OPSET }, MS_OPSET] } : {}),
    });
    return externalData ? { model, externalData, weights: sink.record } : { model, weights: sink.record };
  } catch (error) {
    sink.abort();
    throw error;
  }
}

/** Token embedding lookup: (batch, seq) ids -> (batch, seq, hidden) f32. */
function* embed(ctx: LayerContext, ids: string): BuildSteps<string> {
  const c = ctx.config;
  const name = decoderNames.embed;
  const init = addComputeWeight(ctx, name, [c.vocabSize, c.hiddenSize], () => expectLength(name, ctx.getWeight(name), c.vocabSize * c.hiddenSize)); // (vocab, hidden)
  yield;
  return toF32(ctx, ctx.ops.op('Gather', [init, ids], 'embedded', { axis: { type: 'int', value: 0 } }));
}

/**
 * cos and sign-folded sin for rotate-half RoPE, computed in f32 from position_ids like HF
 * ChameleonRotaryEmbedding: inv_freq[i] = theta^(-2i/head_dim), emb = concat(freqs, freqs).
 * Computing them in-graph avoids a (maxPositions, head_dim) table (11776 x 128 x 2 x 4 B = 12 MB)
 * and any limit on positions.
 */
function ropeTables(ops: GraphOps, c: DecoderConfig, positions: string): { cos: string; sinSigned: string } {
  const half = c.headDim / 2;
  const invFreq = new Float32Array(half);
  for (let i = 0; i < half; i++) invFreq[i] = 1 / Math.pow(c.ropeTheta, (2 * i) / c.headDim);
  const signs = new Float32Array(c.headDim);
  for (let d = 0; d < c.headDim; d++) signs[d] = d < half ? -1 : 1;
  const pos = ops.op('Unsqueeze', [ops.cast(positions, 'float32', 'positions_f32'), ops.i64([2])], 'positions_3d'); // (batch, seq, 1)
  const freqs = ops.op('Mul', [pos, ops.f32('rope_inv_freq', invFreq)], 'rope_freqs'); // (batch, seq, head_dim / 2)
  const emb = ops.op('Concat', [freqs, freqs], 'rope_emb', { axis: { type: 'int', value: -1 } }); // (batch, seq, head_dim)
  const heads = ops.i64([1]);
  const cos = ops.op('Unsqueeze', [ops.op('Cos', [emb], 'rope_cos3'), heads], 'rope_cos'); // (batch, 1, seq, head_dim)
  const sin = ops.op('Mul', [ops.op('Sin', [emb], 'rope_sin3'), ops.f32('rope_signs', signs)], 'rope_sin_signed3'); // (batch, seq, head_dim)
  return { cos, sinSigned: ops.op('Unsqueeze', [sin, heads], 'rope_sin_signed') }; // (batch, 1, seq, head_dim)
}

/**
 * Additive attention bias (batch, 1, seq, total) f32: 0 where new token j may see cache slot t
 * (t <= past + j and attention_mask[t] = 1), MASKED elsewhere.
 */
function attentionBias(ops: GraphOps, ids: string, attentionMask: string, pastKey: string | undefined): string {
  const i1 = (value: number) => ({ type: 'int', value }) as const;
  const past = pastKey
    ? ops.op('Shape', [pastKey], 'past_len', { start: i1(2), end: i1(3) }) // (1)
    : ops.i64([0]);
  const seq = ops.op('Shape', [ids], 'seq_len', { start: i1(1), end: i1(2) }); // (1)
  const total = ops.op('Add', [past, seq], 'total_len'); // (1)
  const scalar = (t: string) => ops.op('Squeeze', [t, ops.i64([0])], `${t}_s`); // ()
  const one = ops.i64([1], []);
  const keySlots = ops.op('Range', [ops.i64([0], []), scalar(total), one], 'key_slots'); // (total)
  const querySlots = ops.op('Range', [scalar(past), scalar(total), one], 'query_slots'); // (seq)
  const queryColumn = ops.op('Unsqueeze', [querySlots, ops.i64([1])], 'query_column'); // (seq, 1)
  const causal = ops.op('LessOrEqual', [keySlots, queryColumn], 'causal'); // (seq, total) bool
  const real = ops.op('Unsqueeze', [ops.cast(attentionMask, 'bool', 'mask_bool'), ops.i64([1, 2])], 'mask_4d'); // (batch, 1, 1, total) bool
  const allowed = ops.op('And', [causal, real], 'allowed'); // (batch, 1, seq, total) bool
  return ops.op('Where', [allowed, ops.scalar('zero', 0), ops.scalar('masked', MASKED)], 'mask_bias'); // (batch, 1, seq, total) f32
}
