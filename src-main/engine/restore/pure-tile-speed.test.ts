// The measured PURE speed is kept per model, thread count and provider: an estimate for the CPU
// never borrows a GPU's figure, and a provider that never ran falls through to the next one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { tempDir } from '../../testing/fixtures';
import { measuredSpeed, recordSpeed, speedFile } from './pure-tile-speed';

test('speeds are kept per provider; the first provider of the chain with a figure gives it', async () => {
  const home = tempDir();
  const model = '/models/pure-7b';
  await recordSpeed(home, model, 0, 'webgpu', { tokensPerSecond: 200, overheadSecondsPerTile: 2 });
  await recordSpeed(home, model, 0, 'cpu', { tokensPerSecond: 0.5, overheadSecondsPerTile: 30 });

  assert.equal((await measuredSpeed(home, model, 0, ['cpu']))?.tokensPerSecond, 0.5);
  assert.equal((await measuredSpeed(home, model, 0, ['webgpu', 'cpu']))?.tokensPerSecond, 200);
  // cuda never ran here: the next provider's figure
  assert.deepEqual(await measuredSpeed(home, model, 0, ['cuda', 'cpu']), { tokensPerSecond: 0.5, overheadSecondsPerTile: 30, source: 'measured' });
  assert.equal(await measuredSpeed(home, model, 0, ['cuda']), undefined);
  assert.equal(await measuredSpeed(home, model, 4, ['cpu']), undefined); // another thread count
  assert.equal(await measuredSpeed(home, '/models/other', 0, ['cpu']), undefined);
});

test('a damaged file or a nonsense figure means "not measured"', async () => {
  const home = tempDir();
  await recordSpeed(home, '/m', 0, 'cpu', { tokensPerSecond: Number.NaN, overheadSecondsPerTile: 1 });
  assert.equal(await measuredSpeed(home, '/m', 0, ['cpu']), undefined);
  writeFileSync(speedFile(home), '{ not json');
  assert.equal(await measuredSpeed(home, '/m', 0, ['cpu']), undefined);
  await recordSpeed(home, '/m', 0, 'cpu', { tokensPerSecond: 3, overheadSecondsPerTile: -1 });
  assert.deepEqual(await measuredSpeed(home, '/m', 0, ['cpu']), { tokensPerSecond: 3, overheadSecondsPerTile: 0, source: 'measured' });
});
