// Test-only: seeded random weights for a VQ config (PURE_TINY_TEST.vq in the tests), shaped by the
// LlamaGen layout. They are NOT a tokenizer: they only make every layer do something measurable.
// Scaled so activations stay O(1): conv weights N(0, 1/fan_in), biases N(0, 0.1^2), GroupNorm
// gamma ~ 1 + N(0, 0.1^2), beta ~ N(0, 0.1^2), codebook N(0, 1) (so row norms differ, and a
// missing l2-normalisation changes the nearest entries).
import { seededNormal } from '../../../testing/seeded-normal';
import type { VqConfig } from '../config';
import { vqWeightSpecs } from './vq-weight-names';
import type { VqGetWeight } from './vq-weight-names';

export interface RandomVqWeights {
  getWeight: VqGetWeight;
  /** Names read so far (to check which tensors a consumer asked for). */
  requested: Set<string>;
  parameterCount: number;
}

export function randomVqWeights(config: VqConfig, seed: number): RandomVqWeights {
  const normal = seededNormal(seed);
  const weights = new Map<string, Float32Array>();
  let parameterCount = 0;
  for (const { name, shape } of vqWeightSpecs(config)) {
    const count = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(count);
    const isNorm = /\.norm(\d|_out)?\.weight$/.test(name);
    const isBias = name.endsWith('.bias');
    const fanIn = shape.length === 4 ? shape[1] * shape[2] * shape[3] : 1;
    for (let i = 0; i < count; i++) {
      const r = normal();
      if (name === 'quantize.embedding.weight') data[i] = r;
      else if (isNorm) data[i] = 1 + 0.1 * r;
      else if (isBias) data[i] = 0.1 * r;
      else data[i] = r / Math.sqrt(fanIn);
    }
    weights.set(name, data);
    parameterCount += count;
  }
  const requested = new Set<string>();
  const getWeight = (name: string): Float32Array => {
    const data = weights.get(name);
    if (!data) throw new Error(`test weights: no tensor '${name}'`);
    requested.add(name);
    return data;
  };
  return { getWeight, requested, parameterCount };
}
