// TEST MODEL decoders for the PURE benches: the real decoder graph at a small size with seeded
// random weights (they restore nothing). The graph is written with external data to a temp dir
// and loaded by path, the way a converted package is; each weight is made when the builder asks
// for it, so a mid-size model is never held in JS memory as a whole.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PURE_TINY_TEST } from '../src-main/engine/pure/config';
import type { DecoderConfig } from '../src-main/engine/pure/config';
import { buildDecoderGraph } from '../src-main/engine/pure/decoder/decoder-graph';
import type { DecoderCacheKind, DecoderDtype } from '../src-main/engine/pure/decoder/decoder-graph';
import { DecoderSession } from '../src-main/engine/pure/decoder/decoder-session';
import { makeTestWeights, weightGetter } from '../src-main/engine/pure/decoder/decoder-test-weights';
import { decoderTensorSpecs } from '../src-main/engine/pure/decoder/decoder-weight-names';
import type { GetWeight } from '../src-main/engine/pure/decoder/decoder-weight-names';
import { seededNormal } from '../src-main/testing/seeded-normal';

export interface BenchDecoder {
  label: string;
  config: DecoderConfig;
  session: DecoderSession;
  close(): Promise<void>;
}

/** Between the tiny test model and 7B (hidden 4096, 32 layers), with the real 73728 vocabulary. */
export const MID_TEST: DecoderConfig = { ...PURE_TINY_TEST.decoder, hiddenSize: 512, numLayers: 8, numHeads: 8, numKvHeads: 8, headDim: 64, intermediateSize: 1408 };

export const TEST_DECODERS = {
  tiny: { label: 'TEST MODEL PURE_TINY_TEST (hidden 64, 2 layers, random weights)', config: PURE_TINY_TEST.decoder },
  mid: { label: 'TEST MODEL mid-size (hidden 512, 8 layers, random weights)', config: MID_TEST },
} as const;

/** Weights scaled like decoder-test-weights (linear N(0, 1/fan_in), norms 1 + N(0, 0.1)), made on request. */
function lazyTestWeights(c: DecoderConfig): GetWeight {
  const shapes = new Map(decoderTensorSpecs(c).map((s) => [s.name, s.shape]));
  return (name) => {
    const shape = shapes.get(name);
    if (!shape) throw new Error(`unknown weight ${name}`);
    let seed = 17;
    for (const ch of name) seed = Math.imul(seed ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    const normal = seededNormal(seed);
    const count = shape.reduce((a, b) => a * b, 1);
    if (name.endsWith('embed_tokens.weight')) return Float32Array.from({ length: count }, normal);
    if (shape.length === 1 || name.includes('_norm.')) {
      const base = name.endsWith('.bias') ? 0 : 1;
      return Float32Array.from({ length: count }, () => base + 0.1 * normal());
    }
    const std = 1 / Math.sqrt(shape[1]);
    return Float32Array.from({ length: count }, () => std * normal());
  };
}

export async function openBenchDecoder(which: keyof typeof TEST_DECODERS, threads: number, dtype: DecoderDtype = 'fp32', cache: DecoderCacheKind = 'concat'): Promise<BenchDecoder> {
  const { label, config } = TEST_DECODERS[which];
  const dir = mkdtempSync(join(tmpdir(), 'pure-bench-decoder-'));
  try {
    // The tiny model uses exactly the unit tests' weights; the mid-size one lazy ones of the same scales.
    const getWeight = which === 'tiny' ? weightGetter(makeTestWeights(config)) : lazyTestWeights(config);
    const built = buildDecoderGraph(config, getWeight, { dtype, cache, externalDataPath: join(dir, 'decoder.onnx.data') });
    const path = join(dir, 'decoder.onnx');
    writeFileSync(path, built.model);
    const options = { graphOptimizationLevel: 'all' as const, intraOpNumThreads: threads, interOpNumThreads: 1 };
    const session = await DecoderSession.create(path, config, dtype, options);
    return {
      label,
      config,
      session,
      close: async () => {
        await session.release();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
