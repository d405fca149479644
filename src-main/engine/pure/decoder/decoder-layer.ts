// One Chameleon decoder layer as ONNX nodes: pre-norm attention with per-head QK LayerNorm and
// rotate-half RoPE over the KV cache, then a pre-norm SwiGLU MLP. The cache is either concatenated
// (past in, present = past + new out) or a static buffer read in place (static-attention.ts). The residual
// stream, the norms, RoPE and the softmax are always fp32; with dtype 'fp16' the weights, the
// MatMuls and the KV cache are fp16 (HF Chameleon likewise computes its norms in fp32).
// dtype 'int4' is the fp16 graph with every Linear as a 4-bit MatMulNBits (quant/): the weights
// shrink ~3.5x and the rest (embeddings, KV cache, activations) stays fp16.
// Pure TypeScript: no Node built-ins.

import type { DecoderConfig } from '../config';
import { decoderNames, expectLength } from './decoder-weight-names';
import type { GetWeight } from './decoder-weight-names';
import type { GraphOps } from './graph-ops';
import { expandPerHead, toFloat16Bits, transpose } from './weight-prep';
import type { WeightSink } from './weight-sink';
import type { BuildSteps } from './build-steps';
import { matMulNBits } from '../quant/matmul-nbits';
import type { Int4Scheme } from '../quant/int4-blockwise';
import { staticAttention } from './static-attention';

export type DecoderDtype = 'fp32' | 'fp16' | 'int4';

/** How an 'int4' graph quantises its Linears (see quant/int4-blockwise.ts). */
export interface Int4GraphOptions {
  blockSize: number;
  scheme: Int4Scheme;
  /** Quantise the LM head too (73728 x 4096: 604 MB fp16 -> 175 MB). */
  lmHead: boolean;
  /**
   * MatMulNBits' accuracy_level: 0 multiplies with the activations as given; 4 lets the CPU
   * quantise them to int8 per block and use integer dot products (faster, more error:
   * docs/gpu.md has both measured). Absent = 0.
   */
  accuracyLevel?: 0 | 4;
}

/**
 * Block 32, asymmetric, LM head int4: the least error of the int4 layouts within 4% of the
 * smallest (quant/int4-error.probe.ts). Accuracy level 4: int8 activations on the CPU, 1.4-2.2x
 * faster decode steps for a KL change of 0.0001 nats on the TEST MODELS (docs/gpu.md); the same
 * trade llama.cpp makes for its 4-bit CPU path.
 */
export const INT4_DEFAULTS: Int4GraphOptions = { blockSize: 32, scheme: 'asymmetric', lmHead: true, accuracyLevel: 4 };

/** fp16 activations and KV cache for 'fp16' and 'int4'; fp32 only for 'fp32'. */
export const isHalfCompute = (dtype: DecoderDtype): boolean => dtype !== 'fp32';

/** What every layer shares: builders, weights, and the tensors computed once per run. */
export interface LayerContext {
  ops: GraphOps;
  config: DecoderConfig;
  dtype: DecoderDtype;
  /** Set exactly when dtype is 'int4'. */
  int4?: Int4GraphOptions;
  getWeight: GetWeight;
  sink: WeightSink;
  cos: string; // (batch, 1, seq, head_dim) f32
  sinSigned: string; // (batch, 1, seq, head_dim) f32, first half negated (see rope())
  /**
   * Additive attention bias, f32: 0 where attending, -1e9 elsewhere. Concat cache:
   * (batch, 1, seq, total). Static cache: (batch, 1, groups * seq, capacity + seq).
   */
  maskBias: string;
  /** Static cache only: int64 (2) = [capacity, seq], where the scores split into buffer and new slots. */
  keySplit?: string;
}

/** Cache tensors of one layer: graph input names (past) and output names (present). */
export interface ConcatCacheNames {
  kind: 'concat';
  pastKey: string; // input (batch, kv_heads, past, head_dim)
  pastValue: string;
  presentKey: string; // output (batch, kv_heads, past + seq, head_dim)
  presentValue: string;
}

