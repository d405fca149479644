// Seeded random weights for decoder TEST MODELS (tests and the perf probe only): they have the
// real names and shapes, and restore nothing.
// Pure TypeScript: no Node built-ins.
//
// Scales: linear weights N(0, 1/fan_in) and embeddings N(0, 1), so that every block moves the
// residual stream and the logits are O(1); with N(0, 0.02) everywhere a tiny model's logits are
// ~0.1 and a 1e-4 tolerance would be loose relative to the signal. Norm weights 1 + N(0, 0.1),
// QK-norm biases N(0, 0.1): nothing is an identity that would hide a missing op.

import { seededNormal } from '../../../testing/seeded-normal';
import type { DecoderConfig } from '../config';
import { decoderTensorSpecs } from './decoder-weight-names';
import type { GetWeight } from './decoder-weight-names';

/** How the QK-norm parameters are stored: HF (heads, hd), Lumina-mGPT (1, hd), bare (hd), or (rows, hd). */
export type QkNormLayout = 'per-head' | 'shared' | 'bare' | { rows: number };

export interface TestWeightOptions {
  seed?: number;
  qkNormLayout?: QkNormLayout;
}

/** Every decoder weight of `c`, by HF name. */
export function makeTestWeights(c: DecoderConfig, options: TestWeightOptions = {}): Map<string, Float32Array> {
  const normal = seededNormal(options.seed ?? 1234);
  const layout = options.qkNormLayout ?? 'per-head';
  const weights = new Map<string, Float32Array>();
  for (const spec of decoderTensorSpecs(c)) {
    const { name, shape } = spec;
    const fill = (count: number, f: () => number) => Float32Array.from({ length: count }, f);
    if (/_norm\.(weight|bias)$/.test(name) && shape.length === 2) {
      const rows = layout === 'per-head' ? shape[0] : layout === 'shared' || layout === 'bare' ? 1 : layout.rows;
      const isBias = name.endsWith('.bias');
      weights.set(name, fill(rows * c.headDim, () => (isBias ? 0 : 1) + 0.1 * normal()));
    } else if (shape.length === 1) {
      weights.set(name, fill(shape[0], () => 1 + 0.1 * normal())); // RMSNorm weights
    } else if (name.endsWith('embed_tokens.weight')) {
      weights.set(name, fill(shape[0] * shape[1], normal));
    } else {
      const std = 1 / Math.sqrt(shape[1]);
      weights.set(name, fill(shape[0] * shape[1], () => std * normal()));
    }
  }
  return weights;
}

/** A getWeight over a map that fails loudly on unknown names. */
export function weightGetter(weights: ReadonlyMap<string, Float32Array>): GetWeight {
  return (name) => {
    const w = weights.get(name);
    if (!w) throw new Error(`no weight named '${name}'`);
    return w;
  };
}
