// The LlamaGen VQ-8 layout as data: which blocks exist, their channels, and the state-dict name
// prefixes of their weights, for the ONNX graph builders to walk. The full tensor list with shapes
// is tensor-names.ts's `vqTensorSpecs` (`vqWeightSpecs` below); the tests check that the graphs read
// exactly its names. Pure TypeScript: no Node built-ins.
//
// Every fact is from FoundationVision/LlamaGen tokenizer/tokenizer_image/vq_model.py (identical in
// nonwhy/PURE pure/model/chameleon_vae_ori/llamagen_vqgan.py, the copy PURE loads `vq_ds8_c2i.pt` into):
// - Encoder: conv_in 3 -> ch; level i maps ch*in_ch_mult[i] -> ch*ch_mult[i] with in_ch_mult = (1,) +
//   ch_mult; `num_res_blocks` ResnetBlocks per level; an AttnBlock after EACH res block of the LAST
//   level only (`if i_level == num_resolutions - 1`); a Downsample on every level but the last.
//   mid = [ResnetBlock, AttnBlock, ResnetBlock]; norm_out; swish; conv_out -> z_channels.
// - Decoder: conv_in z_channels -> ch*ch_mult[-1]; mid as in the encoder; then `conv_blocks[k]` for
//   i_level in reversed(range(levels)), i.e. conv_blocks.0 is the LOWEST resolution (ch*ch_mult[-1]);
//   `num_res_blocks + 1` ResnetBlocks per level (2 + 1 = 3 in VQ-8, our `decoderResBlocks` counts
//   them directly); attention after each res block of conv_blocks.0 only (i_level == levels - 1);
//   an Upsample on every conv_block but the last (`if i_level != 0` at construction).
// - ResnetBlock: norm1, conv1 (3x3), norm2, conv2 (3x3), and a 1x1 `nin_shortcut` only when
//   in != out channels (conv_shortcut=False). AttnBlock: norm, q, k, v, proj_out, all 1x1 convs.
// - quant_conv 1x1 z -> codebook_embed_dim, post_quant_conv 1x1 back; quantize.embedding.weight
//   (N, dim). The checkpoint also holds `quantize.codebook_used` (a training-time usage buffer): unused.

import type { VqConfig } from '../config';
import { vqTensorSpecs } from '../tensor-names';
import type { CheckpointTensorSpec } from '../tensor-names';

/** A ResnetBlock at `prefix` (e.g. `encoder.conv_blocks.1.res.0`). */
export interface ResBlockPlan {
  prefix: string;
  inChannels: number;
  outChannels: number;
}

/** One resolution level: its res blocks, the attention after each (if any), then a resampler. */
export interface LevelPlan {
  res: ResBlockPlan[];
  /** Same length as `res` when the level has attention, else empty. */
  attn: string[];
  /** Prefix of the Downsample/Upsample conv (`....downsample.conv`), absent on the last level. */
  resampleConv?: string;
  /** Channels after the level (what the resampler and the next level see). */
  channels: number;
}

export interface VqNetPlan {
  convIn: { name: string; inChannels: number; outChannels: number };
  levels: LevelPlan[];
  mid: { res0: ResBlockPlan; attn: string; res1: ResBlockPlan; channels: number };
  normOut: string;
  convOut: { name: string; inChannels: number; outChannels: number };
}

export const VQ_NAMES = {
  quantConv: 'quant_conv',
  postQuantConv: 'post_quant_conv',
  codebook: 'quantize.embedding.weight',
} as const;

function midPlan(net: string, channels: number): VqNetPlan['mid'] {
  const res = (i: number): ResBlockPlan => ({ prefix: `${net}.mid.${i}`, inChannels: channels, outChannels: channels });
  return { res0: res(0), attn: `${net}.mid.1`, res1: res(2), channels };
}

export function encoderPlan(config: VqConfig): VqNetPlan {
  const { baseChannels: ch, channelMultipliers: mult, encoderResBlocks } = config;
  const levels: LevelPlan[] = [];
  let channels = ch;
  for (let i = 0; i < mult.length; i++) {
    const prefix = `encoder.conv_blocks.${i}`;
    const last = i === mult.length - 1;
    const res: ResBlockPlan[] = [];
    const attn: string[] = [];
    for (let j = 0; j < encoderResBlocks; j++) {
      res.push({ prefix: `${prefix}.res.${j}`, inChannels: channels, outChannels: ch * mult[i] });
      channels = ch * mult[i];
      if (last) attn.push(`${prefix}.attn.${j}`);
    }
    levels.push({ res, attn, resampleConv: last ? undefined : `${prefix}.downsample.conv`, channels });
  }
  return {
    convIn: { name: 'encoder.conv_in', inChannels: 3, outChannels: ch },
    levels,
    mid: midPlan('encoder', channels),
    normOut: 'encoder.norm_out',
    convOut: { name: 'encoder.conv_out', inChannels: channels, outChannels: config.zChannels },
  };
}

export function decoderPlan(config: VqConfig): VqNetPlan {
  const { baseChannels: ch, channelMultipliers: mult, decoderResBlocks } = config;
  let channels = ch * mult[mult.length - 1];
  const mid = midPlan('decoder', channels);
  const levels: LevelPlan[] = [];
  for (let k = 0; k < mult.length; k++) {
    const iLevel = mult.length - 1 - k; // conv_blocks.k holds LlamaGen's i_level = levels - 1 - k
    const prefix = `decoder.conv_blocks.${k}`;
    const res: ResBlockPlan[] = [];
    const attn: string[] = [];
    for (let j = 0; j < decoderResBlocks; j++) {
      res.push({ prefix: `${prefix}.res.${j}`, inChannels: channels, outChannels: ch * mult[iLevel] });
      channels = ch * mult[iLevel];
      if (k === 0) attn.push(`${prefix}.attn.${j}`);
    }
    levels.push({ res, attn, resampleConv: iLevel === 0 ? undefined : `${prefix}.upsample.conv`, channels });
  }
  return {
    convIn: { name: 'decoder.conv_in', inChannels: config.zChannels, outChannels: mid.channels },
    levels,
    mid,
    normOut: 'decoder.norm_out',
    convOut: { name: 'decoder.conv_out', inChannels: channels, outChannels: 3 },
  };
}

// ---- tensor specs --------------------------------------------------------------------------

/**
 * Every tensor the VQ graphs read, in state-dict names, with shapes (PyTorch layouts): the real
 * checkpoint's list (tensor-names.ts) less what inference does not use (quantize.codebook_used).
 * The tests check that the graphs and the reference read exactly these names.
 */
export function vqWeightSpecs(config: VqConfig): CheckpointTensorSpec[] {
  return vqTensorSpecs(config).filter((s) => !s.unused);
}

/** Weights by state-dict name; must return exactly the spec's element count (float32). */
export type VqGetWeight = (name: string) => Float32Array;

/** Wraps `getWeight` with a size check against the specs, so a wrong tensor fails by name. */
export function checkedGetWeight(config: VqConfig, getWeight: VqGetWeight): VqGetWeight {
  const shapes = new Map(vqWeightSpecs(config).map((s) => [s.name, s.shape]));
  return (name) => {
    const shape = shapes.get(name);
    if (!shape) throw new Error(`VQ: no tensor named '${name}' in the LlamaGen layout`);
    const data = getWeight(name);
    const count = shape.reduce((a, b) => a * b, 1);
    if (data.length !== count) throw new Error(`VQ: '${name}' has ${data.length} values, expected [${shape.join(', ')}] = ${count}`);
    return data;
  };
}
