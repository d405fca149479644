// What the provider words mean on a machine: 'gpu' = the graphics-card providers this platform
// has, best first; 'auto' = those then the CPU when a graphics card was found, else the CPU alone.
// The pure expansion takes the facts as arguments (so every platform is testable anywhere); the
// Node wrapper below fills them in for this machine. Nothing past this point sees a word.
import type { ProviderId } from '../../protocol/restore';
import { cudaProviderInstalled } from './cuda-install';
import { probeGpus, type GpuInfo } from './gpu-probe';

export type ProviderWord = 'auto' | 'gpu';
/** An onnxruntime execution provider. */
export type ConcreteProvider = Exclude<ProviderId, ProviderWord>;

export const GPU_PROVIDERS: readonly ConcreteProvider[] = ['cuda', 'dml', 'webgpu'];

export const isProviderWord = (p: string): p is ProviderWord => p === 'auto' || p === 'gpu';
export const isGpuProvider = (p: string): boolean => (GPU_PROVIDERS as readonly string[]).includes(p);

export interface ProviderMachine {
  platform: NodeJS.Platform;
  /** Cards the probe found (gpu-probe.ts). */
  gpus: readonly GpuInfo[];
  /** onnxruntime-node's CUDA provider library is installed beside its binding. */
  cudaInstalled: boolean;
}

/**
 * The graphics-card providers of the platform, best first: CUDA (only with its library, which
 * `npm install` fetches on Linux x64 alone), DirectML (Windows only; it ships with onnxruntime-node
 * there), then WebGPU (everywhere; Dawn picks the adapter).
 */
export function gpuProviders(machine: ProviderMachine, preferred: readonly ConcreteProvider[] = []): ConcreteProvider[] {
  const all: ConcreteProvider[] = [...(machine.cudaInstalled ? ['cuda' as const] : []), ...(machine.platform === 'win32' ? ['dml' as const] : []), 'webgpu'];
  return [...all.filter((p) => preferred.includes(p)), ...all.filter((p) => !preferred.includes(p))];
}

/**
 * The order an engine wants among the card providers when a word expands. PURE puts the providers
 * that keep its KV cache on the card (DEVICE_CACHE_PROVIDERS, WebGPU) first: CUDA and DirectML
 * have no gpu-buffer outputs in onnxruntime-node, so there the whole cache crosses the bus at
 * every decode step (gigabytes at 7B). Real-ESRGAN has no cache and keeps the default order.
 */
export interface ProviderPreference {
  preferOnGpu?: readonly ConcreteProvider[];
}

/**
 * Whether 'auto' should try a graphics card at all. Windows counts as yes without a probe: there is
 * no cheap way to list adapters from Node without nvidia-smi (WMI takes a PowerShell start, about a
 * second), and DirectML runs on any DirectX 12 card, integrated ones included, which every machine
 * that runs this app's Windows build in practice has; when it has none, DirectML is refused and
 * the CPU after it runs, with the refusal reported.
 */
export function graphicsCardLikely(machine: ProviderMachine): boolean {
  return machine.platform === 'win32' || machine.gpus.length > 0;
}

/**
 * `requested` with each word expanded where it stands and every provider kept once (first place
 * wins). `preference` reorders only what the words bring: explicit providers stay as written.
 */
export function resolveProviders(requested: readonly ProviderId[], machine: ProviderMachine, preference: ProviderPreference = {}): ConcreteProvider[] {
  const cards = gpuProviders(machine, preference.preferOnGpu);
  const chain: ConcreteProvider[] = [];
  const add = (p: ConcreteProvider): void => {
    if (!chain.includes(p)) chain.push(p);
  };
  for (const p of requested) {
    if (p === 'gpu') cards.forEach(add);
    else if (p === 'auto') (graphicsCardLikely(machine) ? [...cards, 'cpu' as const] : ['cpu' as const]).forEach(add);
    else add(p);
  }
  return chain;
}

/**
 * resolveProviders for this machine. A list without words is returned as it is, and only 'auto'
 * needs the card probe (nvidia-smi runs at most once per process, for at most 3 s).
 */
export async function resolveProvidersHere(requested: readonly ProviderId[], preference: ProviderPreference = {}): Promise<ConcreteProvider[]> {
  if (!requested.some(isProviderWord)) return requested as ConcreteProvider[];
  const gpus = requested.includes('auto') && process.platform !== 'win32' ? await probeGpus() : [];
  return resolveProviders(requested, { platform: process.platform, gpus, cudaInstalled: cudaProviderInstalled() }, preference);
}
