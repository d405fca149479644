// The tensor names and shapes of the REAL PURE checkpoints, as functions of the config, so the graph
// builders read a real checkpoint and the tiny TEST MODEL through the same names.
// Pure TypeScript: no Node built-ins.
//
// Decoder (HF folder nonwhy/PURE, loaded by `ChameleonForConditionalGeneration.from_pretrained`):
// module names from nonwhy/PURE pure/model/chameleon/modeling_chameleon.py (= Lumina-mGPT's copy of
// HF transformers' Chameleon), state-dict order. Shapes for the 7B (hidden 4096, 32 heads x 128,
// MLP 11008, vocab 73728), torch Linear weights being (out, in):
//   model.embed_tokens.weight                        (73728, 4096)
//   model.layers.{i}.self_attn.q_proj.weight         (4096, 4096)   heads*head_dim x hidden
//   model.layers.{i}.self_attn.k_proj.weight         (4096, 4096)   kv_heads*head_dim x hidden
//   model.layers.{i}.self_attn.v_proj.weight         (4096, 4096)
//   model.layers.{i}.self_attn.o_proj.weight         (4096, 4096)
//   model.layers.{i}.self_attn.q_norm.weight / .bias (1, 128)  ChameleonLayerNorm([model_parallel_size, head_dim]),
//   model.layers.{i}.self_attn.k_norm.weight / .bias (1, 128)  rows repeat-interleaved over the heads
//   model.layers.{i}.mlp.gate_proj.weight            (11008, 4096)
//   model.layers.{i}.mlp.up_proj.weight              (11008, 4096)
//   model.layers.{i}.mlp.down_proj.weight            (4096, 11008)
//   model.layers.{i}.input_layernorm.weight          (4096)
//   model.layers.{i}.post_attention_layernorm.weight (4096)
//   model.norm.weight                                (4096)
//   lm_head.weight                                   (73728, 4096)  untied (tie_word_embeddings False)
// No biases besides the QK-norms (attention_bias = mlp_bias = False).
// QK-norm rows: PURE/Lumina-mGPT keep [model_parallel_size, head_dim] (model_parallel_size 1 -> one row
// shared by all heads); HF transformers' own Chameleon (and its convert script, which repeats the row
// per head) stores [heads, head_dim]. Both, and a bare [head_dim], are accepted by `expandQkNorm`.
// The q/k projections (and QK-norm rows) are in HF's "rotate half" RoPE layout: the convert script
// permuted Meta's interleaved layout once, and Lumina-mGPT/PURE trained from those weights.
// `model.vqmodel.*` also exists in ChameleonModel: Chameleon's own VQGAN encoder (quantize.embedding
// (8192, 256), encoder.down.*, mid.block_1/attn_1/block_2, quant_conv, post_quant_conv). PURE never
// uses it (images go through the LlamaGen VQ below): ignore it (`isIgnoredDecoderTensor`).
//
// VQ (`vq_ds8_c2i.pt`, torch.load(...)["model"], loaded strictly into LlamaGen's VQ_8): names from
// FoundationVision/LlamaGen tokenizer/tokenizer_image/vq_model.py (identical in nonwhy/PURE
// pure/model/chameleon_vae_ori/llamagen_vqgan.py). Conv weights (out, in, kh, kw) + bias (out);
// GroupNorm weight/bias (C). Encoder level i maps ch*in_mult[i] -> ch*mult[i] (in_mult = (1,)+mult),
// attention after each res block of the last level only, downsample on all but the last. Decoder
// conv_blocks.k is level L-1-k (conv_blocks.0 = lowest resolution, with the attention), upsample on
// all but the last. `quantize.codebook_used` (65536) is a training-time buffer saved with the
// weights (strict load_state_dict needs it); unused at inference.

import type { DecoderConfig, VqConfig } from './config';

export interface CheckpointTensorSpec {
  name: string;
  shape: number[];
  /** In the real checkpoint but not needed for inference. */
  unused?: true;
}

export const DECODER_NAMES = {
  embed: 'model.embed_tokens.weight',
  finalNorm: 'model.norm.weight',
  lmHead: 'lm_head.weight',
} as const;

