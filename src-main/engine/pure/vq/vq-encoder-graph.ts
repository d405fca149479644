// The LlamaGen VQ-8 encoder + quantizer as an ONNX graph: image in [-1, 1] -> codebook indices.
// Layout and names: vq-weight-names.ts; blocks: vq-graph-ops.ts. Pure TypeScript: no Node built-ins.
//
// Graph I/O:
//   input  `image`  float32 (1, 3, H, W), values in [-1, 1]; H, W multiples of 8 (512 for PURE)
//   output `codes`  int64   (1, H/8 * W/8), row-major over the (H/8, W/8) grid
//   output `latent` float32 (1, D, H/8, W/8), quant_conv's output before normalisation (optional)

import { DEFAULT_OPSET, GraphBuilder, attr, encodeModel, float32Tensor } from '../../onnx/onnx-builder';
import type { VqConfig } from '../config';
import { VqGraphOps } from './vq-graph-ops';
import type { VqAblation } from './vq-graph-ops';
import { VQ_NAMES, checkedGetWeight, encoderPlan } from './vq-weight-names';
import type { VqGetWeight } from './vq-weight-names';

export interface VqEncoderGraphOptions {
  /** Also output `latent` (for debugging and tests). */
  exposeLatent?: boolean;
  /** Test seam only (see VqAblation). */
  ablation?: VqAblation;
}

export function buildVqEncoderGraph(config: VqConfig, getWeight: VqGetWeight, options: VqEncoderGraphOptions = {}): Uint8Array {
  const g = new GraphBuilder('llamagen_vq_encoder');
  const ops = new VqGraphOps(g, checkedGetWeight(config, getWeight), { groups: config.groupNormGroups, eps: config.groupNormEps }, options.ablation);
  const plan = encoderPlan(config);
  const image = g.addInput({ name: 'image', elementType: 'float32', shape: [1, 3, 'height', 'width'] });

  // Encoder.forward: conv_in, levels (res [+ attn], downsample), mid, norm_out, swish, conv_out.
  let h = ops.conv(image, plan.convIn.name, plan.convIn.outChannels, 3, 3); // (1, ch, H, W)
  for (const level of plan.levels) h = ops.level(h, level, 'down'); // ... -> (1, ch*mult[-1], H/8, W/8)
  h = ops.mid(h, plan.mid);
  h = ops.head(h, plan); // (1, z_channels, H/8, W/8)

  const D = config.codebookDim;
  const N = config.codebookSize;
  g.claim('latent');
  g.addNode({ opType: 'Conv', inputs: [h, ops.weight(`${VQ_NAMES.quantConv}.weight`, [D, config.zChannels, 1, 1]), ops.weight(`${VQ_NAMES.quantConv}.bias`, [D])], outputs: ['latent'], name: VQ_NAMES.quantConv, attributes: { kernel_shape: attr.ints([1, 1]) } }); // (1, D, h, w)

  // VectorQuantizer.forward with l2_norm=True: argmin_n ||z/|z| - e_n/|e_n|||^2 = argmax_n z.e_n/|e_n|
  // (both unit vectors: the distance is 2 - 2 cos). Dividing z by its positive norm cannot change
  // the argmax, so z is left unnormalised; a zero z scores 0 everywhere -> index 0 in both forms.
  // ArgMax keeps the first maximum, as torch.argmin keeps the first minimum.
  const zT = ops.op('Transpose', ['latent'], 'z_hwc', { perm: attr.ints([0, 2, 3, 1]) }); // (1, h, w, D)
  const z = ops.op('Reshape', [zT, ops.int64Const('z_rows', [0, -1, D])], 'z_rows'); // (1, h*w, D)
  const codebook = ops.codebook(VQ_NAMES.codebook, N, D); // (N, D), rows unit length
  const codebookT = g.addInitializer(float32Tensor('codebook_normalized_t', [D, N], transpose(codebook, N, D))); // (D, N)
  // (1, h*w, N): 4096 x 16384 fp32 = 256 MiB at 512 px, held only for the ArgMax.
  const similarity = ops.op('MatMul', [z, codebookT], 'similarity');
  g.claim('codes');
  g.addNode({ opType: 'ArgMax', inputs: [similarity], outputs: ['codes'], name: 'codes', attributes: { axis: attr.int(-1), keepdims: attr.int(0) } }); // (1, h*w) int64

  g.addOutput({ name: 'codes', elementType: 'int64', shape: [1, 'tokens'] });
  if (options.exposeLatent) g.addOutput({ name: 'latent', elementType: 'float32', shape: [1, D, 'grid_height', 'grid_width'] });
  return encodeModel({
    graph: g,
    producerName: 'pure-studio',
    docString: 'LlamaGen VQ-8 encoder + l2-normalised nearest-codebook quantizer',
    opsetImports: [{ domain: '', version: DEFAULT_OPSET }],
  });
}

/** (rows, cols) -> (cols, rows). */
function transpose(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
  return out;
}
