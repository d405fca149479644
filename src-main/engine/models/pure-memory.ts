// PURE's memory need for one restoration with a given package, on the CPU and on a graphics card:
// the engine's own preflight estimate (pure/preflight/memory-estimate.ts) for the package's
// config, dtype and cache design, the same figure a restore checks before it loads.
import { estimateFor } from '../pure/preflight/check-memory';
import { estimateMemory } from '../pure/preflight/memory-estimate';
import type { PureManifest } from '../pure/package/pure-manifest';

export interface PureMemory {
  /** Running on the CPU, as onnxruntime holds the weights there. */
  ramBytes: number;
  /** Running on a graphics card. */
  vramBytes: number;
  /** How the package stores its weights (fp32, fp16, int4). */
  dtype: string;
}

export function pureMemory(manifest: Pick<PureManifest, 'config' | 'dtype' | 'int4' | 'decoderCache'>): PureMemory {
  const { decoder, vq, imageSize } = manifest.config;
  const on = (device: 'cpu' | 'gpu') => estimateMemory(decoder, vq, imageSize, manifest.dtype, { ...estimateFor(manifest), device }).totalBytes;
  return { ramBytes: on('cpu'), vramBytes: on('gpu'), dtype: manifest.dtype };
}
