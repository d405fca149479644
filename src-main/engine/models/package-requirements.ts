// What an installed package really needs, from the package itself rather than the catalog: the
// catalog's figures describe the model it lists (PURE 7B: 14.5 GB, 32 GB of memory), while the
// package installed may be another size (an int4 conversion, an imported TEST MODEL of a few MB).
// Disk: the bytes its files hold. Memory, for PURE: the engine's own preflight estimate
// (pure/preflight/memory-estimate.ts) for the package's config, dtype and cache design, the same
// figure a restore checks before loading; other engines have no config to compute from.
import { estimateFor } from '../pure/preflight/check-memory';
import { estimateMemory } from '../pure/preflight/memory-estimate';
import type { PureManifest } from '../pure/package/pure-manifest';
import { readPurePackage } from './pure-package';

export interface PackageRequirements {
  /** Bytes of the package's files on disk. */
  installedBytes: number;
  /** Computed from the package (absent: only the catalog's figure is known). */
  memory?: {
    /** Running on the CPU, as onnxruntime holds the weights there. */
    ramBytes: number;
    /** Running on a graphics card. */
    vramBytes: number;
    /** How the package stores its weights (fp32, fp16, int4). */
    dtype: string;
  };
}

type Shape = Pick<PureManifest, 'config' | 'dtype' | 'int4' | 'decoderCache'>;

/** PURE's memory need for one restoration of this package, on the CPU and on a graphics card. */
export function pureMemory(manifest: Shape): NonNullable<PackageRequirements['memory']> {
  const { decoder, vq, imageSize } = manifest.config;
  const on = (device: 'cpu' | 'gpu') => estimateMemory(decoder, vq, imageSize, manifest.dtype, { ...estimateFor(manifest), device }).totalBytes;
  return { ramBytes: on('cpu'), vramBytes: on('gpu'), dtype: manifest.dtype };
}

/** `installedBytes`: what the listing already summed from the package's files. */
export async function packageRequirements(dir: string, engine: string, installedBytes: number): Promise<PackageRequirements> {
  if (engine !== 'pure') return { installedBytes };
  const pure = await readPurePackage(dir).catch(() => undefined);
  return pure ? { installedBytes, memory: pureMemory(pure.manifest) } : { installedBytes };
}
