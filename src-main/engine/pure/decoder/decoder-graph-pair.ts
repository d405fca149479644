// Both decoder graphs of a package over ONE copy of the weights: the static-cache graph (the
// host runner's, best on the CPU) writes the external data file, then the concat-cache graph
// (the GPU runner's: present.* stay on the device) is built with a replaying sink that points
// at the same file and offsets. The graphs differ only in attention and cache I/O.
import type { DecoderConfig } from '../config';
import { decoderGraphSteps } from './decoder-graph';
import { runSteps, runStepsYielding } from './build-steps';
import type { BuildSteps } from './build-steps';
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
type PairOptions = Omit<DecoderGraphOptions, 'cache' | 'replayWeights'>;

export function buildDecoderGraphPair(config: DecoderConfig, getWeight: GetWeight, options: PairOptions, withSplit = false): DecoderGraphPair {
  return runSteps(decoderGraphPairSteps(config, getWeight, options, withSplit));
}

/** The converter's build: the event loop gets a turn after each weight, and `signal` stops it there. */
export function buildDecoderGraphPairYielding(config: DecoderConfig, getWeight: GetWeight, options: PairOptions, signal?: AbortSignal): Promise<DecoderGraphPair> {
  return runStepsYielding(decoderGraphPairSteps(config, getWeight, options, false), signal);
}

function* decoderGraphPairSteps(config: DecoderConfig, getWeight: GetWeight, options: PairOptions, withSplit: boolean): BuildSteps<DecoderGraphPair> {
  const lengths = new Map<string, number>();
  const recordingGet: GetWeight = (name) => {
    const w = getWeight(name);
    lengths.set(name, w.length);
    return w;
  };
  const first = yield* decoderGraphSteps(config, recordingGet, { ...options, cache: 'static' });
  const placeholder: GetWeight = (name) => {
    const n = lengths.get(name);
    if (n === undefined) throw new Error(`the concat graph asks for weight '${name}', which the static graph never read`);
    return new Float32Array(n);
  };
  const twin = (cache: 'concat' | 'split') => decoderGraphSteps(config, placeholder, { dtype: options.dtype, ...(options.int4 ? { int4: options.int4 } : {}), cache, replayWeights: first.weights });
  const concat = yield* twin('concat');
  return { static: first, concat, ...(withSplit && { split: yield* twin('split') }) };
}
