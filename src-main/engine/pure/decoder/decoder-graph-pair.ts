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

type PairOptions = Omit<DecoderGraphOptions, 'cache' | 'replayWeights'>;

/**
 * Reads and prepares each checkpoint weight once: the twin's replaying sink takes every
 * initializer (name, type, shape checked) from the first build's record and never asks for
 * values, so the second graph costs no reads, no transposes, no fp16 or int4 work (it used to
 * redo them on zero-filled placeholders: 3-4 silent minutes at 7B).
 */
export function buildDecoderGraphPair(config: DecoderConfig, getWeight: GetWeight, options: PairOptions, withSplit = false): DecoderGraphPair {
  return runSteps(decoderGraphPairSteps(config, getWeight, options, withSplit));
}

/** The converter's build: the event loop gets a turn after each weight, and `signal` stops it there. */
export function buildDecoderGraphPairYielding(config: DecoderConfig, getWeight: GetWeight, options: PairOptions, signal?: AbortSignal): Promise<DecoderGraphPair> {
  return runStepsYielding(decoderGraphPairSteps(config, getWeight, options, false), signal);
}

function* decoderGraphPairSteps(config: DecoderConfig, getWeight: GetWeight, options: PairOptions, withSplit: boolean): BuildSteps<DecoderGraphPair> {
  const first = yield* decoderGraphSteps(config, getWeight, { ...options, cache: 'static' });
  const noReads: GetWeight = (name) => {
    throw new Error(`the twin graph asked for the values of weight '${name}': a replaying build takes them from the record`);
  };
  const twin = (cache: 'concat' | 'split') => decoderGraphSteps(config, noReads, { dtype: options.dtype, ...(options.int4 ? { int4: options.int4 } : {}), cache, replayWeights: first.weights });
  const concat = yield* twin('concat');
  return { static: first, concat, ...(withSplit && { split: yield* twin('split') }) };
}
