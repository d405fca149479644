// An independent plain-TypeScript LlamaGen VQ-8 (encoder + quantizer, decoder) in float64, a line-
// by-line transcription of FoundationVision/LlamaGen tokenizer/tokenizer_image/vq_model.py
// (Encoder.forward, Decoder.forward, VectorQuantizer.forward / get_codebook_entry). It exists to
// check the ONNX graphs: it reads the same `getWeight`, but spells the state-dict names and walks
// the levels itself, and quantizes with torch's distance formula rather than the graphs' argmax.
// Slow (direct loops): tests on small crops only. Pure TypeScript: no Node built-ins.

import type { VqConfig } from '../config';
import { add, attention, conv2d, groupNorm, map3, swish, upsampleNearest2 } from './vq-reference-ops';
import type { Map3 } from './vq-reference-ops';

type GetWeight = (name: string) => Float32Array;

class ReferenceVq {
  constructor(
    private readonly cfg: VqConfig,
    private readonly w: GetWeight,
  ) {}

  conv(x: Map3, name: string, outC: number, k: number, stride = 1, pads?: number[]): Map3 {
    const p = (k - 1) / 2;
    return conv2d(x, this.w(`${name}.weight`), this.w(`${name}.bias`), outC, k, stride, pads ?? [p, p, p, p]);
  }

  norm(x: Map3, name: string): Map3 {
    return groupNorm(x, this.w(`${name}.weight`), this.w(`${name}.bias`), this.cfg.groupNormGroups, this.cfg.groupNormEps);
  }

  /** ResnetBlock.forward (dropout is the identity at inference). */
  res(x: Map3, name: string, inC: number, outC: number): Map3 {
    let h = swish(this.norm(x, `${name}.norm1`));
    h = this.conv(h, `${name}.conv1`, outC, 3);
    h = swish(this.norm(h, `${name}.norm2`));
    h = this.conv(h, `${name}.conv2`, outC, 3);
    const skip = inC !== outC ? this.conv(x, `${name}.nin_shortcut`, outC, 1) : x;
    return add(skip, h);
  }

  /** AttnBlock.forward. */
  attn(x: Map3, name: string): Map3 {
    const h = this.norm(x, `${name}.norm`);
    const q = this.conv(h, `${name}.q`, x.c, 1);
    const k = this.conv(h, `${name}.k`, x.c, 1);
    const v = this.conv(h, `${name}.v`, x.c, 1);
    return add(x, this.conv(attention(q, k, v), `${name}.proj_out`, x.c, 1));
  }

  encoder(x: Map3): Map3 {
    const ch = this.cfg.baseChannels;
    const chMult = this.cfg.channelMultipliers;
    const levels = chMult.length;
    const inChMult = [1, ...chMult];
    let h = this.conv(x, 'encoder.conv_in', ch, 3);
    let blockIn = ch;
    for (let iLevel = 0; iLevel < levels; iLevel++) {
      blockIn = ch * inChMult[iLevel];
      const blockOut = ch * chMult[iLevel];
      for (let iBlock = 0; iBlock < this.cfg.encoderResBlocks; iBlock++) {
        h = this.res(h, `encoder.conv_blocks.${iLevel}.res.${iBlock}`, blockIn, blockOut);
        blockIn = blockOut;
        if (iLevel === levels - 1) h = this.attn(h, `encoder.conv_blocks.${iLevel}.attn.${iBlock}`);
      }
      // Downsample: F.pad(x, (0, 1, 0, 1)) = one zero column right, one zero row below; conv stride 2, no padding.
      if (iLevel !== levels - 1) h = this.conv(h, `encoder.conv_blocks.${iLevel}.downsample.conv`, blockIn, 3, 2, [0, 0, 1, 1]);
    }
    h = this.res(h, 'encoder.mid.0', blockIn, blockIn);
    h = this.attn(h, 'encoder.mid.1');
    h = this.res(h, 'encoder.mid.2', blockIn, blockIn);
    h = swish(this.norm(h, 'encoder.norm_out'));
    return this.conv(h, 'encoder.conv_out', this.cfg.zChannels, 3);
  }

