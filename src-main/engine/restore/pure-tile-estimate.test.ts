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

// The 7B's figures, by hand: weights 32 x (4096*128*(32+32+32+32) + 3*4096*11008) = 6,476,005,376 in
// the layers plus embedding and LM head 2 x 73728 x 4096 = 603,979,776 -> 7,079,985,152. KV cache
// 2 x 32 layers x 32 heads x 128 x 2 B = 524,288 B per token (fp16). Mid-image contexts: the
// conditional branch 4228 (prompt) + 48 (text) + 2082 (half the image) = 6358 tokens, the
// unconditional 3 + 2082 = 2085.
const W16 = 7_079_985_152 * 2;
const COND16 = 524_288 * 6358;
const UNCOND16 = 524_288 * 2085;

test('the guess for the 7B on the CPU: memory-bound steps over weights and both cache rows, compute-bound prefill', () => {
  const fp16 = assumedSpeed(PURE_7B, 'fp16');
  // One batch-2 call per image token reads the weights once and both rows at the conditional length.
  assert.ok(Math.abs(fp16.tokensPerSecond - 20e9 / (W16 + 2 * COND16)) < 1e-9);
  assert.ok(Math.abs(fp16.tokensPerSecond - 0.9603) < 1e-3);
  // Prefill of 4164 + 64 tokens, 2 FLOPs per weight, 2 CFG branches, at 3e11 FLOP/s.
  assert.ok(Math.abs(fp16.overheadSecondsPerTile - (4 * 6_476_005_376 * 4228) / 3e11) < 1e-6);
  assert.equal(fp16.source, 'assumed');
  // fp32 doubles both the weights and the cache.
  assert.ok(Math.abs(assumedSpeed(PURE_7B, 'fp32').tokensPerSecond - fp16.tokensPerSecond / 2) < 1e-9);
  assert.equal(assumedSpeed(PURE_TINY_TEST, 'fp32').tokensPerSecond, 50, 'a tiny model is capped by per-step overhead');
});

test('the guess on a graphics card follows the cache design: on the card, or uploaded every step', () => {
  const cpu = assumedSpeed(PURE_7B, 'fp16', 'cpu');
  // WebGPU keeps the cache on the card: two calls per image token, each copying its cache (3x).
  const device = assumedSpeed(PURE_7B, 'fp16', 'gpu', 'device');
  assert.ok(Math.abs(device.tokensPerSecond - 500e9 / (2 * W16 + 3 * (COND16 + UNCOND16))) < 1e-9); // ~12 tokens/s
  // CUDA reads the static cache from host memory: both rows cross the bus at every step.
  const uploaded = assumedSpeed(PURE_7B, 'fp16', 'gpu', 'host-static');
  assert.ok(Math.abs(uploaded.tokensPerSecond - 1 / ((W16 + 2 * COND16) / 500e9 + (2 * COND16) / 25e9)) < 1e-9); // ~3.2 tokens/s
  assert.ok(uploaded.tokensPerSecond < device.tokensPerSecond / 3);
  assert.ok(Math.abs(cpu.overheadSecondsPerTile / device.overheadSecondsPerTile - 100) < 1e-6);
  assert.equal(assumedSpeed(PURE_TINY_TEST, 'fp32', 'gpu', 'device').tokensPerSecond, 100, 'the cap');
  // int4 weights are 0.5625 / 2 of fp16's; the fp16 cache stays: ~23.5 tokens/s, no longer capped.
  const int4 = assumedSpeed(PURE_7B, 'int4', 'gpu', 'device');
  assert.ok(Math.abs(int4.tokensPerSecond - 500e9 / (2 * 7_079_985_152 * 0.5625 + 3 * (COND16 + UNCOND16))) < 1e-9);
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
