// The estimate line's words: hours for PURE on a CPU, tiles with their grid, and whether the
// speed behind it was measured here or is the rough guess from the model's size.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PureEstimate } from '../../../src-main/protocol/restore';
import { estimateDetail, estimateText } from './estimate-text';
import { duration } from './format';

const base: PureEstimate = { tiles: 6, columns: 3, rows: 2, tileSize: 128, factor: 4, tokensPerTile: 4200, tokensPerSecond: 2.5, overheadSecondsPerTile: 20, seconds: 0, source: 'measured' };

test('hours and minutes, the tile grid, and where the speed came from', () => {
  assert.equal(estimateText({ estimate: { ...base, seconds: 2 * 3600 + 10 * 60 }, testModel: false }), 'About 2 h 10 min · 6 tiles (3 × 2) · measured on this machine');
  assert.equal(
    estimateText({ estimate: { ...base, tiles: 1, columns: 1, rows: 1, seconds: 45, source: 'assumed' }, testModel: false }),
    'About 45 s · 1 tile · rough guess (not measured yet)',
  );
});

test('a TEST MODEL\'s estimate says so first: its speed is not PURE\'s', () => {
  assert.equal(estimateText({ estimate: { ...base, seconds: 600 }, testModel: true }), 'TEST MODEL: About 10 min · 6 tiles (3 × 2) · measured on this machine');
});

test('durations: seconds, minutes up to an hour and a half, then hours (whole hours without "0 min")', () => {
  assert.deepEqual([0.5, 4.25, 89, 600, 89 * 60, 90 * 60, 3 * 3600, 3 * 3600 + 29].map(duration), [
    'less than a second',
    '4.3 s',
    '89 s',
    '10 min',
    '89 min',
    '1 h 30 min',
    '3 h',
    '3 h',
  ]);
});

test('the detail names the figures the time was worked out from', () => {
  assert.equal(estimateDetail({ estimate: base }), 'Each tile is 128 px of the photo restored at ×4: 4200 tokens at 2.5 tokens/s, plus 20 s per tile.');
});
