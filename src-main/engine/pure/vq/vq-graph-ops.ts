// ONNX building blocks of the LlamaGen VQ (GroupNorm, swish, ResnetBlock, AttnBlock, resamplers),
// written onto a GraphBuilder for the encoder and decoder graphs. Opset 17, default domain only,
// so every execution provider can run them. Pure TypeScript: no Node built-ins.
// Semantics from FoundationVision/LlamaGen tokenizer/tokenizer_image/vq_model.py: Normalize (GroupNorm
// 32 groups, eps 1e-6, affine; groups/eps come from VqConfig), nonlinearity, ResnetBlock, AttnBlock,
// Downsample, Upsample (each method below names the one it follows).
// Tensor shapes are noted as (N, C, H, W) with N = 1 in practice; H, W stay symbolic.

import { attr, float32Tensor, int64Tensor } from '../../onnx/onnx-builder';
import type { GraphBuilder, NodeSpec } from '../../onnx/onnx-builder';
import type { ResBlockPlan, VqGetWeight, VqNetPlan } from './vq-weight-names';

/**
 * Test seam: deliberate deviations from LlamaGen, so the tests can prove they would notice them.
 * Never set outside tests.
 */
export interface VqAblation {
  /** Downsample padding [top, left, bottom, right]; LlamaGen's is [0, 0, 1, 1]. */
  downsamplePads?: readonly [number, number, number, number];
  /** Use the codebook as stored instead of l2-normalised. */
  rawCodebook?: boolean;
}

export interface VqNormConfig {
  groups: number;
  eps: number;
}

export class VqGraphOps {
  private readonly constants = new Map<string, string>();

  constructor(
    readonly g: GraphBuilder,
    private readonly getWeight: VqGetWeight,
    private readonly norm: VqNormConfig,
    readonly ablation: VqAblation = {},
  ) {}

  /** A fresh intermediate tensor name. */
  tmp(base: string): string {
    return this.g.uniqueName(base);
  }

  /** Adds one node with a single (fresh) output and returns the output's name. */
  op(opType: string, inputs: readonly string[], base: string, attributes?: NodeSpec['attributes']): string {
    const out = this.tmp(base);
    this.g.addNode({ opType, inputs, outputs: [out], name: out, attributes });
    return out;
  }

  /** A weight of the checkpoint as an initializer, under its state-dict name. */
  weight(name: string, dims: readonly number[]): string {
    return this.g.addInitializer(float32Tensor(name, dims, this.getWeight(name)));
  }

  /** A shared int64 constant (reshape targets). */
  int64Const(key: string, values: readonly number[]): string {
    let name = this.constants.get(key);
    if (!name) {
      name = this.g.addInitializer(int64Tensor(key, [values.length], values));
      this.constants.set(key, name);
    }
    return name;
  }

  private float32Const(key: string, dims: readonly number[], values: Float32Array): string {
    let name = this.constants.get(key);
    if (!name) {
      name = this.g.addInitializer(float32Tensor(key, dims, values));
      this.constants.set(key, name);
    }
    return name;
  }

  /** nn.Conv2d with bias: (1, inC, H, W) -> (1, outC, H', W'). pads = [top, left, bottom, right]. */
  conv(x: string, name: string, outC: number, inC: number, k: number, opts: { stride?: number; pads?: readonly number[] } = {}): string {
    const half = (k - 1) / 2; // 'same' padding for the 3x3 (padding=1) and 1x1 (padding=0) convs
    const w = this.weight(`${name}.weight`, [outC, inC, k, k]);
    const b = this.weight(`${name}.bias`, [outC]);
    const stride = opts.stride ?? 1;
    return this.op('Conv', [x, w, b], name, {
      kernel_shape: attr.ints([k, k]),
      strides: attr.ints([stride, stride]),
      pads: attr.ints(opts.pads ?? [half, half, half, half]),
    });
  }

