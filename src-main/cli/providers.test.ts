// `npm run providers` as a person runs it: here (no graphics card) 'auto' is the CPU; with an
// NVIDIA card reported by nvidia-smi (a stub script first on PATH: the real binary does not exist
// on this machine) the card is listed with its memory and 'auto' tries it before the CPU.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { tempDir } from '../testing/fixtures';

const cli = join(import.meta.dirname, 'providers.ts');
const run = (args: string[], env: NodeJS.ProcessEnv) => spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], { encoding: 'utf8', env });

test('with an NVIDIA card reported, it is listed and auto tries the card, then the CPU', () => {
  const dir = tempDir();
  const stub = join(dir, 'nvidia-smi');
  writeFileSync(stub, "#!/bin/sh\nprintf 'NVIDIA H100 80GB HBM3, 81559, 80000\\n'\n");
  chmodSync(stub, 0o755);
  const env = { ...process.env, PATH: `${dir}${delimiter}${process.env.PATH ?? ''}` };

  const text = run([], env);
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /graphics card: NVIDIA H100 80GB HBM3 \(nvidia\), 83\.9 GB free of 85\.5 GB/);
  assert.match(text.stdout, /PURE: auto -> webgpu, .*cpu/, 'PURE tries the card that keeps its cache first');
  const json = JSON.parse(run(['--json'], env).stdout) as { gpus: { freeBytes: number }[]; chains: { auto: string[]; gpu: string[]; pureAuto: string[] } };
  assert.equal(json.chains.pureAuto[0], 'webgpu');
  assert.equal(json.gpus[0].freeBytes, 80000 * 2 ** 20);
  assert.equal(json.chains.auto.at(-1), 'cpu');
  assert.ok(json.chains.auto.includes('webgpu') && !json.chains.gpu.includes('cpu'));
});

test('with no card found, auto is the CPU alone', () => {
  const result = run(['--json'], { ...process.env, PATH: tempDir() + delimiter + '/usr/bin:/bin' });
  assert.equal(result.status, 0, result.stderr);
  const json = JSON.parse(result.stdout) as { gpus: unknown[]; chains: { auto: string[] } };
  // A machine running the tests may have an AMD card in sysfs; only without one is auto the CPU.
  if (json.gpus.length === 0) assert.deepEqual(json.chains.auto, ['cpu']);
  else assert.equal(json.chains.auto.at(-1), 'cpu');
});
