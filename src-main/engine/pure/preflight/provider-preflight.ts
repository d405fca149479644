// The memory preflight for the provider PURE is about to load on: RAM when the CPU comes first,
// the graphics card's memory when a GPU provider comes first and a card said how much it has
// free, and no check when it did not (a RAM check would refuse a card that fits). Node only (os).
import { freemem } from 'node:os';
import { EngineError } from '../../common/errors';
import { largestFreeGpu, probeGpus, type GpuInfo } from '../../runtime/gpu-probe';
import { isGpuProvider } from '../../runtime/resolve-providers';
import { decoderPlanFor } from '../pipeline/decoder-runner-choice';
import { decoderGraphFiles } from '../package/pure-manifest';
import type { PureManifest } from '../package/pure-manifest';
import { assertPureFitsInMemory } from './check-memory';
import type { PreflightResult } from './memory-preflight';

type ManifestPart = Pick<PureManifest, 'config' | 'dtype' | 'int4' | 'decoderCache' | 'files'>;

/**
 * The manifest as `provider` will load it: WebGPU runs the package's concat twin (the cache kept on
 * the device as present -> past), whose step holds the old and the new cache at once, so its need is
 * the concat graph's, not the static one the manifest names.
 */
function asLoadedOn(manifest: ManifestPart, provider: string): ManifestPart {
  return { ...manifest, decoderCache: decoderPlanFor(provider, decoderGraphFiles(manifest)).cache };
}

export interface ProviderPreflight {
  device: 'cpu' | 'gpu';
  /** The card checked against (GPU only): the one with the most free memory. */
  card?: GpuInfo;
  result: PreflightResult;
}

/** How a person moves PURE to the CPU, from the app and from a terminal. */
export const USE_CPU_ADVICE = 'To run it on the CPU instead (a photo then takes hours): in the app, set Processor to "CPU" in the settings; on the command line, add --provider cpu.';

const fitsOnCpu = (manifest: ManifestPart, cpuFreeBytes: number): boolean => {
  try {
    assertPureFitsInMemory(manifest, { device: 'cpu', freeBytes: cpuFreeBytes });
    return true;
  } catch {
    return false;
  }
};

/**
 * Throws INSUFFICIENT_MEMORY, with what to do in the app and on the command line, unless PURE fits
 * where `providers[0]` puts it. Undefined when nothing could be checked. The largest free card is
 * assumed to be the one used: CUDA takes device 0 and WebGPU's adapter is Dawn's choice, so on a
 * machine with cards of different sizes this can pass where the run then fails for memory.
 */
export function preflightForProviders(manifest: ManifestPart, providers: readonly string[], gpus: readonly GpuInfo[], cpuFreeBytes: number = freemem()): ProviderPreflight | undefined {
  const first = providers[0] ?? 'cpu';
  if (first === 'cpu') return { device: 'cpu', result: assertPureFitsInMemory(manifest, { device: 'cpu', freeBytes: cpuFreeBytes }) };
  const card = isGpuProvider(first) ? largestFreeGpu(gpus) : undefined;
  if (!card) return undefined;
  try {
    return { device: 'gpu', card, result: assertPureFitsInMemory(asLoadedOn(manifest, first), { device: 'gpu', freeBytes: card.freeBytes, cpuFreeBytes }) };
  } catch (error) {
    if (!(error instanceof EngineError) || error.code !== 'INSUFFICIENT_MEMORY') throw error;
    const advice = [error.hint, fitsOnCpu(manifest, cpuFreeBytes) ? USE_CPU_ADVICE : undefined].filter(Boolean).join(' ');
    throw new EngineError('INSUFFICIENT_MEMORY', `${error.message} (Checked against ${card.name}, the graphics card with the most free memory.)`, advice, { cause: error });
  }
}

/** preflightForProviders on this machine: the cards are probed only when a GPU provider comes first. */
export async function preflightHere(manifest: ManifestPart, providers: readonly string[]): Promise<ProviderPreflight | undefined> {
  const gpus = isGpuProvider(providers[0] ?? 'cpu') ? await probeGpus() : [];
  return preflightForProviders(manifest, providers, gpus);
}

/**
 * The check for a provider the chain falls back to: the CPU after a GPU provider that could not
 * load. The preflight above only checked the first provider (the card); if the run lands on the
 * CPU instead, the weights and cache go to RAM, which must then be checked before loading.
 */
export function checkFallbackProvider(provider: string, index: number, manifest: ManifestPart, cpuFreeBytes: () => number = freemem): void {
  if (index > 0 && provider === 'cpu') assertPureFitsInMemory(manifest, { device: 'cpu', freeBytes: cpuFreeBytes() });
}
