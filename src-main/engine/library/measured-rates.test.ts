// Rates measured on this machine, kept in the state folder: a running mean per engine, provider
// and threads that survives a restart, looked up as precisely as the request allows.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../testing/fixtures';
import { estimatedSecondsPerMegapixel, MeasuredRates } from './measured-rates';

const cpu2 = { engine: 'realesrgan-x4plus', provider: 'cpu', threads: 2 };

test('a running mean per engine, provider and threads, saved and read back', async () => {
  const file = join(tempDir(), 'library', 'measured-rates.json'); // a folder not made yet: a first run's
  let now = 1000;
  const rates = new MeasuredRates(file, () => now);
  await rates.record(cpu2, 600, 3); // 200 s per MP
  await rates.record(cpu2, 300, 3); // 100: the mean of two is 150
  now = 2000;
  await rates.record({ ...cpu2, provider: 'webgpu' }, 40, 4); // 10, more recent
  const again = new MeasuredRates(file);
  assert.equal(again.lookup('realesrgan-x4plus', { provider: 'cpu', threads: 2 }), 150);
  assert.equal(again.lookup('realesrgan-x4plus', { provider: 'cpu' }), 150);
  assert.equal(again.lookup('realesrgan-x4plus', { provider: 'cpu', threads: 4 }), undefined);
  assert.equal(again.lookup('realesrgan-x4plus'), 10, "'auto': the most recent for the engine");
  assert.equal(again.lookup('realesrgan-x4fast'), undefined);
});

test('the past weighs at most 9 photos against a new one; a damaged file is an empty one', async () => {
  const file = join(tempDir(), 'measured-rates.json');
  const rates = new MeasuredRates(file);
  for (let i = 0; i < 20; i++) await rates.record(cpu2, 100, 1);
  await rates.record(cpu2, 1000, 1);
  assert.equal(rates.lookup('realesrgan-x4plus'), 190);
  await rates.record(cpu2, 0, 1); // nothing measured: ignored
  assert.equal(new MeasuredRates(file).lookup('realesrgan-x4plus'), 190);
  writeFileSync(file, '{"rates": [{"engine": "realesrgan-x4plus", "provider": "cpu", "threads": 2, "secondsPerMegapixel": "fast"}');
  assert.equal(new MeasuredRates(file).lookup('realesrgan-x4plus'), undefined);
});

test('the estimate spreads the CPU cost over the threads; PURE has none', () => {
  assert.equal(estimatedSecondsPerMegapixel('realesrgan-x4plus', 2), 190);
  assert.equal(estimatedSecondsPerMegapixel('realesrgan-x4fast', 4), 4);
  assert.equal(estimatedSecondsPerMegapixel('pure', 2), undefined);
});
