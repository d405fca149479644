// The Chameleon decoder's weight names, for the graph builder, the reference forward pass and the
// tests: a thin view over the shared list in ../tensor-names.ts (the real checkpoint's names and
// shapes), so the decoder code has one import for them.
// Pure TypeScript: no Node built-ins.
//
// Layout facts (transformers src/transformers/models/chameleon/modeling_chameleon.py and
// convert_chameleon_weights_to_hf.py; Alpha-VLLM/Lumina-mGPT lumina_mgpt/model/chameleon/):
// - Linear weights are torch (out_features, in_features): y = x W^T. No biases anywhere.
// - q_norm / k_norm weight and bias: (model_parallel_size, head_dim) rows, repeat-interleaved over
//   the heads (heads / rows per row). HF-converted checkpoints store (heads, head_dim) (repeated
//   at conversion); Lumina-mGPT / PURE store (1, head_dim). A bare (head_dim) is accepted too.
// - q_proj / k_proj rows (and the q/k norm params) are ALREADY permuted for the rotate-half RoPE
//   convention by both conversion scripts (`permute(w, n_heads)` turns Meta's interleaved-pair
//   layout into halves): checkpoints in HF layout are used as they are, with rotate-half RoPE.

import type { DecoderConfig } from '../config';
import { DECODER_NAMES, decoderLayerNames, decoderTensorSpecs as checkpointSpecs } from '../tensor-names';

/** A function that returns a weight by its HF name, as fp32, in the shape listed below. */
export type GetWeight = (name: string) => Float32Array;

export interface DecoderTensorSpec {
  name: string;
  /** The canonical (HF) shape; q/k norm tensors may also come as (rows, head_dim) or (head_dim). */
  shape: number[];
}

export const decoderNames = {
  embed: DECODER_NAMES.embed, // (vocab, hidden)
  finalNorm: DECODER_NAMES.finalNorm, // (hidden)
  lmHead: DECODER_NAMES.lmHead, // (vocab, hidden)
  /**
   * Layer i: q (heads * head_dim, hidden); k, v (kv_heads * head_dim, hidden); o (hidden,
   * heads * head_dim); q/k norm weight and bias (rows, head_dim) or (head_dim); input/post norms
   * (hidden); gate, up (inter, hidden); down (hidden, inter).
   */
  layer: (i: number) => {
    const n = decoderLayerNames(i);
    return { ...n, postNorm: n.postAttentionNorm };
  },
};

/** Every decoder tensor with its HF shape (QK-norm parameters one row per head). */
export function decoderTensorSpecs(c: DecoderConfig): DecoderTensorSpec[] {
  return checkpointSpecs(c, { qkNormRows: 'per-head' }).map(({ name, shape }) => ({ name, shape }));
}

/** Throws unless `data` has exactly `count` values: a wrong-sized weight must fail loudly. */
export function expectLength(name: string, data: Float32Array, count: number): Float32Array {
  if (data.length !== count) throw new Error(`decoder weight '${name}': expected ${count} values, got ${data.length}`);
  return data;
}
