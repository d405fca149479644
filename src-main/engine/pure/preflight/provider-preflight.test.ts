// The preflight for the provider PURE loads on: RAM for the CPU, the largest free card for a GPU
// provider, nothing when no card says; a refusal says what to do in the app and in a terminal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EngineError } from '../../common/errors';
import type { GpuInfo } from '../../runtime/gpu-probe';
import { PURE_7B, PURE_TINY_TEST } from '../config';
import type { PureConfig } from '../config';
import type { PureManifest } from '../package/pure-manifest';
import { preflightForProviders, USE_CPU_ADVICE } from './provider-preflight';

type ManifestPart = Pick<PureManifest, 'config' | 'dtype' | 'int4' | 'decoderCache' | 'files'>;
const manifest = (config: PureConfig, dtype: PureManifest['dtype'], decoderCache?: 'static', files: PureManifest['files'] = []): ManifestPart => ({ config, dtype, files, ...(decoderCache && { decoderCache }) });
const concatTwin: PureManifest['files'] = [{ name: 'decoder-concat.onnx', role: 'decoderConcat', size: 1, sha256: '0'.repeat(64) }];
const card = (name: string, freeBytes?: number): GpuInfo => ({ vendor: 'nvidia', name, ...(freeBytes !== undefined && { totalBytes: 80e9, freeBytes }) });

// 7B int4 with the static cache needs 12_042_793_088 bytes (check-memory.test.ts works it out),
// and a run may plan on 90% of the free memory: it fits from 13_380_881_209 free bytes on.
const SEVEN_B_INT4 = manifest(PURE_7B, 'int4', 'static');
const NEED = 12_042_793_088;
const FITS = 13_381_000_000;
const SHORT = 13_375_000_000;
// On the CPU onnxruntime repacks the 4-bit matrices (fp32 scales and block sums) and widens the
// fp16 embedding to fp32 (memory-estimate.ts heldWeightBytes): 6_294_618_112 bytes of weights for
// the 4_525_670_400 stored, 13_811_740_800 in all, which fits from 15_346_378_667 free bytes on.
const CPU_FITS = 15_347_000_000;
const CPU_SHORT = 15_340_000_000;

test('a GPU provider first: checked against the card with the most free memory', () => {
  const cards = [card('small card', SHORT), card('big card', FITS)];
  for (const gpus of [cards, [...cards].reverse()]) {
    const checked = preflightForProviders(SEVEN_B_INT4, ['cuda', 'cpu'], gpus, 1e9);
    assert.equal(checked?.device, 'gpu');
    assert.equal(checked?.card?.name, 'big card');
    assert.equal(checked?.result.verdict, 'fits');
    assert.equal(checked?.result.need.totalBytes, NEED);
  }
  assert.equal(preflightForProviders(SEVEN_B_INT4, ['webgpu'], [card('the card', FITS)], 1e9)?.device, 'gpu');
  assert.equal(preflightForProviders(SEVEN_B_INT4, ['dml', 'cpu'], [card('the card', FITS)], 1e9)?.device, 'gpu');
});

test('a card too small: INSUFFICIENT_MEMORY naming the card, with the CPU way out for the app and the command line', () => {
  assert.throws(
    () => preflightForProviders(SEVEN_B_INT4, ['cuda', 'webgpu', 'cpu'], [card('small card', SHORT), card('tiny card', 1e9)], 100e9),
    (e: unknown) => {
      assert.ok(e instanceof EngineError);
      assert.equal(e.code, 'INSUFFICIENT_MEMORY');
      assert.match(e.message, /13\.4 GB of GPU memory is free/);
      assert.match(e.message, /small card, the graphics card with the most free memory/);
      assert.match(e.hint ?? '', /Processor to "CPU"/);
      assert.match(e.hint ?? '', /--provider cpu/);
      assert.ok(e.hint?.endsWith(USE_CPU_ADVICE));
      return true;
    },
  );
});

test('an fp16 package too large for the card: the int4 conversion and the CPU are both offered', () => {
  assert.throws(
    () => preflightForProviders(manifest(PURE_7B, 'fp16', 'static'), ['cuda', 'cpu'], [card('16 GB card', 16.5e9)], 100e9),
    (e: unknown) => e instanceof EngineError && e.code === 'INSUFFICIENT_MEMORY' && /--dtype int4/.test(e.hint ?? '') && /--provider cpu/.test(e.hint ?? ''),
  );
});

test('the CPU is not offered when it has too little memory as well', () => {
  assert.throws(
    () => preflightForProviders(SEVEN_B_INT4, ['cuda', 'cpu'], [card('small card', SHORT)], 2e9),
    (e: unknown) => e instanceof EngineError && e.code === 'INSUFFICIENT_MEMORY' && !/--provider cpu/.test(e.hint ?? ''),
  );
});

test('the CPU first: the RAM is checked, whatever the cards have', () => {
  const big = [card('big card', 80e9)];
  assert.equal(preflightForProviders(SEVEN_B_INT4, ['cpu', 'cuda'], big, CPU_FITS)?.device, 'cpu');
  assert.throws(
    () => preflightForProviders(SEVEN_B_INT4, ['cpu', 'cuda'], big, CPU_SHORT),
    (e: unknown) => e instanceof EngineError && e.code === 'INSUFFICIENT_MEMORY' && /15\.3 GB of memory is free/.test(e.message),
  );
  // the TEST MODEL fits the RAM of any machine that runs the tests
  assert.equal(preflightForProviders(manifest(PURE_TINY_TEST, 'fp32'), ['cpu'], [])?.result.verdict, 'fits');
});

test('a GPU provider first and no card that says its free memory: no check, as before', () => {
  const huge = manifest({ ...PURE_7B, decoder: { ...PURE_7B.decoder, numLayers: 32_000 } }, 'fp16');
  assert.equal(preflightForProviders(huge, ['cuda', 'cpu'], [], 1e9), undefined);
  assert.equal(preflightForProviders(huge, ['webgpu'], [card('[N/A] card')], 1e9), undefined);
  // and a GB10-class unified card that reports nothing does not make the CPU figure stand in for it
  assert.equal(preflightForProviders(huge, ['webgpu', 'cpu'], [{ vendor: 'nvidia', name: 'NVIDIA GB10' }], 1e9), undefined);
});

test('WebGPU is checked for the graph it runs: with a concat twin in the package, the cache is held twice during a step', () => {
  const withTwin = manifest(PURE_7B, 'int4', 'static', concatTwin);
  const cards = [card('the card', FITS)];
  // the CPU and CUDA run the static graph: the same 12.0 GB as without the twin
  assert.equal(preflightForProviders(withTwin, ['cuda'], cards, 1e9)?.result.need.totalBytes, NEED);
  // WebGPU runs the twin: the concat estimate (23.4 GB, docs/gpu.md), too much for the same card
  assert.throws(
    () => preflightForProviders(withTwin, ['webgpu'], cards, 1e9),
    (e: unknown) => e instanceof EngineError && e.code === 'INSUFFICIENT_MEMORY' && /needs about 2[0-9]\.[0-9] GB/.test(e.message),
  );
  // a package without the twin runs its static graph on WebGPU too
  assert.equal(preflightForProviders(SEVEN_B_INT4, ['webgpu'], cards, 1e9)?.result.need.totalBytes, NEED);
});