export function decoderLayerNames(i: number) {
  const p = `model.layers.${i}`;
  return {
    q: `${p}.self_attn.q_proj.weight`,
    k: `${p}.self_attn.k_proj.weight`,
    v: `${p}.self_attn.v_proj.weight`,
    o: `${p}.self_attn.o_proj.weight`,
    qNormWeight: `${p}.self_attn.q_norm.weight`,
    qNormBias: `${p}.self_attn.q_norm.bias`,
    kNormWeight: `${p}.self_attn.k_norm.weight`,
    kNormBias: `${p}.self_attn.k_norm.bias`,
    gate: `${p}.mlp.gate_proj.weight`,
    up: `${p}.mlp.up_proj.weight`,
    down: `${p}.mlp.down_proj.weight`,
    inputNorm: `${p}.input_layernorm.weight`,
    postAttentionNorm: `${p}.post_attention_layernorm.weight`,
  };
}

/** Tensors of the decoder checkpoint that PURE does not use. */
export const isIgnoredDecoderTensor = (name: string): boolean => name.startsWith('model.vqmodel.');

export interface DecoderSpecOptions {
  /**
   * Rows of the stored QK-norm tensors: a number = model_parallel_size rows for q and k alike (1 in
   * PURE/Lumina-mGPT, the default); 'per-head' = HF-converted, one row per (q or kv) head.
   */
  qkNormRows?: number | 'per-head';
}

/** Every decoder tensor PURE reads, in state-dict order, with its shape. */
export function decoderTensorSpecs(c: DecoderConfig, options: DecoderSpecOptions = {}): CheckpointTensorSpec[] {
  const rows = options.qkNormRows ?? 1;
  const qRows = rows === 'per-head' ? c.numHeads : rows;
  const kRows = rows === 'per-head' ? c.numKvHeads : rows;
  const q = c.numHeads * c.headDim;
  const kv = c.numKvHeads * c.headDim;
  const specs: CheckpointTensorSpec[] = [{ name: DECODER_NAMES.embed, shape: [c.vocabSize, c.hiddenSize] }];
  for (let i = 0; i < c.numLayers; i++) {
    const n = decoderLayerNames(i);
    specs.push(
      { name: n.q, shape: [q, c.hiddenSize] },
      { name: n.k, shape: [kv, c.hiddenSize] },
      { name: n.v, shape: [kv, c.hiddenSize] },
      { name: n.o, shape: [c.hiddenSize, q] },
      { name: n.qNormWeight, shape: [qRows, c.headDim] },
      { name: n.qNormBias, shape: [qRows, c.headDim] },
      { name: n.kNormWeight, shape: [kRows, c.headDim] },
      { name: n.kNormBias, shape: [kRows, c.headDim] },
      { name: n.gate, shape: [c.intermediateSize, c.hiddenSize] },
      { name: n.up, shape: [c.intermediateSize, c.hiddenSize] },
      { name: n.down, shape: [c.hiddenSize, c.intermediateSize] },
      { name: n.inputNorm, shape: [c.hiddenSize] },
      { name: n.postAttentionNorm, shape: [c.hiddenSize] },
    );
  }
  specs.push({ name: DECODER_NAMES.finalNorm, shape: [c.hiddenSize] }, { name: DECODER_NAMES.lmHead, shape: [c.vocabSize, c.hiddenSize] });
  return specs;
}

/** Whether a stored QK-norm shape is one we can expand to (heads, head_dim). */
export function isQkNormShape(shape: readonly number[], heads: number, headDim: number): boolean {
  if (shape.length === 1) return shape[0] === headDim;
  return shape.length === 2 && shape[1] === headDim && shape[0] > 0 && heads % shape[0] === 0;
}

/**
 * A QK-norm weight or bias as (heads, head_dim): row r of an [mp, head_dim] tensor serves heads
 * r*heads/mp .. (r+1)*heads/mp - 1 (torch repeat_interleave over dim 0, as ChameleonLayerNorm does).
 */
export function expandQkNorm(values: Float32Array, shape: readonly number[], heads: number, headDim: number): Float32Array {
  if (!isQkNormShape(shape, heads, headDim)) {
    throw new RangeError(`A QK-norm tensor of shape [${shape.join(', ')}] does not fit ${heads} heads of ${headDim}.`);
  }
  const rows = shape.length === 1 ? 1 : shape[0];
  const perRow = heads / rows;
  const out = new Float32Array(heads * headDim);
  for (let h = 0; h < heads; h++) out.set(values.subarray(Math.floor(h / perRow) * headDim, (Math.floor(h / perRow) + 1) * headDim), h * headDim);
  return out;
}