/** A static cache: the runner's buffer as input (read in place), only the new tokens' K/V out. */
export interface StaticCacheNames {
  kind: 'static';
  bufferKey: string; // input (batch, kv_heads, capacity, head_dim)
  bufferValue: string;
  newKey: string; // output (batch, kv_heads, seq, head_dim)
  newValue: string;
}

/**
 * A two-level cache for a device runner (batch 1): a big part fed back unchanged for many steps and
 * a small recent part; only small + new comes out, so a step copies at most the small part.
 */
export interface SplitCacheNames {
  kind: 'split';
  bigKey: string; // input (batch, kv_heads, big, head_dim)
  bigValue: string;
  smallKey: string; // input (batch, kv_heads, small, head_dim)
  smallValue: string;
  presentSmallKey: string; // output (batch, kv_heads, small + seq, head_dim)
  presentSmallValue: string;
}

export type LayerCacheNames = ConcatCacheNames | StaticCacheNames | SplitCacheNames;

/** Adds layer `i`; `x` is the residual stream (batch, seq, hidden) f32; returns the new one. */
export function* addDecoderLayer(ctx: LayerContext, i: number, x: string, cache: LayerCacheNames): BuildSteps<string> {
  const { ops, config: c } = ctx;
  const n = decoderNames.layer(i);
  const H = c.hiddenSize;
  const qDim = c.numHeads * c.headDim;
  const kvDim = c.numKvHeads * c.headDim;

  // ---- attention ----
  const h = toCompute(ctx, yield* rmsNorm(ctx, x, n.inputNorm, `l${i}_attn_in`)); // (batch, seq, hidden)
  const q = yield* linear(ctx, h, n.q, qDim, H, `l${i}_q`); // (batch, seq, heads * head_dim)
  const k = yield* linear(ctx, h, n.k, kvDim, H, `l${i}_k`); // (batch, seq, kv_heads * head_dim)
  const v = yield* linear(ctx, h, n.v, kvDim, H, `l${i}_v`); // (batch, seq, kv_heads * head_dim)
  const qh = yield* normAndRope(ctx, toF32(ctx, q), c.numHeads, n.qNormWeight, n.qNormBias, `l${i}_q`); // (batch, heads, seq, head_dim)
  const kh = yield* normAndRope(ctx, toF32(ctx, k), c.numKvHeads, n.kNormWeight, n.kNormBias, `l${i}_k`); // (batch, kv_heads, seq, head_dim)
  const v4 = ops.op('Reshape', [v, ops.i64([0, 0, c.numKvHeads, c.headDim])], `l${i}_v4`); // (batch, seq, kv_heads, head_dim)
  const vh = ops.op('Transpose', [v4], `l${i}_vh`, { perm: ints([0, 2, 1, 3]) }); // (batch, kv_heads, seq, head_dim)

  // Scaling q (seq x head_dim values) is cheaper than scaling the scores (seq x total).
  const qScaled = ops.op('Mul', [qh, ops.scalar('attn_scale', 1 / Math.sqrt(c.headDim))], `l${i}_qs`); // (batch, heads, seq, head_dim) f32
  let attn: string; // (batch, seq, heads * head_dim)
  if (cache.kind === 'concat') {
    const qs = toCompute(ctx, qScaled); // (batch, heads, seq, head_dim)
    const axis2 = { axis: int(2) };
    const kAll = ops.op('Concat', [cache.pastKey, toCompute(ctx, kh)], '', axis2, cache.presentKey); // (batch, kv_heads, total, head_dim)
    const vAll = ops.op('Concat', [cache.pastValue, vh], '', axis2, cache.presentValue); // (batch, kv_heads, total, head_dim)
    attn = attention(ctx, i, qs, kAll, vAll);
  } else if (cache.kind === 'split') {
    // The small part and the new tokens are joined (the present small part), the big part is read
    // where it lies: static attention's buffer + new, with small + new as the "new" side.
    const axis2 = { axis: int(2) };
    const kRecent = ops.op('Concat', [cache.smallKey, toCompute(ctx, kh)], '', axis2, cache.presentSmallKey); // (batch, kv_heads, small + seq, head_dim)
    const vRecent = ops.op('Concat', [cache.smallValue, vh], '', axis2, cache.presentSmallValue); // (batch, kv_heads, small + seq, head_dim)
    attn = staticAttention(ctx, i, qScaled, cache.bigKey, cache.bigValue, kRecent, vRecent, 'compute');
  } else {
    const kNew = ops.op('Identity', [toCompute(ctx, kh)], '', undefined, cache.newKey); // (batch, kv_heads, seq, head_dim)
    const vNew = ops.op('Identity', [vh], '', undefined, cache.newValue); // (batch, kv_heads, seq, head_dim)
    attn = staticAttention(ctx, i, qScaled, cache.bufferKey, cache.bufferValue, kNew, vNew);
  }
  const o = yield* linear(ctx, attn, n.o, H, qDim, `l${i}_o`); // (batch, seq, hidden)
  const x1 = ops.op('Add', [x, toF32(ctx, o)], `l${i}_resid_attn`); // (batch, seq, hidden)

  // ---- SwiGLU MLP: down(silu(gate(h)) * up(h)) ----
  const h2 = toCompute(ctx, yield* rmsNorm(ctx, x1, n.postNorm, `l${i}_mlp_in`)); // (batch, seq, hidden)
  const gate = yield* linear(ctx, h2, n.gate, c.intermediateSize, H, `l${i}_gate`); // (batch, seq, inter)
  const up = yield* linear(ctx, h2, n.up, c.intermediateSize, H, `l${i}_up`); // (batch, seq, inter)
  const silu = ops.op('Mul', [gate, ops.op('Sigmoid', [gate], `l${i}_sig`)], `l${i}_silu`); // (batch, seq, inter)
  const act = ops.op('Mul', [silu, up], `l${i}_act`); // (batch, seq, inter)
  const down = yield* linear(ctx, act, n.down, H, c.intermediateSize, `l${i}_down`); // (batch, seq, hidden)
  return ops.op('Add', [x1, toF32(ctx, down)], `l${i}_out`); // (batch, seq, hidden)
}

