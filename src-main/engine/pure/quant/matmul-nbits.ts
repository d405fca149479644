// A torch Linear as one com.microsoft MatMulNBits node with 4-bit block-quantised weights: the
// quantised tensors go through the weight sink (external data for big models), the node
// replaces MatMul(x, W^T). Graphs that use it must import the 'com.microsoft' opset (version 1).
// Pure TypeScript: no Node built-ins.

import type { GraphOps } from '../decoder/graph-ops';
import type { WeightSink } from '../decoder/weight-sink';
import { toFloat16Bits } from '../decoder/weight-prep';
import { quantizeInt4 } from './int4-blockwise';
import type { Int4Options } from './int4-blockwise';

export const MS_DOMAIN = 'com.microsoft';
export const MS_OPSET = { domain: MS_DOMAIN, version: 1 } as const;

/**
 * x (..., K) in the compute type (float32, or float16 when options.scaleType is 'float16') times
 * w (N, K), a torch Linear weight, -> (..., N). The tensors are named after the weight:
 * `<name>.q4` (N, k_blocks, block / 2) uint8, `<name>.scales` (N, k_blocks),
 * `<name>.zero_points` (N, ceil(k_blocks / 2)) uint8 for the asymmetric scheme.
 */
export function matMulNBits(ops: GraphOps, sink: WeightSink, x: string, weightName: string, w: Float32Array, n: number, k: number, options: Int4Options, hint: string): string {
  const q = quantizeInt4(w, n, k, options);
  const inputs = [
    sink.add(`${weightName}.q4`, [n, q.kBlocks, q.blockSize / 2], { type: 'uint8', data: q.packed }),
    sink.add(`${weightName}.scales`, [n, q.kBlocks], options.scaleType === 'float16' ? { type: 'float16', data: toFloat16Bits(q.scales) } : { type: 'float32', data: q.scales }),
  ];
  if (q.zeroPoints) inputs.push(sink.add(`${weightName}.zero_points`, [n, Math.ceil(q.kBlocks / 2)], { type: 'uint8', data: q.zeroPoints }));
  const out = ops.g.uniqueName(hint);
  const int = (value: number) => ({ type: 'int', value }) as const;
  ops.g.addNode({
    opType: 'MatMulNBits',
    domain: MS_DOMAIN,
    inputs: [x, ...inputs],
    outputs: [out],
    name: `MatMulNBits:${out}`,
    // accuracy_level unset (0): A is used as given, so the only error is the weights'. 4: the CPU
    // quantises A to int8 per block and uses integer dot products (VNNI), adding A's error.
    attributes: { K: int(k), N: int(n), bits: int(4), block_size: int(q.blockSize), ...(options.accuracyLevel ? { accuracy_level: int(options.accuracyLevel) } : {}) },
  });
  return out;
}
