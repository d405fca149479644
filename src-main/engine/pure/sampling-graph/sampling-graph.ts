// PURE's token sampler (PURE-SPEC section 6) as one ONNX graph, so that on a GPU only a token id,
// its entropy and two safety margins cross to the host instead of two (vocab,) logits rows.
// Order, as the host sampler (common/sampling/sampler.ts): CFG -> image mask -> entropy of the
// softmax before temperature -> dynamic top-k (ties with the k-th kept) -> temperature -> softmax
// -> inverse-CDF draw with a host-supplied uniform u.
//
// I/O (B rows, V = vocab):
//   cond, uncond   f32 (B, V)  logits of the two CFG branches (uncond = cond when unused)
//   mode           i64 (B)     0 text (k = text_k), 1 grid (dynamic k), 2 image code (code mask),
//                              3 forced token (only forced_id, its score set to 0, as the reference)
//   forced_id      i64 (B)     the token mode 3 allows
//   use_cfg        bool (B)    combine g * (cond - uncond) + uncond
//   guidance       f64 (B)     g
//   temperature    f64 (B)
//   u              f64 (B)     uniform in [0, 1), the host RNG's nextFloat
//   text_k         i64 (B)     k for text rows
//   k_base         i64 (1)     dynamic k for H <= 0 (top-k-table.ts)
//   k_thresholds   f64 (T)     entropies where the dynamic k steps up by one (top-k-table.ts)
//   -> token       i64 (B)
//   -> entropy     f64 (B)     nats, before temperature
//   -> k           i64 (B)     the k asked for (before clamping to the candidates)
//   -> kept        i64 (B)     candidates that survived top-k (> k when the k-th is tied)
//   -> margin_u    f64 (B)     how far u * total was from the chosen token's CDF interval ends, / total
//   -> margin_h    f64 (B)     how far the entropy was from the nearest k step (+inf where k is fixed)
//
// Exactness (why doubles, why CumSum): the host works in float64 and stores CFG scores and scaled
// scores in Float32Arrays. Here the same IEEE operations run in the same order on the same types
// (add, sub, mul, div and casts are correctly rounded everywhere, so they agree bit for bit), and
// every sum the host makes sequentially is a CumSum (onnxruntime's CPU CumSum is a sequential loop;
// ReduceSum is vectorised and would add in another order). Masked-out tokens add exact zeros, so
// summing the whole vocabulary in id order equals the host's sum over its candidates (the image
// codes are ascending ids). What cannot agree bit for bit is exp and log (V8 and onnxruntime use
// different implementations, 1 ulp apart on some inputs), so the graph reports margins and the
// caller (device-sampler.ts) redoes the rare step whose margin is below the possible discrepancy
// on the host. Pure TypeScript: no Node built-ins.

import { GraphBuilder, attr, encodeModel } from '../../onnx/onnx-builder';
import type { ElementType } from '../../onnx/onnx-builder';
import { GraphOps } from '../decoder/graph-ops';
import { buildSamplingGraphF32 } from './sampling-graph-f32';
import { SAMPLING_IO, SAMPLING_MODE } from './sampling-io';
import type { TopKTable } from './top-k-table';

export { SAMPLING_IO, SAMPLING_MODE } from './sampling-io';

/** The reference adds this inside the log (entropy.ts) and switches to the literal log below SMALL_P. */
const LOG_EPS = 1e-10;
const SMALL_P = 1e-8;

const TYPE_CODE = { float32: 1, int32: 6, int64: 7, bool: 9, float64: 11 } as const;

/**
 * 'float64' (default): bit-exact with the host but for exp/log, tiny margins; runs on CPU and CUDA.
 * 'float32': every node runs on WebGPU; margins in units of rigorous f32 bounds (sampling-graph-f32.ts),
 * int32 / float32 inputs and outputs, plus margin_k and entropy_bound.
 */
export type SamplingPrecision = 'float64' | 'float32';

export interface SamplingGraphOptions {
  vocabSize: number;
  /** (codebook,) every image-code token id, ascending (ImageCodeMap.codeIds). */
  codeIds: Int32Array;
  precision?: SamplingPrecision;
  /** float32 only: the largest k a row may ask for (TopK's fixed K); default the vocabulary. */
  maxK?: number;
  /** float32 only, required there: the entropy -> k table, baked in (it has no k_base / k_thresholds inputs). */
  kTable?: TopKTable;
}

