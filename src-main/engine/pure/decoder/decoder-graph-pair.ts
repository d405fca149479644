// Both decoder graphs of a package over ONE copy of the weights: the static-cache graph (the
// host runner's, best on the CPU) writes the external data file, then the concat-cache graph
// (the GPU runner's: present.* stay on the device) is built with a replaying sink that points
// at the same file and offsets. The graphs differ only in attention and cache I/O.
import type { DecoderConfig } from '../config';
import { buildDecoderGraph } from './decoder-graph';
import type { DecoderGraph, DecoderGraphOptions } from './decoder-graph';
import type { GetWeight } from './decoder-weight-names';

export interface DecoderGraphPair {
  static: DecoderGraph;
  concat: DecoderGraph;
  /** With `withSplit`: the two-level cache graph over the same weights (measured by bench:pure, not in packages yet). */
  split?: DecoderGraph;
}

/**
 * Reads each checkpoint weight once. The second build still runs the weight preparation
 * (transpose, fp16, int4) on zeros of each weight's length: its bytes are thrown away (the
 * replaying sink keeps the first build's), but the graph code needs arrays to shape them.
 */
export function buildDecoderGraphPair(config: DecoderConfig, getWeight: GetWeight, options: Omit<DecoderGraphOptions, 'cache' | 'replayWeights'>, withSplit = false): DecoderGraphPair {
  const lengths = new Map<string, number>();
  const recordingGet: GetWeight = (name) => {
    const w = getWeight(name);
    lengths.set(name, w.length);
    return w;
  };
  const first = buildDecoderGraph(config, recordingGet, { ...options, cache: 'static' });
  const placeholder: GetWeight = (name) => {
    const n = lengths.get(name);
    if (n === undefined) throw new Error(`the concat graph asks for weight '${name}', which the static graph never read`);
    return new Float32Array(n);
  };
  const twin = (cache: 'concat' | 'split') => buildDecoderGraph(config, placeholder, { dtype: options.dtype, ...(options.int4 ? { int4: options.int4 } : {}), cache, replayWeights: first.weights });
  return { static: first, concat: twin('concat'), ...(withSplit && { split: twin('split') }) };
}
