// Whether onnxruntime-node's CUDA provider is installed: its install script fetches
// libonnxruntime_providers_cuda.so (Linux x64) into the folder of the native binding,
// bin/napi-v<N>/<platform>/<arch>/; without that file onnxruntime refuses 'cuda' at once, so
// 'gpu' and 'auto' leave CUDA out rather than report a refusal nobody can act on. Node only.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export const CUDA_PROVIDER_LIBRARY: Partial<Record<NodeJS.Platform, string>> = {
  linux: 'libonnxruntime_providers_cuda.so',
  win32: 'onnxruntime_providers_cuda.dll',
};

/** The folder of the installed onnxruntime-node package (the one with its package.json). */
export function onnxruntimePackageDir(): string | undefined {
  try {
    let dir = dirname(createRequire(import.meta.url).resolve('onnxruntime-node'));
    for (let up = 0; up < 4; up++, dir = dirname(dir)) {
      const manifest = join(dir, 'package.json');
      if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'onnxruntime-node') return dir;
    }
  } catch {
    // not installed or unreadable: no CUDA either
  }
  return undefined;
}

/** Whether the CUDA provider library lies beside the binding for this platform and architecture. */
export function cudaProviderInstalled(packageDir = onnxruntimePackageDir(), platform: NodeJS.Platform = process.platform, arch: string = process.arch): boolean {
  const library = CUDA_PROVIDER_LIBRARY[platform];
  if (!packageDir || !library) return false;
  const bin = join(packageDir, 'bin');
  let napiDirs: string[];
  try {
    napiDirs = readdirSync(bin);
  } catch {
    return false;
  }
  return napiDirs.some((napi) => existsSync(join(bin, napi, platform, arch, library)));
}
