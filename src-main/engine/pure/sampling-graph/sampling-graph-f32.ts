// The float32 form of the sampling graph (sampling-graph.ts has the float64 one and the I/O
// names), for providers without doubles: WGSL has no f64, so onnxruntime's WebGPU provider would
// run every f64 node on the CPU and the logits would cross to the host after all. Every node here
// is one the WebGPU provider runs (scripts/probe-webgpu-sampler.ts prints the placement): float32,
// int32 and bool tensors only (int64 appears only where ONNX demands it: ArgMax's output, the
// shape inputs of Slice / Pad / TopK, which the provider reads on the host), no Or (row conditions
// are 0 / 1 floats, see below), no CumSum or float ReduceSum (fixed-order-sums.ts), no Range.
//
// float32 cannot reproduce the host's doubles, so instead of hoping, each decision the host makes
// comes with a rigorous bound on how far the graph's value can be from the host's, computed in
// the graph from the data, and each margin is reported in units of its bound (capped at 1e6):
//   margin_k  the k-th score's distance to its neighbours (the kept set is the host's when >= 1),
//   margin_h  the entropy's distance to the nearest step of k (the host's k when >= 1),
//   margin_u  u * total's distance to the chosen token's CDF interval ends (the host's token).
// With all three >= 1 the token, k and kept count are the host's; the entropy is within
// entropy_bound of the host's. The caller (device-sampler.ts) redoes any other step on the host.
//
// The bounds (eps = 2^-23: one ulp, so they hold for faithful rounding, which is all WGSL
// promises for + - * (division 2.5 ulp, exp 3 + 2|x| ulp, log 3 ulp or 2^-21 absolute near 1);
// first-order terms with generous constants, and the caller asks for 2 bounds, not 1):
//   CFG score s = g (c - u) + u in three f32 roundings (eps |c - u|, eps |g (c - u)|, eps |s|; g
//     rounded to nearest f32, eps/2) vs the host's one rounding to nearest of the double (eps/2 |s|):
//     |s - host| <= eps (2.5 |g (c - u)| + 1.5 |s|), taken as eps (3 |g (c - u)| + 2 |s|) + 2^-124
//     (flushed subnormals); exactly 0 on rows without CFG (the logit itself, or 0 when forced).
//   Entropy: sum_i p_i |ln p_i + H| (err_i + r_i) (dH/ds_i = -p_i (ln p_i + H); r_i = (3 + 3|y|)
//     eps is each exp's relative error, which moves H as a score error would because p divides
//     by the sum of the same exps), plus the float32 evaluation: Z's tree sum and the division
//     ((depth + 3) eps on every p, so (depth + 3) eps p (|ln p| + 1) per term), ln (eps for the
//     + 1e-10, 3 eps |ln| + 2^-21 absolute), p ln p and the tree sum ((depth + 1) eps sum |t|);
//     and 1e-7 for the host's own shortcut (5e-13 per term for p >= 1e-8, entropy.ts) over
//     <= 73728 terms.
//   Weights w = exp(x - max), x = s / T: a factor common to all weights cannot change the draw
//     (u * total and every prefix sum scale alike), so against the host's weights times one
//     common factor each tempered score moves by err/T (its input), 1.5 eps |x| (the graph's
//     product and the host's rounding to f32), 4.5 eps |x - max| (1/T's f32 error, 3.5 eps, is
//     common but for x - max; the subtraction), and exp by (3 + 2|y|) eps: a_i = w_i * rho_i.
//     A prefix sum is off by the prefix sum of a (itself tree-summed, x1.02) plus depth eps of
//     itself; the host's sequential double sums by < 2^-36 of themselves; u * total by u times the
//     total's bound plus 2 eps (u is rounded to f32).
// Logits must be finite and above -1e30 (masked tokens are -1e30, not -inf: WGSL lets a compiler
// assume that no infinity occurs). Pure TypeScript: no Node built-ins.

import { GraphBuilder, attr, encodeModel } from '../../onnx/onnx-builder';
import { GraphOps } from '../decoder/graph-ops';
import { shiftRight, sumDepth, treePrefixSum, treeRowSum } from './fixed-order-sums';
import { SAMPLING_IO, SAMPLING_MODE } from './sampling-io';
import type { TopKTable } from './top-k-table';

/** One ulp of 1 in float32: each faithfully rounded f32 operation is off by less than eps * |result|. */
const EPS = 2 ** -23;
/** Masked-out score: -inf would do on a CPU, but WGSL may assume no infinities. */
const NEG = -1e30;
const LOG_EPS = 1e-10;
/** Margins are capped here: "no constraint" (rows whose k is fixed, exact scores). */
export const MARGIN_CAP = 1e6;

