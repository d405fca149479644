// What an installed package really needs, from the package itself rather than the catalog: the
// catalog's figures describe the model it lists (PURE 7B: 14.5 GB, 32 GB of memory), while the
// package installed may be another size (an int4 conversion, an imported TEST MODEL of a few MB).
// Disk: the bytes its files hold. Memory, for PURE: the engine's own preflight estimate
// (pure/preflight/memory-estimate.ts) for the package's config, dtype and cache design, the same
// figure a restore checks before loading; other engines have no config to compute from.
import { pureMemory, type PureMemory } from './pure-memory';
import { readPurePackage } from './pure-package';

export interface PackageRequirements {
  /** Bytes of the package's files on disk. */
  installedBytes: number;
  /** Computed from the package (absent: only the catalog's figure is known). */
  memory?: PureMemory;
}

/** `installedBytes`: what the listing already summed from the package's files. */
export async function packageRequirements(dir: string, engine: string, installedBytes: number): Promise<PackageRequirements> {
  if (engine !== 'pure') return { installedBytes };
  const pure = await readPurePackage(dir).catch(() => undefined);
  return pure ? { installedBytes, memory: pureMemory(pure.manifest) } : { installedBytes };
}