  decoder(z: Map3): Map3 {
    const ch = this.cfg.baseChannels;
    const chMult = this.cfg.channelMultipliers;
    const levels = chMult.length;
    let blockIn = ch * chMult[levels - 1];
    let h = this.conv(z, 'decoder.conv_in', blockIn, 3);
    h = this.res(h, 'decoder.mid.0', blockIn, blockIn);
    h = this.attn(h, 'decoder.mid.1');
    h = this.res(h, 'decoder.mid.2', blockIn, blockIn);
    // conv_blocks are built for i_level in reversed(range(levels)) and run in list order.
    for (let k = 0; k < levels; k++) {
      const iLevel = levels - 1 - k;
      const blockOut = ch * chMult[iLevel];
      // LlamaGen's decoder has num_res_blocks + 1 blocks per level; the config counts them directly.
      for (let iBlock = 0; iBlock < this.cfg.decoderResBlocks; iBlock++) {
        h = this.res(h, `decoder.conv_blocks.${k}.res.${iBlock}`, blockIn, blockOut);
        blockIn = blockOut;
        if (iLevel === levels - 1) h = this.attn(h, `decoder.conv_blocks.${k}.attn.${iBlock}`);
      }
      if (k !== levels - 1) h = this.conv(upsampleNearest2(h), `decoder.conv_blocks.${k}.upsample.conv`, blockIn, 3);
    }
    h = swish(this.norm(h, 'decoder.norm_out'));
    return this.conv(h, 'decoder.conv_out', 3, 3);
  }

  /** F.normalize(embedding.weight, p=2, dim=-1), float64. */
  normalizedCodebook(): Float64Array {
    const { codebookSize: n, codebookDim: d } = this.cfg;
    const e = this.w('quantize.embedding.weight');
    const out = new Float64Array(n * d);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += e[i * d + j] * e[i * d + j];
      const norm = Math.max(Math.sqrt(s), 1e-12);
      for (let j = 0; j < d; j++) out[i * d + j] = e[i * d + j] / norm;
    }
    return out;
  }
}

export interface VqReferenceEncoding {
  /** Codebook indices, row-major over the (h, w) grid. */
  codes: Int32Array;
  /** quant_conv's output (D, h, w), before normalisation. */
  latent: Float64Array;
  gridHeight: number;
  gridWidth: number;
}

/** VQModel.encode on one planar (3, H, W) image in [-1, 1]. */
export function vqReferenceEncode(config: VqConfig, getWeight: GetWeight, image: Float32Array, height: number, width: number): VqReferenceEncoding {
  const vq = new ReferenceVq(config, getWeight);
  const x = map3(3, height, width);
  x.d.set(image);
  const z = vq.conv(vq.encoder(x), 'quant_conv', config.codebookDim, 1); // (D, h, w)
  const { codebookSize: n, codebookDim: d } = config;
  const e = vq.normalizedCodebook();
  const positions = z.h * z.w;
  const codes = new Int32Array(positions);
  const zp = new Float64Array(d);
  for (let p = 0; p < positions; p++) {
    // z_flattened = F.normalize(z, dim=-1); d = |z|^2 + |e|^2 - 2 z.e; argmin, first on ties.
    let s = 0;
    for (let j = 0; j < d; j++) s += z.d[j * positions + p] ** 2;
    const norm = Math.max(Math.sqrt(s), 1e-12);
    for (let j = 0; j < d; j++) zp[j] = z.d[j * positions + p] / norm;
    let zz = 0;
    for (let j = 0; j < d; j++) zz += zp[j] * zp[j];
    let best = Infinity;
    for (let i = 0; i < n; i++) {
      let ee = 0;
      let ze = 0;
      for (let j = 0; j < d; j++) {
        ee += e[i * d + j] * e[i * d + j];
        ze += zp[j] * e[i * d + j];
      }
      const dist = zz + ee - 2 * ze;
      if (dist < best) {
        best = dist;
        codes[p] = i;
      }
    }
  }
  return { codes, latent: z.d, gridHeight: z.h, gridWidth: z.w };
}

/** VQModel.decode_code: codes (h*w, row-major) -> (3, 8h, 8w) raw decoder output, float64. */
export function vqReferenceDecode(config: VqConfig, getWeight: GetWeight, codes: ArrayLike<number>, gridHeight: number, gridWidth: number): Map3 {
  const vq = new ReferenceVq(config, getWeight);
  const d = config.codebookDim;
  const e = vq.normalizedCodebook();
  const positions = gridHeight * gridWidth;
  if (codes.length !== positions) throw new Error(`reference decode: ${codes.length} codes for a ${gridHeight}x${gridWidth} grid`);
  const quant = map3(d, gridHeight, gridWidth); // get_codebook_entry: (1, h, w, D) permuted to (1, D, h, w)
  for (let p = 0; p < positions; p++) for (let j = 0; j < d; j++) quant.d[j * positions + p] = e[codes[p] * d + j];
  return vq.decoder(vq.conv(quant, 'post_quant_conv', config.zChannels, 1));
}