/** softmax(q k^T + mask) v over all heads; q pre-scaled. Returns (batch, seq, heads * head_dim). */
function attention(ctx: LayerContext, i: number, q: string, kAll: string, vAll: string): string {
  const { ops, config: c } = ctx;
  const groups = c.numHeads / c.numKvHeads;
  let scores: string;
  let mask = ctx.maskBias; // (batch, 1, seq, total)
  let v = vAll;
  if (groups === 1) {
    const kT = ops.op('Transpose', [kAll], `l${i}_kT`, { perm: ints([0, 1, 3, 2]) }); // (batch, heads, head_dim, total)
    scores = ops.op('MatMul', [q, kT], `l${i}_scores`); // (batch, heads, seq, total)
  } else {
    // Grouped-query attention without copying K/V: split the heads into (kv_heads, groups) and
    // let MatMul broadcast each K/V head over its group.
    const q5 = ops.op('Reshape', [q, ops.i64([0, c.numKvHeads, groups, -1, c.headDim])], `l${i}_q5`); // (batch, kv_heads, groups, seq, head_dim)
    const k5 = ops.op('Unsqueeze', [kAll, ops.i64([2])], `l${i}_k5`); // (batch, kv_heads, 1, total, head_dim)
    const kT = ops.op('Transpose', [k5], `l${i}_kT`, { perm: ints([0, 1, 2, 4, 3]) }); // (batch, kv_heads, 1, head_dim, total)
    scores = ops.op('MatMul', [q5, kT], `l${i}_scores`); // (batch, kv_heads, groups, seq, total)
    mask = ops.op('Unsqueeze', [mask, ops.i64([1])], `l${i}_mask5`); // (batch, 1, 1, seq, total)
    v = ops.op('Unsqueeze', [vAll, ops.i64([2])], `l${i}_v5`); // (batch, kv_heads, 1, total, head_dim)
  }
  const biased = ops.op('Add', [toF32(ctx, scores), mask], `l${i}_biased`); // scores' shape, f32
  const probs = ops.op('Softmax', [biased], `l${i}_probs`, { axis: int(-1) }); // scores' shape, f32
  let out = ops.op('MatMul', [toCompute(ctx, probs), v], `l${i}_ctx`); // (batch, heads, seq, head_dim) or 5-D
  if (groups !== 1) out = ops.op('Reshape', [out, ops.i64([0, c.numHeads, -1, c.headDim])], `l${i}_ctx4`); // (batch, heads, seq, head_dim)
  const bshd = ops.op('Transpose', [out], `l${i}_ctxT`, { perm: ints([0, 2, 1, 3]) }); // (batch, seq, heads, head_dim)
  return ops.op('Reshape', [bshd, ops.i64([0, 0, c.numHeads * c.headDim])], `l${i}_attn`); // (batch, seq, heads * head_dim)
}

