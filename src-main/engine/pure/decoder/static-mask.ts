// The attention bias of the static-cache graph (decoder-graph.ts, cache 'static'), built once per
// run from tiny inputs: a row's buffer slots 0..past_lengths[b]-1 are visible to all of its new
// tokens, the rest of the buffer (unused capacity, or stale values of an earlier sequence) is not,
// and the new tokens see each other causally. Rows of a batch may thus hold sequences of any
// lengths without padding, and nothing per cached token is uploaded (the concat graph's
// attention_mask grows by 8 bytes per token).
// Pure TypeScript: no Node built-ins.

import type { GraphOps } from './graph-ops';

export interface StaticMask {
  /** (batch, 1, groups * seq, capacity + seq) f32: 0 where attending, `masked` elsewhere. */
  bias: string;
  /** int64 (2): [capacity, seq], the split of the score axis into buffer and new slots. */
  keySplit: string;
}

const i1 = (value: number) => ({ type: 'int', value }) as const;
const dim = (ops: GraphOps, t: string, d: number, hint: string) => ops.op('Shape', [t], hint, { start: i1(d), end: i1(d + 1) }); // (1)

/**
 * ids (batch, seq), pastLengths int64 (batch), kBuffer (batch, kv_heads, capacity, head_dim).
 * `groups` > 1 (grouped-query heads) repeats the rows to match static-attention's q layout.
 */
export function staticMask(ops: GraphOps, ids: string, pastLengths: string, kBuffer: string, groups: number, masked: number): StaticMask {
  return cacheMask(ops, ids, pastLengths, dim(ops, kBuffer, 2, 'capacity'), groups, masked);
}

/**
 * The two-level cache's bias (decoder-graph.ts, cache 'split'): the big part's first slot is a
 * sink of zeros that is never attended (WebGPU crashes on a product over an empty part, so the
 * big part is never empty); every other slot of the big and the small part is a real token of the
 * one sequence (batch 1); then the new tokens see each other causally. The scores split at the
 * big part's end: [big, small + seq].
 */
export function splitMask(ops: GraphOps, ids: string, kBig: string, kSmall: string, groups: number, masked: number): StaticMask {
  const big = dim(ops, kBig, 2, 'big_len');
  const small = dim(ops, kSmall, 2, 'small_len');
  const past = ops.op('Add', [big, small], 'past_len'); // (1) int64
  const { bias } = cacheMask(ops, ids, past, past, groups, masked, 1); // pastLengths (1) broadcasts over batch 1
  const seq = dim(ops, ids, 1, 'split_seq_len');
  const keySplit = ops.op('Concat', [big, ops.op('Add', [small, seq], 'small_and_new')], 'split_key_split', { axis: i1(0) }); // (2)
  return { bias, keySplit };
}

/** `capacity` int64 (1): buffer slots, of which slots firstValid..pastLengths[b]-1 are visible to row b. */
function cacheMask(ops: GraphOps, ids: string, pastLengths: string, capacity: string, groups: number, masked: number, firstValid = 0): StaticMask {
  const scalar = (t: string) => ops.op('Squeeze', [t, ops.i64([0])], `${t}_s`); // ()
  const batch = dim(ops, ids, 0, 'batch_dim');
  const seq = dim(ops, ids, 1, 'seq_len');
  const zero = ops.i64([0], []);
  const one = ops.i64([1], []);
  const bias = (allowed: string, hint: string) => ops.op('Where', [allowed, ops.scalar('zero', 0), ops.scalar('masked', masked)], hint); // f32

  const slots = ops.op('Range', [zero, scalar(capacity), one], 'buffer_slots'); // (capacity)
  const lengths = ops.op('Unsqueeze', [pastLengths, ops.i64([1])], 'past_lengths_col'); // (batch, 1)
  const inRow = ops.op('Less', [slots, lengths], 'buffer_in_row'); // (batch, capacity) bool
  const valid = firstValid > 0 ? ops.op('And', [inRow, ops.op('GreaterOrEqual', [slots, ops.i64([firstValid], [])], 'buffer_after_sink')], 'buffer_valid') : inRow; // (batch, capacity) bool
  const bufferRow = ops.op('Unsqueeze', [bias(valid, 'buffer_bias2'), ops.i64([1, 2])], 'buffer_bias4'); // (batch, 1, 1, capacity)
  const seqRows = ops.op('Concat', [ops.i64([1, 1]), seq, ops.i64([1])], 'seq_rows_shape', { axis: i1(0) }); // (4) = [1, 1, seq, 1]
  const buffer = ops.op('Expand', [bufferRow, seqRows], 'buffer_bias'); // (batch, 1, seq, capacity)

  const news = ops.op('Range', [zero, scalar(seq), one], 'new_slots'); // (seq)
  const query = ops.op('Unsqueeze', [news, ops.i64([1])], 'new_query'); // (seq, 1)
  const causal = ops.op('LessOrEqual', [news, query], 'new_causal'); // (seq, seq) bool: key j' <= query j
  const newSquare = ops.op('Unsqueeze', [bias(causal, 'new_bias2'), ops.i64([0, 1])], 'new_bias4'); // (1, 1, seq, seq)
  const batchRows = ops.op('Concat', [batch, ops.i64([1, 1, 1])], 'batch_rows_shape', { axis: i1(0) }); // (4) = [batch, 1, 1, 1]
  const fresh = ops.op('Expand', [newSquare, batchRows], 'new_bias'); // (batch, 1, seq, seq)

  let all = ops.op('Concat', [buffer, fresh], 'static_bias', { axis: i1(-1) }); // (batch, 1, seq, capacity + seq)
  if (groups > 1) all = ops.op('Tile', [all, ops.i64([1, 1, groups, 1])], 'static_bias_groups'); // (batch, 1, groups * seq, capacity + seq)
  const keySplit = ops.op('Concat', [capacity, seq], 'key_split', { axis: i1(0) }); // (2)
  return { bias: all, keySplit };
}
