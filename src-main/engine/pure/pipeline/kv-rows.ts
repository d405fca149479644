// Moving KV caches between batch-1 and batch-2 form, for running CFG's two branches in one
// decoder call. The graph takes one common past length per batch, so the shorter sequence is
// LEFT-padded: its real slots sit at the end of the row and the pad slots in front are zeros that
// the attention mask hides. Works on fp32 and fp16 caches alike (the values are copied as they
// are, never converted).

import * as ort from 'onnxruntime-node';
import type { KvCache } from '../decoder/decoder-session';

/** A batch-N cache with row r's first pads[r] slots padding. */
export interface PaddedCache {
  cache: KvCache; // per layer (rows, kv_heads, length, head_dim)
  pads: number[]; // (rows,)
}

type KvData = Float32Array | Uint16Array;

/** Stacks batch-1 caches into one batch-N cache as long as the longest, left-padding the others. */
export function stackLeftPadded(caches: readonly KvCache[]): PaddedCache {
  if (caches.length === 0) throw new Error('nothing to stack');
  const length = Math.max(...caches.map((c) => c.length));
  const pads = caches.map((c) => length - c.length);
  const layers = caches[0].keys.length;
  const stack = (pick: (c: KvCache) => ort.Tensor[]) =>
    Array.from({ length: layers }, (_, i) => stackLayer(caches.map((c) => pick(c)[i]), pads, length));
  return { cache: { length, keys: stack((c) => c.keys), values: stack((c) => c.values) }, pads };
}

/** Row `row` of a padded cache as a batch-1 cache without its padding. */
export function takeRow(padded: PaddedCache, row: number): KvCache {
  const { cache, pads } = padded;
  const pad = pads[row];
  const take = (t: ort.Tensor) => takeRowOfLayer(t, row, pad);
  return { length: cache.length - pad, keys: cache.keys.map(take), values: cache.values.map(take) };
}

/** (1, kvh, len_r, hd) tensors -> (N, kvh, length, hd), row r's slots starting at pads[r]. */
function stackLayer(rows: readonly ort.Tensor[], pads: readonly number[], length: number): ort.Tensor {
  const [, kvh, , hd] = rows[0].dims;
  const first = rows[0].data as KvData;
  // Zeros in the pad slots: masked slots still enter softmax(scores) * V as 0 * v, and a zero v
  // keeps that exact (garbage there could be NaN or Inf, and 0 * Inf is NaN).
  const out = new (first.constructor as new (n: number) => KvData)(rows.length * kvh * length * hd);
  rows.forEach((t, r) => {
    if (t.dims[0] !== 1) throw new Error(`stacking needs batch-1 caches, got batch ${t.dims[0]}`);
    if (t.type !== rows[0].type) throw new Error(`cache types differ: ${t.type} vs ${rows[0].type}`);
    const len = length - pads[r];
    const src = t.data as KvData;
    for (let h = 0; h < kvh; h++) {
      const from = h * len * hd;
      out.set(src.subarray(from, from + len * hd), ((r * kvh + h) * length + pads[r]) * hd);
    }
  });
  return new ort.Tensor(rows[0].type, out, [rows.length, kvh, length, hd]);
}

/** (N, kvh, length, hd) -> (1, kvh, length - pad, hd), dropping the first `pad` slots of `row`. */
function takeRowOfLayer(t: ort.Tensor, row: number, pad: number): ort.Tensor {
  const [, kvh, length, hd] = t.dims;
  const src = t.data as KvData;
  const len = length - pad;
  const out = new (src.constructor as new (n: number) => KvData)(kvh * len * hd);
  for (let h = 0; h < kvh; h++) {
    const from = ((row * kvh + h) * length + pad) * hd;
    out.set(src.subarray(from, from + len * hd), h * len * hd);
  }
  return new ort.Tensor(t.type, out, [1, kvh, len, hd]);
}