/**
 * QK-norm then RoPE, on x (batch, seq, nh * head_dim) f32 -> (batch, nh, seq, head_dim) f32.
 * Chameleon normalises each head's head_dim values (LayerNorm statistics, no affine), applies a
 * per-head affine, and only then rotates (HF ChameleonAttention.forward: q_norm before
 * apply_rotary_pos_emb).
 */
function* normAndRope(ctx: LayerContext, x: string, nh: number, weightName: string, biasName: string, hint: string): BuildSteps<string> {
  const { ops, config: c } = ctx;
  const hd = c.headDim;
  const x4 = ops.op('Reshape', [x, ops.i64([0, 0, nh, hd])], `${hint}4`); // (batch, seq, nh, head_dim)
  const ones = ops.f32('ln_ones', new Float32Array(hd).fill(1)); // (head_dim)
  const zeros = ops.f32('ln_zeros', new Float32Array(hd)); // (head_dim)
  const ln = ops.op('LayerNormalization', [x4, ones, zeros], `${hint}_ln`, { axis: int(-1), epsilon: float(c.qkNormEps) }); // (batch, seq, nh, head_dim)
  const w = yield* headParam(ctx, weightName, nh); // (nh, head_dim)
  const b = yield* headParam(ctx, biasName, nh); // (nh, head_dim)
  const affine = ops.op('Add', [ops.op('Mul', [ln, w], `${hint}_lnw`), b], `${hint}_normed`); // (batch, seq, nh, head_dim)
  const t = ops.op('Transpose', [affine], `${hint}_t`, { perm: ints([0, 2, 1, 3]) }); // (batch, nh, seq, head_dim)
  return rope(ctx, t, hint);
}

/**
 * Rotate-half RoPE (HF `rotate_half`): out = x cos + concat(-x2, x1) sin, x = [x1 | x2] halves.
 * The minus sign lives in ctx.sinSigned, so here out = x cos + concat(x2, x1) sinSigned.
 */
function rope(ctx: LayerContext, x: string, hint: string): string {
  const { ops } = ctx;
  const [x1, x2] = ops.opMulti('Split', [x], [`${hint}_x1`, `${hint}_x2`], { axis: int(-1) }); // 2 x (batch, nh, seq, head_dim / 2)
  const swapped = ops.op('Concat', [x2, x1], `${hint}_swap`, { axis: int(-1) }); // (batch, nh, seq, head_dim)
  const a = ops.op('Mul', [x, ctx.cos], `${hint}_cos`); // (batch, nh, seq, head_dim)
  const b = ops.op('Mul', [swapped, ctx.sinSigned], `${hint}_sin`); // (batch, nh, seq, head_dim)
  return ops.op('Add', [a, b], `${hint}_rope`); // (batch, nh, seq, head_dim)
}

