// What 'auto' and 'gpu' become on each platform, and where onnxruntime-node's CUDA library is looked for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProviderId } from '../../protocol/restore';
import { tempDir } from '../../testing/fixtures';
import { CUDA_PROVIDER_LIBRARY, cudaProviderInstalled, onnxruntimePackageDir } from './cuda-install';
import type { GpuInfo } from './gpu-probe';
import { resolveProviders, resolveProvidersHere, type ProviderMachine } from './resolve-providers';

const nvidia: GpuInfo = { vendor: 'nvidia', name: 'NVIDIA GeForce RTX 4090', totalBytes: 24e9, freeBytes: 23e9 };
const amd: GpuInfo = { vendor: 'amd', name: 'AMD Radeon RX 7800 XT', totalBytes: 16e9, freeBytes: 15e9 };
const apple: GpuInfo = { vendor: 'apple', name: 'Apple silicon GPU (unified memory)', unified: true };

const machines: Record<string, ProviderMachine> = {
  'linux, NVIDIA card, CUDA installed': { platform: 'linux', gpus: [nvidia], cudaInstalled: true },
  'linux, NVIDIA card, no CUDA library': { platform: 'linux', gpus: [nvidia], cudaInstalled: false },
  'linux, AMD card': { platform: 'linux', gpus: [amd], cudaInstalled: false },
  'linux, no card found, CUDA installed': { platform: 'linux', gpus: [], cudaInstalled: true },
  'linux, no card found': { platform: 'linux', gpus: [], cudaInstalled: false },
  'windows, nothing probed': { platform: 'win32', gpus: [], cudaInstalled: false },
  'windows, CUDA installed': { platform: 'win32', gpus: [nvidia], cudaInstalled: true },
  'macOS, Apple silicon': { platform: 'darwin', gpus: [apple], cudaInstalled: false },
  'macOS, Intel': { platform: 'darwin', gpus: [], cudaInstalled: false },
};

// machine -> [auto, gpu]
const expected: Record<string, [string, string]> = {
  'linux, NVIDIA card, CUDA installed': ['cuda,webgpu,cpu', 'cuda,webgpu'],
  'linux, NVIDIA card, no CUDA library': ['webgpu,cpu', 'webgpu'],
  'linux, AMD card': ['webgpu,cpu', 'webgpu'],
  'linux, no card found, CUDA installed': ['cpu', 'cuda,webgpu'],
  'linux, no card found': ['cpu', 'webgpu'],
  'windows, nothing probed': ['dml,webgpu,cpu', 'dml,webgpu'],
  'windows, CUDA installed': ['cuda,dml,webgpu,cpu', 'cuda,dml,webgpu'],
  'macOS, Apple silicon': ['webgpu,cpu', 'webgpu'],
  'macOS, Intel': ['cpu', 'webgpu'],
};

test('auto and gpu on each platform; gpu never adds the CPU', () => {
  for (const [name, machine] of Object.entries(machines)) {
    const [auto, gpu] = expected[name];
    assert.equal(resolveProviders(['auto'], machine).join(','), auto, `${name}: auto`);
    assert.equal(resolveProviders(['gpu'], machine).join(','), gpu, `${name}: gpu`);
    assert.ok(!resolveProviders(['gpu'], machine).includes('cpu'), `${name}: gpu without cpu`);
  }
});

test('explicit providers stay where they are, words expand in place, each provider once', () => {
  const m = machines['linux, NVIDIA card, CUDA installed'];
  const cases: [ProviderId[], string][] = [
    [['cpu'], 'cpu'],
    [['cuda'], 'cuda'],
    [['webgpu', 'cpu'], 'webgpu,cpu'],
    [['cpu', 'gpu'], 'cpu,cuda,webgpu'],
    [['webgpu', 'auto'], 'webgpu,cuda,cpu'],
    [['gpu', 'cpu'], 'cuda,webgpu,cpu'],
    [['auto', 'auto', 'gpu'], 'cuda,webgpu,cpu'],
    [['dml', 'auto'], 'dml,cuda,webgpu,cpu'],
  ];
  for (const [requested, chain] of cases) assert.equal(resolveProviders(requested, m).join(','), chain, requested.join(','));
  // an explicit CUDA is kept even where its library is missing: the refusal then says why
  assert.equal(resolveProviders(['cuda', 'auto'], machines['linux, no card found']).join(','), 'cuda,cpu');
});

test('PURE\'s preference puts WebGPU (the KV cache stays on the card) before CUDA and DirectML, only where a word expands', () => {
  const pure = { preferOnGpu: ['webgpu'] as const };
  const cases: [string, ProviderId[], string][] = [
    ['linux, NVIDIA card, CUDA installed', ['auto'], 'webgpu,cuda,cpu'],
    ['linux, NVIDIA card, CUDA installed', ['gpu'], 'webgpu,cuda'],
    ['windows, CUDA installed', ['auto'], 'webgpu,cuda,dml,cpu'],
    ['linux, no card found', ['auto'], 'cpu'],
    // explicit providers keep their places
    ['linux, NVIDIA card, CUDA installed', ['cuda', 'auto'], 'cuda,webgpu,cpu'],
  ];
  for (const [name, requested, chain] of cases) assert.equal(resolveProviders(requested, machines[name], pure).join(','), chain, `${name}: ${requested.join(',')}`);
});

test('a list without words is returned as given, without probing', async () => {
  const requested: ProviderId[] = ['webgpu', 'cpu'];
  assert.equal(await resolveProvidersHere(requested), requested);
});

/** A fake onnxruntime-node package whose binding folders hold the given files. */
function fakePackage(files: string[]): string {
  const dir = tempDir();
  for (const file of files) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), '');
  }
  return dir;
}

test('CUDA counts as installed only when its library lies beside the binding of this platform and architecture', () => {
  const linux = fakePackage(['bin/napi-v6/linux/x64/onnxruntime_binding.node', 'bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so']);
  assert.equal(cudaProviderInstalled(linux, 'linux', 'x64'), true);
  assert.equal(cudaProviderInstalled(linux, 'linux', 'arm64'), false);
  assert.equal(cudaProviderInstalled(linux, 'win32', 'x64'), false);
  assert.equal(cudaProviderInstalled(linux, 'darwin', 'arm64'), false);
  const windows = fakePackage(['bin/napi-v6/win32/x64/onnxruntime_providers_cuda.dll']);
  assert.equal(cudaProviderInstalled(windows, 'win32', 'x64'), true);
  assert.equal(cudaProviderInstalled(fakePackage(['bin/napi-v6/linux/x64/onnxruntime_binding.node']), 'linux', 'x64'), false);
  assert.equal(cudaProviderInstalled(join(tempDir(), 'missing'), 'linux', 'x64'), false);
  assert.equal(cudaProviderInstalled(undefined, 'linux', 'x64'), false);
});

test('the installed onnxruntime-node is found, with the binding this platform loads', () => {
  const dir = onnxruntimePackageDir();
  assert.ok(dir, 'onnxruntime-node resolves');
  assert.equal((JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string }).name, 'onnxruntime-node');
  assert.ok(existsSync(join(dir, 'bin', 'napi-v6', process.platform, process.arch, 'onnxruntime_binding.node')));
  // here the answer follows the file alone
  const library = CUDA_PROVIDER_LIBRARY[process.platform];
  assert.equal(cudaProviderInstalled(), library !== undefined && existsSync(join(dir, 'bin', 'napi-v6', process.platform, process.arch, library)));
});
