// The up-front estimate and the running ETA, against numbers worked out by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PURE_7B, PURE_TINY_TEST } from '../pure/config';
import { assumedSpeed, estimatePure, PureTileEta, TEXT_TOKENS_GUESS, tokensPerTile } from './pure-tile-estimate';
import { planPureTiles, pureTileGeometry } from './pure-tile-plan';

test('a tile generates its text, the 4164 image tokens and end of turn, or the token budget', () => {
  assert.equal(tokensPerTile(PURE_7B, undefined), TEXT_TOKENS_GUESS + 4164 + 1);
  assert.equal(tokensPerTile(PURE_7B, 300), 300);
  assert.equal(tokensPerTile(PURE_7B, 99_999), TEXT_TOKENS_GUESS + 4165);
});

test('the guess for the 7B: memory-bound steps, compute-bound prefill', () => {
  // Layers: 32 x (4096*128*(32+32+32+32) + 3*4096*11008) = 32 x 202,375,168 = 6,476,005,376;
  // plus embedding and LM head 2 x 73728 x 4096 = 603,979,776 -> 7,079,985,152 weights.
  const fp16 = assumedSpeed(PURE_7B, 'fp16');
  assert.ok(Math.abs(fp16.tokensPerSecond - 20e9 / (7_079_985_152 * 2)) < 1e-9);
  assert.ok(Math.abs(fp16.tokensPerSecond - 1.4124) < 1e-3);
  // Prefill of 4164 + 64 tokens, 2 FLOPs per weight, 2 CFG branches, at 3e11 FLOP/s.
  assert.ok(Math.abs(fp16.overheadSecondsPerTile - (4 * 6_476_005_376 * 4228) / 3e11) < 1e-6);
  assert.equal(fp16.source, 'assumed');
  assert.ok(Math.abs(assumedSpeed(PURE_7B, 'fp32').tokensPerSecond - fp16.tokensPerSecond / 2) < 1e-9);
  assert.equal(assumedSpeed(PURE_TINY_TEST, 'fp32').tokensPerSecond, 50, 'a tiny model is capped by per-step overhead');
});

test('the guess on a graphics card: 25x the bandwidth, 100x the prefill throughput, a higher cap', () => {
  const cpu = assumedSpeed(PURE_7B, 'fp16', 'cpu');
  const gpu = assumedSpeed(PURE_7B, 'fp16', 'gpu');
  assert.ok(Math.abs(gpu.tokensPerSecond - 500e9 / (7_079_985_152 * 2)) < 1e-9); // ~35 tokens/s
  assert.ok(Math.abs(gpu.tokensPerSecond / cpu.tokensPerSecond - 25) < 1e-9);
  assert.ok(Math.abs(cpu.overheadSecondsPerTile / gpu.overheadSecondsPerTile - 100) < 1e-6);
  assert.equal(assumedSpeed(PURE_TINY_TEST, 'fp32', 'gpu').tokensPerSecond, 100);
  // int4 reads 0.5625 / 2 of fp16's bytes: 125 tokens/s by bandwidth, so the 100 cap decides
  assert.equal(assumedSpeed(PURE_7B, 'int4', 'gpu').tokensPerSecond, 100);
});

test('estimate = tiles x (overhead + tokens / speed)', () => {
  const geometry = pureTileGeometry(512, 4);
  const plan = planPureTiles(200, 150, geometry); // 2 x 2
  const e = estimatePure(plan, geometry, 300, { tokensPerSecond: 50, overheadSecondsPerTile: 2, source: 'measured' });
  assert.deepEqual(e, { tiles: 4, columns: 2, rows: 2, tileSize: 128, factor: 4, tokensPerTile: 300, tokensPerSecond: 50, overheadSecondsPerTile: 2, seconds: 32, source: 'measured' });
});

test('the ETA uses the estimate, then the live speed, then the finished tiles', () => {
  let now = 0;
  const eta = new PureTileEta({ tiles: 4, tokensPerTile: 100, tokensPerSecond: 10, overheadSecondsPerTile: 1 }, () => now);
  assert.equal(eta.secondsLeft(), 10 + 3 * (1 + 10)); // 43
  assert.equal(eta.secondsLeft(50, 25), 50 / 25 + 3 * (1 + 100 / 25)); // 17
  now = 20_000;
  eta.tileDone(); // first tile took 20 s
  now = 25_000;
  assert.equal(eta.secondsLeft(), 2 * 20 + (20 - 5)); // 55
  now = 30_000;
  eta.tileDone(); // second took 10 s (20 s -> 30 s): mean 15
  assert.equal(eta.secondsLeft(999, 999), 1 * 15 + 15); // finished tiles outrank the live speed
  now = 60_000;
  assert.equal(eta.secondsLeft(), 15 + 0, 'a slow tile never goes below zero');
  eta.tileDone();
  eta.tileDone();
  assert.equal(eta.secondsLeft(), 0);
});
