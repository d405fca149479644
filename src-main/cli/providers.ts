// `npm run providers`: what this machine offers PURE Studio to run on, as the engine sees it:
// the graphics cards found (and how), whether onnxruntime's CUDA library is installed, and what
// the words 'auto' and 'gpu' expand to here. For a person asking "why did it run on the CPU?",
// and for the GPU machine's bench kit, which checks the probe against a real nvidia-smi.
import { cudaProviderInstalled } from '../engine/runtime/cuda-install';
import { probeGpus } from '../engine/runtime/gpu-probe';
import { PURE_PROVIDER_PREFERENCE } from '../engine/pure/pipeline/decoder-runner-choice';
import { resolveProviders } from '../engine/runtime/resolve-providers';

const gb = (bytes: number | undefined): string => (bytes === undefined ? 'unknown' : `${(bytes / 1e9).toFixed(1)} GB`);

async function main(): Promise<void> {
  const gpus = await probeGpus();
  const machine = { platform: process.platform, gpus, cudaInstalled: cudaProviderInstalled() };
  const chains = {
    auto: resolveProviders(['auto'], machine),
    gpu: resolveProviders(['gpu'], machine),
    pureAuto: resolveProviders(['auto'], machine, PURE_PROVIDER_PREFERENCE),
    pureGpu: resolveProviders(['gpu'], machine, PURE_PROVIDER_PREFERENCE),
  };
  if (process.argv.includes('--json')) {
    process.stdout.write(`${JSON.stringify({ ...machine, chains })}\n`);
    return;
  }
  if (gpus.length === 0) process.stdout.write('graphics cards: none found (nvidia-smi, amdgpu sysfs, Apple silicon)\n');
  for (const card of gpus) process.stdout.write(`graphics card: ${card.name} (${card.vendor}), ${gb(card.freeBytes)} free of ${gb(card.totalBytes)}\n`);
  process.stdout.write(`onnxruntime CUDA library: ${machine.cudaInstalled ? 'installed' : 'not installed'}\n`);
  process.stdout.write(`auto -> ${chains.auto.join(', ')}\ngpu  -> ${chains.gpu.join(', ')}\n`);
  // PURE puts the cards that keep its KV cache on the device first (decoder-runner-choice.ts).
  process.stdout.write(`PURE: auto -> ${chains.pureAuto.join(', ')}; gpu -> ${chains.pureGpu.join(', ')}\n`);
}

await main();
