// One sentence for a PURE result whose KV cache crossed to the graphics card at every step: the
// provider ran the model on the card, but onnxruntime-node can keep the cache there only with
// WebGPU (gpu-buffer outputs), so CUDA and DirectML uploaded all of it per token. Shared by the
// CLI and the result panel. Pure TypeScript: no Node built-ins.
import type { KvCacheDesign } from './restore';

const CARD_PROVIDERS = ['cuda', 'dml', 'webgpu'];

export function kvCacheNote(provider: string, kvCache: KvCacheDesign | undefined): string | undefined {
  if (kvCache === undefined || kvCache === 'device' || !CARD_PROVIDERS.includes(provider)) return undefined;
  const why = provider === 'webgpu' ? 'this model package has no decoder graph for it (convert the model again)' : `${provider} cannot keep it on the card from this app`;
  return `PURE's memory of the image (its KV cache) was sent to the graphics card at every token: ${why}. WebGPU keeps it there and is usually faster.`;
}