export interface SamplingGraphF32Options {
  vocabSize: number;
  codeIds: Int32Array;
  /** The largest k any row may ask for (text_k or the dynamic k's top): TopK selects this many. */
  maxK: number;
  /**
   * The entropy -> k table (top-k-table.ts) baked in as constants: as inputs its 1973 thresholds
   * would be uploaded at every step (7.9 KB), while everything else a step sends is 25 bytes.
   */
  kTable: TopKTable;
}

export function buildSamplingGraphF32(o: SamplingGraphF32Options): Uint8Array {
  const V = o.vocabSize;
  const depth = sumDepth(V);
  const maxK = Math.min(o.maxK, V);
  if (!(Number.isInteger(maxK) && maxK >= 1)) throw new RangeError(`maxK must be an integer >= 1, got ${o.maxK}.`);
  const g = new GraphBuilder('pure_sampler_f32');
  const ops = new GraphOps(g);
  const i1 = (value: number) => attr.int(value);
  const c = (value: number) => ops.scalar(`c_${String(value).replace(/[^0-9a-z]/gi, '_')}`, value); // f32 scalar
  const op = (type: string, inputs: string[], hint: string, attributes?: Parameters<GraphOps['op']>[3]) => ops.op(type, inputs, hint, attributes);
  const add = (a: string, b: string, h: string) => op('Add', [a, b], h);
  const sub = (a: string, b: string, h: string) => op('Sub', [a, b], h);
  const mul = (a: string, b: string, h: string) => op('Mul', [a, b], h);
  const div = (a: string, b: string, h: string) => op('Div', [a, b], h);
  const abs = (a: string, h: string) => op('Abs', [a], h);
  const where = (cond: string, a: string, b: string, h: string) => op('Where', [cond, a, b], h);
  const and = (a: string, b: string, h: string) => op('And', [a, b], h);
  const toF32 = (a: string, h: string) => ops.cast(a, 'float32', h);
  const column = (x: string, h: string) => op('Unsqueeze', [x, ops.i64([1])], h); // (B) -> (B, 1)
  const squeeze = (x: string, h: string, output?: string) => ops.op('Squeeze', [x, ops.i64([1])], h, undefined, output); // (B, 1) -> (B)
  const reduce = (type: 'ReduceMax' | 'ReduceMin' | 'ReduceSum', x: string, h: string) =>
    type === 'ReduceSum' ? op(type, [x, ops.i64([1])], h, { keepdims: i1(1) }) : op(type, [x], h, { axes: attr.ints([1]), keepdims: i1(1) }); // (B, V) -> (B, 1)
  const count = (mask: string, h: string) => reduce('ReduceSum', toF32(mask, `${h}_f`), h); // exact below 2^24, in any order
  const lastColumn = (x: string, h: string) => op('Slice', [x, ops.i64([V - 1]), ops.i64([V]), ops.i64([1])], h);
  /** gap / bound, in [0, MARGIN_CAP], never dividing by zero and never overflowing. */
  const ratio = (gap: string, bound: string, h: string) => div(gap, op('Max', [bound, add(mul(gap, c(1 / MARGIN_CAP), `${h}_cap`), c(1e-30), `${h}_floor`)], `${h}_den`), h);
  const castI32 = (x: string, h: string, output?: string) => ops.op('Cast', [x], h, { to: i1(6) }, output);

  // (batch, 1, V): the decoder's logits output at its one selected position, fed as it is (a
  // 'gpu-buffer' tensor from the decoder session needs no reshaping on the host).
  const rows = (x: string, h: string) => op('Reshape', [x, ops.i64([-1, V])], h); // (B, 1, V) -> (B, V)
  const cond = rows(g.addInput({ name: SAMPLING_IO.cond, elementType: 'float32', shape: ['batch', 1, V] }), 'cond_rows');
  const uncond = rows(g.addInput({ name: SAMPLING_IO.uncond, elementType: 'float32', shape: ['batch', 1, V] }), 'uncond_rows');
  const mode = g.addInput({ name: SAMPLING_IO.mode, elementType: 'int32', shape: ['batch'] });
  const forcedId = g.addInput({ name: SAMPLING_IO.forcedId, elementType: 'int32', shape: ['batch'] });
  const useCfg = g.addInput({ name: SAMPLING_IO.useCfg, elementType: 'bool', shape: ['batch'] });
  const guidance = g.addInput({ name: SAMPLING_IO.guidance, elementType: 'float32', shape: ['batch'] });
  const temperature = g.addInput({ name: SAMPLING_IO.temperature, elementType: 'float32', shape: ['batch'] });
  const u = g.addInput({ name: SAMPLING_IO.u, elementType: 'float32', shape: ['batch'] });
  const textK = g.addInput({ name: SAMPLING_IO.textK, elementType: 'int32', shape: ['batch'] });

  // No bool tensor is ever broadcast: onnxruntime-node 1.30's WebGPU kernels pack 4 bools in a
  // word and, broadcasting a (B, 1) bool computed on the device (a Not sets the padding lanes), read
  // the padding as 3 of every 4 elements (measured on lavapipe: 55296 of 73728 tokens "allowed").
  // Row conditions are exact 0 / 1 float32 columns instead, widened to (B, V) by a float product.
  const modeCol = toF32(column(mode, 'mode_col'), 'mode_f'); // (B, 1)
  const isMode = (m: number, h: string) => sub(c(1), op('Min', [abs(sub(modeCol, c(m), `${h}_d`), `${h}_a`), c(1)], `${h}_m`), h); // (B, 1) 1 or 0
  const onesRow = ops.f32('ones_row', new Float32Array(V).fill(1), [1, V]); // (1, V)
  const wide = (flag: string, h: string) => op('Greater', [mul(flag, onesRow, `${h}_f`), c(0.5)], h); // (B, 1) 0/1 -> (B, V) bool
  const cfgCol = wide(toF32(column(useCfg, 'use_cfg_col'), 'use_cfg_f'), 'use_cfg_wide'); // (B, V)

  // 1. CFG, and the bound on its distance from the host's once-rounded double.
  const scaled = mul(column(guidance, 'guidance_col'), sub(cond, uncond, 'cfg_diff'), 'cfg_scaled'); // (B, V)
  const combined = add(scaled, uncond, 'cfg');
  const scores = where(cfgCol, combined, cond, 'scores');
  const cfgErr = add(mul(add(mul(abs(scaled, 'abs_scaled'), c(3), 'err3'), mul(abs(combined, 'abs_cfg'), c(2), 'err2'), 'err_sum'), c(EPS), 'err_eps'), c(2 ** -124), 'err_cfg');
  const scoreErr = where(cfgCol, cfgErr, c(0), 'score_err_all'); // (B, V)

  // 2. Mask (as sampling-graph.ts), with a constant id row instead of Range.
  const codeMaskBits = new Uint8Array(V);
  for (const id of o.codeIds) codeMaskBits[id] = 1;
  const codeMask = ops.f32('code_mask', Float32Array.from(codeMaskBits), [1, V]); // (1, V) 0/1
  const idsF = ops.f32('vocab_ids', Float32Array.from({ length: V }, (_, i) => i), [1, V]); // (1, V) exact below 2^24
  const isForcedId = toF32(op('Equal', [idsF, toF32(column(forcedId, 'forced_col'), 'forced_f')], 'is_forced_id'), 'is_forced_id_f'); // (B, V) 0/1
  const forced = isMode(SAMPLING_MODE.forced, 'is_forced_mode'); // (B, 1) 0/1
  const isCode = isMode(SAMPLING_MODE.imageCode, 'is_code_mode');
  const unmasked = sub(c(1), op('Max', [isCode, forced], 'code_or_forced'), 'unmasked'); // (B, 1): text, grid
  const allowedF = op('Max', [mul(isCode, codeMask, 'code_allowed'), mul(forced, isForcedId, 'forced_allowed'), unmasked], 'allowed_f'); // (B, V) 0/1
  const allowed = op('Greater', [allowedF, c(0.5)], 'allowed'); // (B, V)
  const forcedWide = wide(forced, 'forced_wide');
  const live = where(forcedWide, c(0), scores, 'live_scores');
  const masked = where(allowed, live, c(NEG), 'masked_scores'); // (B, V), NEG outside
  const err = where(allowed, where(forcedWide, c(0), scoreErr, 'err_live'), c(0), 'score_err'); // (B, V), 0 outside
  const candidates = count(allowed, 'candidates'); // (B, 1) f32

  // 3. Entropy -sum p ln(p + 1e-10) of softmax(masked), literally, with its bound.
  const y = sub(masked, reduce('ReduceMax', masked, 'max'), 'shifted'); // (B, V), ~NEG outside
  const e = op('Exp', [y], 'exp_shifted'); // 0 outside
  const z = treeRowSum(ops, e, V, 'z'); // (B, 1)
  const p = div(e, z, 'p');
  const lp = op('Log', [add(p, c(LOG_EPS), 'p_eps')], 'log_p_eps');
  const t = mul(p, lp, 'term'); // (B, V), 0 outside
  const hCol = op('Neg', [treeRowSum(ops, t, V, 'h_sum')], 'entropy_col'); // (B, 1)
  squeeze(hCol, 'entropy_sq', SAMPLING_IO.entropy);
  // An exp's relative error r acts on H like a score error of r (p is normalised by the sum of the
  // same exps), so it joins the CFG error in the sensitivity sum; what is left is the rounding of
  // Z and of the division (a common relative error of p), of ln, of p ln p, and of the sum.
  const yIn = abs(where(allowed, y, c(0), 'y_in'), 'abs_y');
  const relExp = mul(add(mul(yIn, c(3), 'y3'), c(3), 'y3p3'), c(EPS), 'rel_exp'); // exp + subtraction
  const sensitivity = mul(p, abs(add(lp, hCol, 'lp_plus_h'), 'abs_lp_h'), 'dh_ds'); // |dH / ds_i|
  const inputErr = treeRowSum(ops, mul(sensitivity, add(err, relExp, 'score_and_exp'), 'dh'), V, 'h_input_err');
  const absLp = abs(lp, 'abs_lp');
  const relP = (depth + 3) * EPS; // Z's tree sum and the division
  const tErr = mul(p, add(mul(absLp, c(relP + 3 * EPS), 'lp_rel'), c(relP + 2 * EPS + 2 ** -21), 'lp_abs'), 'p_lp_err'); // per term, before its own rounding
  const evalErr = add(treeRowSum(ops, tErr, V, 't_err_sum'), mul(treeRowSum(ops, abs(t, 'abs_t'), V, 'abs_t_sum'), c((depth + 1) * EPS), 'sum_round'), 'h_eval_err');
  const hBound = add(mul(add(evalErr, inputErr, 'h_err0'), c(1.05), 'h_err1'), c(1e-7), 'h_bound'); // (B, 1)
  squeeze(hBound, 'h_bound_sq', SAMPLING_IO.entropyBound);

  // 4. k: the host's step function of H by comparisons (top-k-table.ts), in exact small-integer f32.
  const thresholds = ops.f32('k_thresholds', Float32Array.from(o.kTable.thresholds), [1, o.kTable.thresholds.length]); // (1, T)
  const dynamicK = add(c(o.kTable.base), reduce('ReduceSum', toF32(op('LessOrEqual', [thresholds, hCol], 'steps_passed'), 'steps_f'), 'steps_count'), 'dynamic_k'); // (B, 1)
  const isText = isMode(SAMPLING_MODE.text, 'is_text'); // (B, 1) 0/1
  const textKCol = toF32(column(textK, 'text_k_col'), 'text_k_f');
  const kCol = add(mul(isText, textKCol, 'k_text'), mul(sub(c(1), isText, 'not_text'), dynamicK, 'k_dyn'), 'k_col'); // (B, 1) exact small integers
  castI32(squeeze(kCol, 'k_sq'), 'k_i32', SAMPLING_IO.k);
  const toSteps = abs(sub(thresholds, hCol, 'to_steps'), 'steps_dist'); // (B, T)
  const nearest = op('ReduceMin', [op('Concat', [toSteps, op('Expand', [c(MARGIN_CAP), op('Shape', [hCol], 'col_shape')], 'cap_col')], 'steps_or_cap', { axis: i1(1) })], 'nearest_step', { axes: attr.ints([1]), keepdims: i1(1) });
  // The thresholds were rounded to f32 (2^-24 |H|) and the distance is one subtraction.
  const hMargin = ratio(nearest, add(hBound, mul(add(abs(hCol, 'abs_h'), c(1), 'abs_h1'), c(EPS), 'thr_round'), 'h_bound_all'), 'h_ratio');
  const kFixed = op('Max', [isText, forced], 'k_fixed'); // (B, 1) 0/1
  squeeze(op('Max', [hMargin, mul(kFixed, c(MARGIN_CAP), 'k_fixed_cap')], 'margin_h_col'), 'margin_h_sq', SAMPLING_IO.marginH);

  // 5. Top-k: the kEff-th largest score from one TopK of a constant maxK (a K computed in the graph
  // would be a shape input read on the host mid-graph); ties with it kept.
  const kEff = op('Max', [op('Min', [kCol, candidates], 'k_le_n'), c(1)], 'k_eff'); // (B, 1) f32
  const [topValues] = ops.opMulti('TopK', [masked, ops.i64([maxK])], ['top_values', 'top_indices'], { axis: i1(1), largest: i1(1), sorted: i1(1) }); // (B, maxK)
  const kthIndex = castI32(op('Min', [sub(kEff, c(1), 'kth_f'), c(maxK - 1)], 'kth_clamped'), 'kth_index'); // (B, 1)
  const threshold = op('GatherElements', [topValues, kthIndex], 'threshold', { axis: i1(1) }); // (B, 1)
  const keep = and(allowed, op('GreaterOrEqual', [masked, threshold], 'at_least_kth'), 'keep'); // (B, V)
  castI32(squeeze(count(keep, 'kept_count'), 'kept_sq'), 'kept_i32', SAMPLING_IO.kept);
  // The kept set is the host's when the k-th score is further from the next lower score than both
  // can move, and (when it is tied) from the next higher one too, and its ties are exact ties
  // (the same cond and uncond, so the host's scores are equal as well).
  const isKth = op('Equal', [masked, threshold], 'is_kth');
  const below = reduce('ReduceMax', where(and(allowed, op('Less', [masked, threshold], 'lt_kth'), 'below_set'), masked, c(NEG), 'below_vals'), 'below');
  const above = reduce('ReduceMin', where(op('Greater', [masked, threshold], 'gt_kth'), masked, c(-NEG), 'above_vals'), 'above');
  const errAt = (set: string, h: string) => reduce('ReduceMax', where(set, err, c(0), `${h}_vals`), h);
  const errKth = errAt(isKth, 'err_kth');
  const marginBelow = ratio(sub(threshold, below, 'gap_below'), add(errKth, errAt(op('Equal', [masked, below], 'is_below'), 'err_below'), 'bound_below'), 'ratio_below');
  const marginAbove = ratio(sub(above, threshold, 'gap_above'), add(errKth, errAt(op('Equal', [masked, above], 'is_above'), 'err_above'), 'bound_above'), 'ratio_above');
  const spread = (x: string, h: string) => sub(reduce('ReduceMax', where(isKth, x, c(NEG), `${h}_hi_v`), `${h}_hi`), reduce('ReduceMin', where(isKth, x, c(-NEG), `${h}_lo_v`), `${h}_lo`), h);
  const exactTies = and(op('Equal', [spread(cond, 'cond_spread'), c(0)], 'cond_same'), op('Equal', [spread(uncond, 'uncond_spread'), c(0)], 'uncond_same'), 'ties_exact');
  const tied = op('Greater', [count(isKth, 'kth_count'), c(1)], 'kth_tied');
  const tiedMargin = where(exactTies, op('Min', [marginBelow, marginAbove], 'both_sides'), c(0), 'tied_margin');
  const kMargin = op('Min', [where(tied, tiedMargin, marginBelow, 'k_margin0'), where(op('Greater', [kEff, c(maxK)], 'k_too_big'), c(0), c(MARGIN_CAP), 'k_fits')], 'k_margin');
  squeeze(kMargin, 'margin_k_sq', SAMPLING_IO.marginK);

  // 6. Temperature and the softmax weights over the kept tokens, with each weight's bound.
  const invT = column(div(c(1), temperature, 'inv_t'), 'inv_t_col'); // (B, 1)
  const x = mul(where(keep, masked, c(0), 'kept_or_0'), invT, 'tempered'); // (B, V), 0 outside
  const xMax = reduce('ReduceMax', where(keep, x, c(NEG), 'tempered_or_neg'), 'tempered_max');
  const yT = where(keep, sub(x, xMax, 'kept_shifted_all'), c(NEG), 'kept_shifted'); // (B, V) <= 0, NEG outside
  const w = op('Exp', [yT], 'weights'); // (B, V), 0 outside
  // A factor common to every weight (the max's own error; 1/T's error times the max) scales the
  // total and every prefix alike and cannot move the draw, so only the per-token part counts.
  const absYT = abs(where(keep, yT, c(0), 'yt_in'), 'abs_yt');
  const roundX = add(mul(abs(x, 'abs_x'), c(1.5 * EPS), 'x_round'), mul(absYT, c(4.5 * EPS), 'y_round'), 'xy_round');
  const dy = where(keep, add(mul(err, invT, 'err_t'), roundX, 'dy_all'), c(0), 'dy'); // (B, V)
  const rho = add(mul(dy, c(1.01), 'dy_exp'), mul(add(mul(absYT, c(2), 'yt2'), c(3), 'yt2p3'), c(EPS), 'exp_err'), 'rho');
  const a = where(keep, add(mul(w, rho, 'w_rho'), c(2 ** -100), 'a_all'), c(0), 'w_err'); // (B, V) >= |w - host w|

  // 7. Prefix sums in a fixed tree order, the first interval u * total falls in, and its margin.
  const cum = treePrefixSum(ops, w, V, 'cdf'); // (B, V) inclusive
  const errCum = treePrefixSum(ops, a, V, 'cdf_err');
  const total = lastColumn(cum, 'total');
  const uCol = column(u, 'u_col');
  const target = mul(uCol, total, 'target'); // (B, 1)
  const hit = op('Less', [target, cum], 'hit'); // (B, V) false ... true
  // Indices as exact small-integer f32 by ReduceMin / ReduceMax over the id row, not ArgMax: its
  // int64 output has no way back to int32 on WebGPU (no int64 Cast there). The prefix sums of
  // different tree shapes need not be monotone; the first hit is still well defined, and the
  // margins below bound both ends of its interval, so a sure answer is the host's.
  const first = reduce('ReduceMin', where(hit, idsF, c(V), 'hit_ids'), 'first_hit'); // (B, 1)
  const anyHit = op('Less', [first, c(V)], 'any_hit');
  const lastPositive = reduce('ReduceMax', where(op('Greater', [w, c(0)], 'w_pos'), idsF, c(-1), 'pos_ids'), 'last_positive');
  const tokenCol = castI32(where(anyHit, first, lastPositive, 'token_f'), 'token_col'); // (B, 1) int32
  squeeze(tokenCol, 'token_sq', SAMPLING_IO.token);
  const at = (x: string, h: string) => op('GatherElements', [x, tokenCol], h, { axis: i1(1) }); // (B, 1)
  const sumBound = (s: string, sErr: string, h: string) => add(mul(add(sErr, mul(s, c(depth * EPS), `${h}_round`), `${h}_0`), c(1.02), `${h}_1`), mul(s, c(2 ** -36), `${h}_host`), h);
  const lo = at(shiftRight(ops, cum, V, 1, 'cdf_before'), 'cdf_lo');
  const hi = at(cum, 'cdf_hi');
  const loBound = sumBound(lo, at(shiftRight(ops, errCum, V, 1, 'cdf_err_before'), 'lo_err'), 'lo_bound');
  const hiBound = sumBound(hi, at(errCum, 'hi_err'), 'hi_bound');
  const targetBound = add(mul(uCol, sumBound(total, lastColumn(errCum, 'total_err'), 'total_bound'), 'u_total_bound'), mul(target, c(2 * EPS), 'target_round'), 'target_bound');
  const marginLo = ratio(sub(target, lo, 'above_lo'), add(targetBound, loBound, 'lo_all'), 'ratio_lo');
  const marginHi = ratio(sub(hi, target, 'below_hi'), add(targetBound, hiBound, 'hi_all'), 'ratio_hi');
  const marginU = where(anyHit, op('Min', [marginLo, marginHi], 'margin_u_both'), c(0), 'margin_u_col'); // no hit: always redone on the host
  squeeze(marginU, 'margin_u_sq', SAMPLING_IO.marginU);

  g.addOutput({ name: SAMPLING_IO.token, elementType: 'int32', shape: ['batch'] });
  g.addOutput({ name: SAMPLING_IO.entropy, elementType: 'float32', shape: ['batch'] });
  g.addOutput({ name: SAMPLING_IO.k, elementType: 'int32', shape: ['batch'] });
  g.addOutput({ name: SAMPLING_IO.kept, elementType: 'int32', shape: ['batch'] });
  g.addOutput({ name: SAMPLING_IO.marginU, elementType: 'float32', shape: ['batch'] });
  g.addOutput({ name: SAMPLING_IO.marginH, elementType: 'float32', shape: ['batch'] });
  g.addOutput({ name: SAMPLING_IO.marginK, elementType: 'float32', shape: ['batch'] });
  g.addOutput({ name: SAMPLING_IO.entropyBound, elementType: 'float32', shape: ['batch'] });
  return encodeModel({ graph: g, producerName: 'pure-studio', docString: 'PURE token sampler, float32 (PURE-SPEC section 6), built by src-main/engine/pure/sampling-graph' });
}
