// The preflight where PURE loads: the real PURE worker process refuses a package that cannot fit
// with INSUFFICIENT_MEMORY and advice, before it touches any weight file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PURE_7B, PURE_TINY_TEST } from '../config';
import type { PureConfig } from '../config';
import { EngineError } from '../../common/errors';
import { PURE_MANIFEST, pureManifestJson } from '../package/pure-manifest';
import type { PureManifest } from '../package/pure-manifest';
import { PureEngine } from '../pipeline/pure-engine';
import { tempDir } from '../../../testing/fixtures';
import { assertPureFitsInMemory } from './check-memory';

const manifest = (config: PureConfig, dtype: PureManifest['dtype']): PureManifest => ({
  manifestVersion: 1,
  engine: 'pure',
  name: 'preflight test package (no weights)',
  testModel: true,
  dtype,
  config,
  files: [],
  source: { checkpoint: '-', vq: '-' },
  converter: { name: 'check-memory.test', version: 1 },
  createdAt: new Date(0).toISOString(),
});

test('assertPureFitsInMemory: passes when it fits, throws INSUFFICIENT_MEMORY with the advice as the hint', () => {
  assert.equal(assertPureFitsInMemory(manifest(PURE_7B, 'fp16'), { device: 'gpu', freeBytes: 79e9 }).verdict, 'fits');
  assert.throws(
    () => assertPureFitsInMemory(manifest(PURE_7B, 'fp16'), { device: 'gpu', freeBytes: 31e9 }),
    (e: unknown) => e instanceof EngineError && e.code === 'INSUFFICIENT_MEMORY' && /int4 version would fit/.test(e.message) && /--dtype int4/.test(e.hint ?? ''),
  );
  // the int4 settings in the manifest are what the estimate uses: an fp16 LM head costs 0.43 GB more
  const withHead = { ...manifest(PURE_7B, 'int4'), int4: { blockSize: 32, scheme: 'asymmetric' as const, lmHead: false } };
  const a = assertPureFitsInMemory(manifest(PURE_7B, 'int4'), { device: 'gpu', freeBytes: 79e9 }).need.weightBytes;
  const b = assertPureFitsInMemory(withHead, { device: 'gpu', freeBytes: 79e9 }).need.weightBytes;
  assert.equal(b - a, 73_728 * 4096 * (2 - 0.578125));
});

test('the PURE worker refuses, with advice, a package too large for this machine (and any other)', { timeout: 60_000 }, async () => {
  const dir = tempDir();
  // 7B widened 1000x in layers: ~14 TB of fp16 weights, more than any machine has free
  const huge: PureConfig = { ...PURE_7B, decoder: { ...PURE_7B.decoder, numLayers: 32_000 } };
  writeFileSync(join(dir, PURE_MANIFEST), pureManifestJson(manifest(huge, 'fp16')));
  await assert.rejects(PureEngine.load(dir, 1), (e: unknown) => {
    assert.ok(e instanceof EngineError);
    assert.equal(e.code, 'INSUFFICIENT_MEMORY');
    assert.match(e.message, /PURE \(fp16\) needs about [\d.]+ GB .* of memory is free\. That is not enough\./);
    assert.match(e.hint ?? '', /Use a machine with at least [\d.]+ GB of free memory/);
    return true;
  });
});

test('the TEST MODEL passes the preflight on this machine', () => {
  assert.equal(assertPureFitsInMemory(manifest(PURE_TINY_TEST, 'fp32')).verdict, 'fits');
});

test('a static-cache package is estimated with one copy of the KV cache: 7B int4 fits a 16 GB card, its concat twin does not', () => {
  const concat = manifest(PURE_7B, 'int4');
  const fixed = { ...concat, decoderCache: 'static' as const };
  const a = assertPureFitsInMemory(fixed, { device: 'gpu', freeBytes: 16.5e9 });
  assert.equal(a.verdict, 'fits');
  assert.throws(() => assertPureFitsInMemory(concat, { device: 'gpu', freeBytes: 16.5e9 }), (e: unknown) => e instanceof EngineError && e.code === 'INSUFFICIENT_MEMORY');
  const b = assertPureFitsInMemory(concat, { device: 'gpu', freeBytes: 79e9 });
  // both end in the decode phase: the concat twin holds both branches padded to 8621 tokens, twice
  // during a step; the static cache each branch at its own length (8621 + 4168 tokens), once
  assert.equal(b.need.totalBytes - a.need.totalBytes, (8621 * 2 * 2 - (8621 + 4168)) * 524_288);
  assert.equal(a.need.totalBytes, 12_042_793_088); // 12.0 GB: weights 4.53 + cache 6.71 + logits/scores + images and runtime 0.81
});
