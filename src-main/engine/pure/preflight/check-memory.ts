// The memory preflight where PURE is loaded: the package's shape and dtype against the machine's
// free memory, refusing with INSUFFICIENT_MEMORY and the advice instead of loading into a crash.
// Node only (os).
import { freemem } from 'node:os';
import { EngineError } from '../../common/errors';
import { decoderCacheOf } from '../package/pure-manifest';
import type { PureManifest } from '../package/pure-manifest';
import { PREFILL_CHUNK } from './memory-estimate';
import type { EstimateOptions } from './memory-estimate';
import { preflightMemory } from './memory-preflight';
import type { PreflightResult } from './memory-preflight';

export interface MemoryCheckOptions {
  /** where the decoder will run; the pipeline runs on the CPU today */
  device?: 'gpu' | 'cpu';
  /** free bytes of that device; default for the CPU: the memory the OS says is available */
  freeBytes?: number;
  cpuFreeBytes?: number;
}

/** Throws INSUFFICIENT_MEMORY unless the package fits; returns the preflight otherwise. */
export function assertPureFitsInMemory(manifest: Pick<PureManifest, 'config' | 'dtype' | 'int4' | 'decoderCache'>, options: MemoryCheckOptions = {}): PreflightResult {
  const device = options.device ?? 'cpu';
  const freeBytes = options.freeBytes ?? (device === 'cpu' ? freemem() : undefined);
  if (freeBytes === undefined) throw new EngineError('INTERNAL', 'The free GPU memory must be given for a GPU preflight.');
  const result = preflightMemory({
    config: manifest.config,
    dtype: manifest.dtype,
    device,
    freeBytes,
    ...(options.cpuFreeBytes !== undefined ? { cpuFreeBytes: options.cpuFreeBytes } : {}),
    estimate: estimateFor(manifest),
  });
  if (result.verdict !== 'fits') throw new EngineError('INSUFFICIENT_MEMORY', result.message, result.advice.join(' '));
  return result;
}

/**
 * The package's graph decides the cache's footprint: a static-cache package holds one copy of the
 * cache; a concat graph (WebGPU's, or an older package's) holds two copies during a step. Every
 * runner prefills in chunks of PREFILL_CHUNK tokens.
 */
export function estimateFor(manifest: Pick<PureManifest, 'int4' | 'decoderCache'>): EstimateOptions {
  const cache: EstimateOptions = { cache: decoderCacheOf(manifest) === 'static' ? 'in-place' : 'concat', prefillChunk: PREFILL_CHUNK };
  if (!manifest.int4) return cache;
  const { blockSize, scheme, lmHead, accuracyLevel } = manifest.int4;
  return { ...cache, int4: { blockSize, asymmetric: scheme === 'asymmetric', lmHead, ...(accuracyLevel !== undefined ? { accuracyLevel } : {}) } };
}