  /**
   * nn.GroupNorm(groups, C, eps, affine): opset 17 has no GroupNormalization for every provider, so
   * (1, C, H, W) -> Reshape (1, G, C/G*H*W) -> InstanceNormalization (per-group mean and biased
   * variance, eps inside the sqrt, as torch) -> Reshape back -> per-channel gamma, beta.
   */
  groupNorm(x: string, name: string, channels: number): string {
    const { groups, eps } = this.norm;
    if (channels % groups !== 0) throw new Error(`VQ: ${channels} channels do not split into ${groups} groups`);
    const grouped = this.op('Reshape', [x, this.int64Const(`gn_shape_${groups}`, [0, groups, -1])], `${name}/grouped`); // (1, G, C/G*H*W)
    const ones = this.float32Const(`gn_ones_${groups}`, [groups], new Float32Array(groups).fill(1));
    const zeros = this.float32Const(`gn_zeros_${groups}`, [groups], new Float32Array(groups));
    const normed = this.op('InstanceNormalization', [grouped, ones, zeros], `${name}/normed`, { epsilon: attr.float(eps) });
    const shape = this.op('Shape', [x], `${name}/shape`); // (4,) = [1, C, H, W]
    const back = this.op('Reshape', [normed, shape], `${name}/ungrouped`); // (1, C, H, W)
    const gamma = this.weight(`${name}.weight`, [channels, 1, 1]); // broadcasts over (1, C, H, W)
    const beta = this.weight(`${name}.bias`, [channels, 1, 1]);
    return this.op('Add', [this.op('Mul', [back, gamma], `${name}/scaled`), beta], name);
  }

  /** swish(x) = x * sigmoid(x) (LlamaGen's `nonlinearity`). */
  swish(x: string): string {
    return this.op('Mul', [x, this.op('Sigmoid', [x], `${x}/sigmoid`)], `${x}/swish`);
  }

  /** ResnetBlock: x + conv2(swish(norm2(conv1(swish(norm1(x)))))), 1x1 nin_shortcut when C changes. */
  resBlock(x: string, b: ResBlockPlan): string {
    const p = b.prefix;
    let h = this.swish(this.groupNorm(x, `${p}.norm1`, b.inChannels)); // (1, inC, H, W)
    h = this.conv(h, `${p}.conv1`, b.outChannels, b.inChannels, 3); // (1, outC, H, W)
    h = this.swish(this.groupNorm(h, `${p}.norm2`, b.outChannels));
    h = this.conv(h, `${p}.conv2`, b.outChannels, b.outChannels, 3); // dropout is identity at inference
    const skip = b.inChannels === b.outChannels ? x : this.conv(x, `${p}.nin_shortcut`, b.outChannels, b.inChannels, 1);
    return this.op('Add', [skip, h], `${p}/out`);
  }

  /**
   * AttnBlock: single-head self-attention over the H*W positions, q/k/v/proj_out are 1x1 convs
   * (with bias), scores scaled by C^-0.5 (LlamaGen `w_ * (int(c)**(-0.5))`), softmax over keys.
   */
  attnBlock(x: string, p: string, c: number): string {
    const h = this.groupNorm(x, `${p}.norm`, c); // (1, C, H, W)
    const flat = this.int64Const(`attn_flat_${c}`, [0, c, -1]);
    const q = this.op('Reshape', [this.conv(h, `${p}.q`, c, c, 1), flat], `${p}/q_flat`); // (1, C, HW)
    const k = this.op('Reshape', [this.conv(h, `${p}.k`, c, c, 1), flat], `${p}/k_flat`); // (1, C, HW)
    const v = this.op('Reshape', [this.conv(h, `${p}.v`, c, c, 1), flat], `${p}/v_flat`); // (1, C, HW)
    const scale = this.float32Const(`attn_scale_${c}`, [], Float32Array.of(c ** -0.5));
    // Scaling q (HW*C values) instead of the scores (HW*HW) is the same product, far cheaper.
    const qT = this.op('Transpose', [this.op('Mul', [q, scale], `${p}/q_scaled`)], `${p}/qT`, { perm: attr.ints([0, 2, 1]) }); // (1, HW, C)
    const scores = this.op('MatMul', [qT, k], `${p}/scores`); // (1, HW_q, HW_k)
    const weights = this.op('Softmax', [scores], `${p}/weights`, { axis: attr.int(-1) });
    const vT = this.op('Transpose', [v], `${p}/vT`, { perm: attr.ints([0, 2, 1]) }); // (1, HW_k, C)
    const attended = this.op('MatMul', [weights, vT], `${p}/attended`); // (1, HW_q, C)
    const chw = this.op('Transpose', [attended], `${p}/attended_chw`, { perm: attr.ints([0, 2, 1]) }); // (1, C, HW)
    const back = this.op('Reshape', [chw, this.op('Shape', [x], `${p}/shape`)], `${p}/attended_4d`); // (1, C, H, W)
    return this.op('Add', [x, this.conv(back, `${p}.proj_out`, c, c, 1)], `${p}/out`);
  }