/** RMSNorm over the last axis in f32: x / sqrt(mean(x^2) + eps) * w. */
export function* rmsNorm(ctx: LayerContext, x: string, weightName: string, hint: string): BuildSteps<string> {
  const { ops, config: c } = ctx;
  const w = ctx.sink.addPrepared(weightName, [c.hiddenSize], 'float32', () => expectLength(weightName, ctx.getWeight(weightName), c.hiddenSize)); // (hidden)
  yield;
  const sq = ops.op('Mul', [x, x], `${hint}_sq`); // (..., hidden)
  const ms = ops.op('ReduceMean', [sq], `${hint}_ms`, { axes: ints([-1]), keepdims: int(1) }); // (..., 1)
  const rms = ops.op('Sqrt', [ops.op('Add', [ms, ops.scalar('rms_eps', c.rmsNormEps)], `${hint}_mse`)], `${hint}_rms`); // (..., 1)
  return ops.op('Mul', [ops.op('Div', [x, rms], `${hint}_unit`), w], `${hint}_norm`); // (..., hidden)
}

/**
 * x (..., inDim) in compute dtype times a torch Linear weight (outDim, inDim) -> (..., outDim).
 * `quantizable` false keeps this one in fp16 even in an int4 graph (the LM head, by option).
 */
export function* linear(ctx: LayerContext, x: string, weightName: string, outDim: number, inDim: number, hint: string, quantizable = true): BuildSteps<string> {
  // Read only when the sink writes (not in a twin graph, which replays the first one's bytes).
  const w = () => expectLength(weightName, ctx.getWeight(weightName), outDim * inDim); // (out, in)
  if (ctx.int4 && quantizable) {
    const options = { blockSize: ctx.int4.blockSize, scheme: ctx.int4.scheme, scaleType: 'float16', accuracyLevel: ctx.int4.accuracyLevel ?? 0 } as const;
    const out = matMulNBits(ctx.ops, ctx.sink, x, weightName, w, outDim, inDim, options, hint);
    yield;
    return out;
  }
  const name = addComputeWeight(ctx, `${weightName}.T`, [inDim, outDim], () => transpose(w(), outDim, inDim)); // (in, out): MatMul layout
  yield;
  return ctx.ops.op('MatMul', [x, name], hint);
}

/** QK-norm weight/bias expanded to (nh, head_dim) f32 (see expandPerHead for the layouts). */
function* headParam(ctx: LayerContext, name: string, nh: number): BuildSteps<string> {
  const hd = ctx.config.headDim;
  const added = ctx.sink.addPrepared(name, [nh, hd], 'float32', () => expandPerHead(name, ctx.getWeight(name), nh, hd));
  yield;
  return added;
}

/** A weight stored in the compute type (fp16 for fp16 and int4 graphs), prepared only when written. */
export function addComputeWeight(ctx: LayerContext, name: string, dims: readonly number[], produce: () => Float32Array): string {
  return isHalfCompute(ctx.dtype) ? ctx.sink.addPrepared(name, dims, 'float16', () => toFloat16Bits(produce())) : ctx.sink.addPrepared(name, dims, 'float32', produce);
}

export function toCompute(ctx: LayerContext, x: string): string {
  return isHalfCompute(ctx.dtype) ? ctx.ops.cast(x, 'float16') : x;
}

export function toF32(ctx: LayerContext, x: string): string {
  return isHalfCompute(ctx.dtype) ? ctx.ops.cast(x, 'float32') : x;
}

const int = (value: number) => ({ type: 'int', value }) as const;
const float = (value: number) => ({ type: 'float', value }) as const;
const ints = (value: readonly number[]) => ({ type: 'ints', value }) as const;