export function buildSamplingGraph(o: SamplingGraphOptions): Uint8Array {
  const V = o.vocabSize;
  for (let i = 1; i < o.codeIds.length; i++) {
    // The host sums over its candidates in codeIds order; summing in id order is the same only if ascending.
    if (!(o.codeIds[i] > o.codeIds[i - 1])) throw new RangeError('codeIds must be strictly ascending.');
  }
  if (o.precision === 'float32') {
    if (!o.kTable) throw new RangeError('The float32 sampling graph needs kTable (top-k-table.ts).');
    return buildSamplingGraphF32({ vocabSize: V, codeIds: o.codeIds, maxK: o.maxK ?? V, kTable: o.kTable });
  }
  const g = new GraphBuilder('pure_sampler');
  const ops = new GraphOps(g);
  const i1 = (value: number) => attr.int(value);
  const input = (name: string, elementType: ElementType, shape: (number | string)[]) => g.addInput({ name, elementType, shape });
  const cast = (x: string, to: keyof typeof TYPE_CODE, hint: string) => ops.op('Cast', [x], hint, { to: i1(TYPE_CODE[to]) });
  const f64 = (hint: string, value: number) => g.addInitializer({ name: hint, dims: [], values: { type: 'float64', data: Float64Array.of(value) } });
  const column = (x: string, hint: string) => ops.op('Unsqueeze', [x, ops.i64([1])], hint); // (B) -> (B, 1)
  const lastColumn = (x: string, hint: string) => ops.op('Slice', [x, ops.i64([V - 1]), ops.i64([V]), ops.i64([1])], hint); // (B, V) -> (B, 1)
  const rowSum = (x: string, hint: string) => ops.op('ReduceSum', [cast(x, 'int64', `${hint}_i64`), ops.i64([1])], hint, { keepdims: i1(0) }); // bool (B, V) -> i64 (B)
  const rowMax = (x: string, hint: string) => ops.op('ReduceMax', [x], hint, { axes: attr.ints([1]), keepdims: i1(1) }); // (B, V) -> (B, 1)
  const cumsum = (x: string, hint: string, exclusive = 0) => ops.op('CumSum', [x, ops.i64([1], [])], hint, { exclusive: i1(exclusive) });

  const cond = input(SAMPLING_IO.cond, 'float32', ['batch', V]);
  const uncond = input(SAMPLING_IO.uncond, 'float32', ['batch', V]);
  const mode = input(SAMPLING_IO.mode, 'int64', ['batch']);
  const forcedId = input(SAMPLING_IO.forcedId, 'int64', ['batch']);
  const useCfg = input(SAMPLING_IO.useCfg, 'bool', ['batch']);
  const guidance = input(SAMPLING_IO.guidance, 'float64', ['batch']);
  const temperature = input(SAMPLING_IO.temperature, 'float64', ['batch']);
  const u = input(SAMPLING_IO.u, 'float64', ['batch']);
  const textK = input(SAMPLING_IO.textK, 'int64', ['batch']);
  const kBase = input(SAMPLING_IO.kBase, 'int64', [1]);
  const kThresholds = input(SAMPLING_IO.kThresholds, 'float64', ['steps']);

  const modeCol = column(mode, 'mode_col'); // (B, 1)
  const isMode = (m: number, hint: string) => ops.op('Equal', [modeCol, ops.i64([m], [])], hint); // (B, 1) bool
  const minusInf = ops.scalar('minus_inf', -Infinity);

  // 1. CFG in f64, rounded once to f32: the host computes g * (c - u) + u in doubles and stores it in a Float32Array.
  const c64 = cast(cond, 'float64', 'cond_f64');
  const u64 = cast(uncond, 'float64', 'uncond_f64');
  const diff = ops.op('Sub', [c64, u64], 'cfg_diff'); // (B, V)
  const scaled = ops.op('Mul', [column(guidance, 'guidance_col'), diff], 'cfg_scaled');
  const combined = cast(ops.op('Add', [scaled, u64], 'cfg_f64'), 'float32', 'cfg_f32'); // (B, V)
  const scores = ops.op('Where', [column(useCfg, 'use_cfg_col'), combined, cond], 'scores'); // (B, V) f32

  // 2. Mask: image codes, or one forced token scored 0, or everything (text and grid rows).
  const codeMaskBits = new Uint8Array(V);
  for (const id of o.codeIds) codeMaskBits[id] = 1;
  const codeMask = g.addInitializer({ name: 'code_mask', dims: [1, V], values: { type: 'bool', data: codeMaskBits } }); // (1, V)
  const ids = ops.op('Range', [ops.i64([0], []), ops.i64([V], []), ops.i64([1], [])], 'vocab_ids'); // (V)
  const isForcedId = ops.op('Equal', [ops.op('Unsqueeze', [ids, ops.i64([0])], 'vocab_row'), column(forcedId, 'forced_col')], 'is_forced_id'); // (B, V)
  const forced = isMode(SAMPLING_MODE.forced, 'is_forced_mode');
  const isCode = isMode(SAMPLING_MODE.imageCode, 'is_code_mode');
  const unmasked = ops.op('Not', [ops.op('Or', [isCode, forced], 'code_or_forced')], 'unmasked'); // (B, 1): text, grid
  const codeAllowed = ops.op('And', [isCode, codeMask], 'code_allowed'); // (B, V)
  const forcedAllowed = ops.op('And', [forced, isForcedId], 'forced_allowed'); // (B, V)
  const allowed = ops.op('Or', [ops.op('Or', [codeAllowed, forcedAllowed], 'code_or_forced_allowed'), unmasked], 'allowed'); // (B, V) bool
  const live = ops.op('Where', [forced, ops.scalar('zero_f32', 0), scores], 'live_scores');
  const masked = ops.op('Where', [allowed, live, minusInf], 'masked_scores'); // (B, V) f32, -inf outside
  const candidates = rowSum(allowed, 'candidates'); // (B)

  // 3. Entropy -sum p ln(p + 1e-10) of softmax(masked), in f64, term for term as entropy.ts.
  const s64 = cast(masked, 'float64', 'masked_f64');
  const shifted = ops.op('Sub', [s64, rowMax(s64, 'max_f64')], 'shifted'); // (B, V), -inf outside
  const e = ops.op('Exp', [shifted], 'exp_shifted'); // exp(-inf) = 0
  const z = lastColumn(cumsum(e, 'z_cum'), 'z'); // (B, 1)
  const p = ops.op('Mul', [e, ops.op('Div', [f64('one', 1), z], 'inv_z')], 'p');
  const bigTerm = ops.op('Add', [ops.op('Mul', [p, ops.op('Sub', [shifted, ops.op('Log', [z], 'log_z')], 'log_p')], 'p_log_p'), f64('log_eps', LOG_EPS)], 'term_big');
  const smallTerm = ops.op('Mul', [p, ops.op('Log', [ops.op('Add', [p, f64('log_eps_s', LOG_EPS)], 'p_eps')], 'log_p_eps')], 'term_small');
  const zero64 = f64('zero', 0);
  const term = ops.op('Where', [
    ops.op('GreaterOrEqual', [p, f64('small_p', SMALL_P)], 'p_big'),
    bigTerm,
    ops.op('Where', [ops.op('Greater', [p, zero64], 'p_pos'), smallTerm, zero64], 'term_small_or_0'),
  ], 'term'); // masked: p = 0 -> 0 (bigTerm is NaN there, never taken)
  const entropyCol = ops.op('Neg', [lastColumn(cumsum(term, 'h_cum'), 'h_sum')], 'entropy_col'); // (B, 1); -(t0 + t1 + ...) == ((0 - t0) - t1) - ...
  ops.op('Squeeze', [entropyCol, ops.i64([1])], '', undefined, SAMPLING_IO.entropy);

  // 4. k: text rows use text_k; the rest the host's step function of H, by comparisons only.
  const steps = ops.op('LessOrEqual', [ops.op('Unsqueeze', [kThresholds, ops.i64([0])], 'thresholds_row'), entropyCol], 'steps_passed'); // (B, T)
  const dynamicK = ops.op('Add', [kBase, rowSum(steps, 'steps_count')], 'dynamic_k'); // (B)
  const k = ops.op('Where', [ops.op('Equal', [mode, ops.i64([SAMPLING_MODE.text], [])], 'is_text'), textK, dynamicK], '', undefined, SAMPLING_IO.k); // (B)
  const margins = ops.op('Abs', [ops.op('Sub', [ops.op('Unsqueeze', [kThresholds, ops.i64([0])], 'thresholds_row2'), entropyCol], 'to_steps')], 'steps_dist'); // (B, T)
  const nearest = ops.op('ReduceMin', [ops.op('Concat', [margins, ops.op('Expand', [f64('inf', Infinity), ops.op('Shape', [entropyCol], 'col_shape')], 'inf_col')], 'steps_or_inf', { axis: i1(1) })], 'nearest_step', { axes: attr.ints([1]), keepdims: i1(0) }); // (B); +inf when T = 0
  const kFixed = ops.op('Or', [ops.op('Equal', [mode, ops.i64([SAMPLING_MODE.text], [])], 'is_text2'), ops.op('Equal', [mode, ops.i64([SAMPLING_MODE.forced], [])], 'is_forced2')], 'k_fixed');
  ops.op('Where', [kFixed, f64('inf2', Infinity), nearest], '', undefined, SAMPLING_IO.marginH);

  // 5. Top-k: the threshold is the k-th largest candidate score (k clamped to [1, candidates] as
  // kthLargest does); TopK selects, it never sorts the vocabulary. Ties with it are kept.
  const kEff = ops.op('Max', [ops.op('Min', [k, candidates], 'k_le_n'), ops.i64([1], [])], 'k_eff'); // (B)
  const kAll = ops.op('Reshape', [ops.op('ReduceMax', [kEff], 'k_batch', { keepdims: i1(1) }), ops.i64([1])], 'k_batch_1'); // (1)
  const [topValues] = ops.opMulti('TopK', [masked, kAll], ['top_values', 'top_indices'], { axis: i1(1), largest: i1(1), sorted: i1(1) }); // (B, kAll) descending
  const kthIndex = column(ops.op('Sub', [kEff, ops.i64([1], [])], 'kth_index'), 'kth_index_col');
  const threshold = ops.op('GatherElements', [topValues, kthIndex], 'threshold', { axis: i1(1) }); // (B, 1)
  const keep = ops.op('And', [allowed, ops.op('GreaterOrEqual', [masked, threshold], 'at_least_kth')], 'keep'); // (B, V)
  ops.op('Identity', [rowSum(keep, 'kept_count')], '', undefined, SAMPLING_IO.kept);

  // 6. Temperature: the host multiplies by 1 / T in doubles and stores the result as f32.
  const invT = column(ops.op('Div', [f64('one_t', 1), temperature], 'inv_t'), 'inv_t_col'); // (B, 1)
  const tempered = cast(ops.op('Mul', [cast(masked, 'float64', 'masked_f64_t'), invT], 'tempered_f64'), 'float32', 'tempered_f32');
  const keptScores = cast(ops.op('Where', [keep, tempered, minusInf], 'kept_scores'), 'float64', 'kept_f64'); // (B, V)

  // 7. softmax weights, sequential cumulative sums, the first interval that u * total falls in.
  const w = ops.op('Exp', [ops.op('Sub', [keptScores, rowMax(keptScores, 'kept_max')], 'kept_shifted')], 'weights'); // (B, V), 0 outside
  const cum = cumsum(w, 'cdf'); // (B, V) inclusive
  const before = cumsum(w, 'cdf_before', 1); // (B, V) exclusive: the same sums, one slot later
  const total = lastColumn(cum, 'total'); // (B, 1)
  const target = ops.op('Mul', [column(u, 'u_col'), total], 'target'); // (B, 1): u * total, as the host
  const hit = ops.op('Less', [target, cum], 'hit'); // (B, V) false ... false true ... true
  const hitF = cast(hit, 'float32', 'hit_f32');
  const first = ops.op('ArgMax', [hitF], 'first_hit', { axis: i1(1), keepdims: i1(1), select_last_index: i1(0) }); // (B, 1)
  const anyHit = ops.op('Cast', [ops.op('ReduceMax', [hitF], 'any_hit_f', { axes: attr.ints([1]), keepdims: i1(1) })], 'any_hit', { to: i1(TYPE_CODE.bool) });
  // Rounding can leave u * total at or above the last cumulative sum: the host then takes the last positive weight.
  const lastPositive = ops.op('ArgMax', [cast(ops.op('Greater', [w, zero64], 'w_pos'), 'float32', 'w_pos_f32')], 'last_positive', { axis: i1(1), keepdims: i1(1), select_last_index: i1(1) });
  const tokenCol = ops.op('Where', [anyHit, first, lastPositive], 'token_col'); // (B, 1)
  ops.op('Squeeze', [tokenCol, ops.i64([1])], '', undefined, SAMPLING_IO.token);
  const lo = ops.op('GatherElements', [before, tokenCol], 'cdf_lo', { axis: i1(1) }); // (B, 1)
  const hi = ops.op('GatherElements', [cum, tokenCol], 'cdf_hi', { axis: i1(1) });
  const margin = ops.op('Div', [ops.op('Min', [ops.op('Sub', [target, lo], 'above_lo'), ops.op('Sub', [hi, target], 'below_hi')], 'margin_abs'), total], 'margin_rel');
  const marginU = ops.op('Where', [anyHit, margin, zero64], 'margin_u_col'); // no hit: always redone on the host
  ops.op('Squeeze', [marginU, ops.i64([1])], '', undefined, SAMPLING_IO.marginU);

  g.addOutput({ name: SAMPLING_IO.token, elementType: 'int64', shape: ['batch'] });
  g.addOutput({ name: SAMPLING_IO.entropy, elementType: 'float64', shape: ['batch'] });
  g.addOutput({ name: SAMPLING_IO.k, elementType: 'int64', shape: ['batch'] });
  g.addOutput({ name: SAMPLING_IO.kept, elementType: 'int64', shape: ['batch'] });
  g.addOutput({ name: SAMPLING_IO.marginU, elementType: 'float64', shape: ['batch'] });
  g.addOutput({ name: SAMPLING_IO.marginH, elementType: 'float64', shape: ['batch'] });
  return encodeModel({ graph: g, producerName: 'pure-studio', docString: 'PURE token sampler (PURE-SPEC section 6), built by src-main/engine/pure/sampling-graph' });
}