  /**
   * Downsample.forward (with_conv=True): F.pad(x, (0, 1, 0, 1)) (W right and H bottom by one zero) then a 3x3 stride-2 conv
   * with padding 0; Conv's own asymmetric pads [top 0, left 0, bottom 1, right 1] are the same
   * zeros. (1, C, H, W) -> (1, C, H/2, W/2).
   */
  downsample(x: string, name: string, c: number): string {
    return this.conv(x, name, c, c, 3, { stride: 2, pads: this.ablation.downsamplePads ?? [0, 0, 1, 1] });
  }

  /** Upsample.forward: F.interpolate(scale_factor=2.0, mode="nearest") = src index floor(dst / 2), then a 3x3 conv (padding 1). */
  upsample(x: string, name: string, c: number): string {
    const scales = this.float32Const('up_scales', [4], Float32Array.of(1, 1, 2, 2));
    const up = this.op('Resize', [x, '', scales], `${name}/nearest`, {
      mode: attr.string('nearest'),
      coordinate_transformation_mode: attr.string('asymmetric'),
      nearest_mode: attr.string('floor'),
    }); // (1, C, 2H, 2W)
    return this.conv(up, name, c, c, 3);
  }

  /** One level: res blocks (each followed by its AttnBlock where the level has them), then the resampler. */
  level(x: string, level: VqNetPlan['levels'][number], resample: 'down' | 'up'): string {
    let h = x;
    level.res.forEach((b, j) => {
      h = this.resBlock(h, b);
      if (level.attn.length) h = this.attnBlock(h, level.attn[j], b.outChannels);
    });
    if (level.resampleConv) {
      h = resample === 'down' ? this.downsample(h, level.resampleConv, level.channels) : this.upsample(h, level.resampleConv, level.channels);
    }
    return h;
  }

  /** mid = [ResnetBlock, AttnBlock, ResnetBlock]. */
  mid(x: string, mid: VqNetPlan['mid']): string {
    return this.resBlock(this.attnBlock(this.resBlock(x, mid.res0), mid.attn, mid.channels), mid.res1);
  }

  /** norm_out -> swish -> conv_out. */
  head(x: string, plan: VqNetPlan): string {
    const h = this.swish(this.groupNorm(x, plan.normOut, plan.convOut.inChannels));
    return this.conv(h, plan.convOut.name, plan.convOut.outChannels, plan.convOut.inChannels, 3);
  }

  /**
   * The codebook (N, D) as used for both lookup and decoding: rows l2-normalised as torch's
   * F.normalize(p=2, dim=-1) (x / max(||x||, 1e-12)), computed here once in float64.
   */
  codebook(name: string, size: number, dim: number): Float32Array {
    const raw = this.getWeight(name);
    if (this.ablation.rawCodebook) return raw;
    return l2NormalizeRows(raw, size, dim);
  }
}

/** Rows of an (n, d) matrix divided by max(l2 norm, 1e-12) (torch F.normalize). */
export function l2NormalizeRows(data: Float32Array, n: number, d: number): Float32Array {
  const out = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let j = 0; j < d; j++) sum += data[i * d + j] ** 2;
    const inv = 1 / Math.max(Math.sqrt(sum), 1e-12);
    for (let j = 0; j < d; j++) out[i * d + j] = data[i * d + j] * inv;
  }
  return out;
}