const conv = (name: string, out: number, inp: number, k: number): CheckpointTensorSpec[] => [
  { name: `${name}.weight`, shape: [out, inp, k, k] },
  { name: `${name}.bias`, shape: [out] },
];
const norm = (name: string, c: number): CheckpointTensorSpec[] => [
  { name: `${name}.weight`, shape: [c] },
  { name: `${name}.bias`, shape: [c] },
];
const resBlock = (p: string, inp: number, out: number): CheckpointTensorSpec[] => [
  ...norm(`${p}.norm1`, inp),
  ...conv(`${p}.conv1`, out, inp, 3),
  ...norm(`${p}.norm2`, out),
  ...conv(`${p}.conv2`, out, out, 3),
  ...(inp !== out ? conv(`${p}.nin_shortcut`, out, inp, 1) : []),
];
const attnBlock = (p: string, c: number): CheckpointTensorSpec[] => [
  ...norm(`${p}.norm`, c),
  ...conv(`${p}.q`, c, c, 1),
  ...conv(`${p}.k`, c, c, 1),
  ...conv(`${p}.v`, c, c, 1),
  ...conv(`${p}.proj_out`, c, c, 1),
];
const mid = (net: string, c: number): CheckpointTensorSpec[] => [
  ...resBlock(`${net}.mid.0`, c, c),
  ...attnBlock(`${net}.mid.1`, c),
  ...resBlock(`${net}.mid.2`, c, c),
];

/** LlamaGen's codebook usage buffer length (a constant in vq_model.py, not a config value). */
export const CODEBOOK_USED_LENGTH = 65536;

/** Every tensor of the VQ state dict, in state-dict order, with its shape. */
export function vqTensorSpecs(c: VqConfig): CheckpointTensorSpec[] {
  const ch = c.baseChannels;
  const mult = c.channelMultipliers;
  const levels = mult.length;
  const specs: CheckpointTensorSpec[] = [...conv('encoder.conv_in', ch, 3, 3)];
  let channels = ch;
  for (let i = 0; i < levels; i++) {
    const p = `encoder.conv_blocks.${i}`;
    const res: CheckpointTensorSpec[] = [];
    const attn: CheckpointTensorSpec[] = [];
    for (let j = 0; j < c.encoderResBlocks; j++) {
      res.push(...resBlock(`${p}.res.${j}`, channels, ch * mult[i]));
      channels = ch * mult[i];
      if (i === levels - 1) attn.push(...attnBlock(`${p}.attn.${j}`, channels));
    }
    specs.push(...res, ...attn);
    if (i !== levels - 1) specs.push(...conv(`${p}.downsample.conv`, channels, channels, 3));
  }
  specs.push(...mid('encoder', channels), ...norm('encoder.norm_out', channels), ...conv('encoder.conv_out', c.zChannels, channels, 3));

  channels = ch * mult[levels - 1];
  specs.push(...conv('decoder.conv_in', channels, c.zChannels, 3), ...mid('decoder', channels));
  for (let k = 0; k < levels; k++) {
    const level = levels - 1 - k;
    const p = `decoder.conv_blocks.${k}`;
    const res: CheckpointTensorSpec[] = [];
    const attn: CheckpointTensorSpec[] = [];
    for (let j = 0; j < c.decoderResBlocks; j++) {
      res.push(...resBlock(`${p}.res.${j}`, channels, ch * mult[level]));
      channels = ch * mult[level];
      if (level === levels - 1) attn.push(...attnBlock(`${p}.attn.${j}`, channels));
    }
    specs.push(...res, ...attn);
    if (level !== 0) specs.push(...conv(`${p}.upsample.conv`, channels, channels, 3));
  }
  specs.push(...norm('decoder.norm_out', channels), ...conv('decoder.conv_out', 3, channels, 3));

  specs.push(
    { name: 'quantize.codebook_used', shape: [CODEBOOK_USED_LENGTH], unused: true },
    { name: 'quantize.embedding.weight', shape: [c.codebookSize, c.codebookDim] },
    ...conv('quant_conv', c.codebookDim, c.zChannels, 1),
    ...conv('post_quant_conv', c.zChannels, c.codebookDim, 1),
  );
  return specs;
}
