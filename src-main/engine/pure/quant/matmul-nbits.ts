// A torch Linear as one com.microsoft MatMulNBits node with 4-bit block-quantised weights: the
// quantised tensors go through the weight sink (external data for big models), the node
// replaces MatMul(x, W^T). Graphs that use it must import the 'com.microsoft' opset (version 1).
// Pure TypeScript: no Node built-ins.

import type { GraphOps } from '../decoder/graph-ops';
import type { WeightSink } from '../decoder/weight-sink';
import { toFloat16Bits } from '../decoder/weight-prep';
import { quantizeInt4 } from './int4-blockwise';
import type { Int4Options, Int4Weight } from './int4-blockwise';

export const MS_DOMAIN = 'com.microsoft';
export const MS_OPSET = { domain: MS_DOMAIN, version: 1 } as const;

/**
 * x (..., K) in the compute type (float32, or float16 when options.scaleType is 'float16') times
 * w (N, K), a torch Linear weight, -> (..., N). The tensors are named after the weight:
 * `<name>.q4` (N, k_blocks, block / 2) uint8, `<name>.scales` (N, k_blocks),
 * `<name>.zero_points` (N, ceil(k_blocks / 2)) uint8 for the asymmetric scheme.
 */
export function matMulNBits(ops: GraphOps, sink: WeightSink, x: string, weightName: string, w: Float32Array | (() => Float32Array), n: number, k: number, options: Int4Options, hint: string): string {
  // The shapes follow from the options alone, so a replaying sink (a twin graph) neither reads
  // the weight nor quantises it: `w` may be a function, called at most once.
  const kBlocks = Math.ceil(k / options.blockSize);
  let q: Int4Weight | undefined;
  const quantised = (): Int4Weight => (q ??= quantizeInt4(typeof w === 'function' ? w() : w, n, k, options));
  const inputs = [
    sink.addPrepared(`${weightName}.q4`, [n, kBlocks, options.blockSize / 2], 'uint8', () => quantised().packed),
    options.scaleType === 'float16'
      ? sink.addPrepared(`${weightName}.scales`, [n, kBlocks], 'float16', () => toFloat16Bits(quantised().scales))
      : sink.addPrepared(`${weightName}.scales`, [n, kBlocks], 'float32', () => quantised().scales),
  ];
  if (options.scheme === 'asymmetric') inputs.push(sink.addPrepared(`${weightName}.zero_points`, [n, Math.ceil(kBlocks / 2)], 'uint8', () => quantised().zeroPoints!));
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
    attributes: { K: int(k), N: int(n), bits: int(4), block_size: int(options.blockSize), ...(options.accuracyLevel ? { accuracy_level: int(options.accuracyLevel) } : {}) },
  });
  return out;
}
