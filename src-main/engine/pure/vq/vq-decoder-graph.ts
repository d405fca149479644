// The LlamaGen VQ-8 decoder as an ONNX graph: codebook indices -> image (raw, roughly [-1, 1]).
// Layout and names: vq-weight-names.ts; blocks: vq-graph-ops.ts. Pure TypeScript: no Node built-ins.
//
// Graph I/O:
//   input  `codes` int64   (1, h, w), indices in [0, codebookSize); h = w = 64 for PURE at 512 px
//   output `image` float32 (1, 3, 8h, 8w), the decoder's raw output (vqOutputToRgb8 clamps/quantises)

import { DEFAULT_OPSET, GraphBuilder, attr, encodeModel, float32Tensor } from '../../onnx/onnx-builder';
import type { VqConfig } from '../config';
import { VqGraphOps } from './vq-graph-ops';
import type { VqAblation } from './vq-graph-ops';
import { VQ_NAMES, checkedGetWeight, decoderPlan } from './vq-weight-names';
import type { VqGetWeight } from './vq-weight-names';

export interface VqDecoderGraphOptions {
  /** Test seam only (see VqAblation). */
  ablation?: VqAblation;
}

export function buildVqDecoderGraph(config: VqConfig, getWeight: VqGetWeight, options: VqDecoderGraphOptions = {}): Uint8Array {
  const g = new GraphBuilder('llamagen_vq_decoder');
  const ops = new VqGraphOps(g, checkedGetWeight(config, getWeight), { groups: config.groupNormGroups, eps: config.groupNormEps }, options.ablation);
  const plan = decoderPlan(config);
  const D = config.codebookDim;
  const codes = g.addInput({ name: 'codes', elementType: 'int64', shape: [1, 'grid_height', 'grid_width'] });

  // VectorQuantizer.get_codebook_entry with l2_norm=True: rows of F.normalize(embedding.weight),
  // laid out (b, h, w, c) then permuted to (b, c, h, w) (pure/data/item_processor.py passes shape
  // (1, h, w, dim) with channel_first=True).
  const codebook = g.addInitializer(float32Tensor('codebook_normalized', [config.codebookSize, D], ops.codebook(VQ_NAMES.codebook, config.codebookSize, D))); // (N, D)
  const zq = ops.op('Gather', [codebook, codes], 'z_q_hwc', { axis: attr.int(0) }); // (1, h, w, D)
  const quant = ops.op('Transpose', [zq], 'z_q', { perm: attr.ints([0, 3, 1, 2]) }); // (1, D, h, w)

  // VQModel.decode: post_quant_conv, then Decoder.forward: conv_in, mid, levels (res [+ attn], upsample), head.
  let h = ops.conv(quant, VQ_NAMES.postQuantConv, config.zChannels, D, 1); // (1, z_channels, h, w)
  h = ops.conv(h, plan.convIn.name, plan.convIn.outChannels, plan.convIn.inChannels, 3); // (1, ch*mult[-1], h, w)
  h = ops.mid(h, plan.mid);
  for (const level of plan.levels) h = ops.level(h, level, 'up'); // ... -> (1, ch*mult[0], 8h, 8w)
  h = ops.head(h, plan); // (1, 3, 8h, 8w)

  g.claim('image');
  g.addNode({ opType: 'Identity', inputs: [h], outputs: ['image'], name: 'image' });
  g.addOutput({ name: 'image', elementType: 'float32', shape: [1, 3, 'height', 'width'] });
  return encodeModel({
    graph: g,
    producerName: 'pure-studio',
    docString: 'LlamaGen VQ-8 decoder from l2-normalised codebook entries',
    opsetImports: [{ domain: '', version: DEFAULT_OPSET }],
  });
}
