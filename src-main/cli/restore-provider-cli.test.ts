// --provider as a user meets it: the help explains auto and gpu, and a provider refused before the
// one that ran is said in plain words under the result.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { photo, tempDir } from '../testing/fixtures';
import { providerRefusalLines } from './provider-report';

const CLI = resolve(import.meta.dirname, 'restore.ts');
const run = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], { encoding: 'utf8' });

test('the help names auto as the default and says what auto and gpu mean', () => {
  const r = run(['--help']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /--provider <list>.*\(default auto\)/);
  assert.match(r.stdout, /auto\s+the graphics card when one is found, then the CPU/);
  assert.match(r.stdout, /gpu\s+the graphics card only .*\n.*never falls back to the CPU/);
});

test('refusals are one line each, with the provider used instead; none when nothing was refused', () => {
  assert.deepEqual(providerRefusalLines({ provider: 'cpu', providerAttempts: [{ provider: 'cpu' }] }), []);
  assert.deepEqual(providerRefusalLines({ provider: 'cpu' }), []);
  assert.deepEqual(
    providerRefusalLines({ provider: 'cpu', providerAttempts: [{ provider: 'cuda', error: 'libcudart.so.12: cannot open shared object file\n  at ...' }, { provider: 'webgpu', error: 'no adapter' }, { provider: 'cpu' }] }),
    ['  cuda was not used, cpu instead: libcudart.so.12: cannot open shared object file', '  webgpu was not used, cpu instead: no adapter'],
  );
});

test('a restore where CUDA is refused says so under the result', async () => {
  const dir = tempDir();
  const input = join(dir, 'cat.png');
  await sharp(photo('chelsea.png')).extract({ left: 150, top: 60, width: 16, height: 16 }).toFile(input);
  // CUDA's libraries are not installed on the project's machines, so onnxruntime refuses it.
  const r = run([input, '--engine', 'realesrgan-x4fast', '--threads', '2', '--provider', 'cuda,cpu']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /realesrgan-x4fast on cpu \(2 threads\), [\d.]+ s\)\n {2}cuda was not used, cpu instead: \S/);
});
