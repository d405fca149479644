// The batch's ETA as the CLI shows it: per input megapixel, with the rate measured on this machine
// in an earlier batch from its very first report (before, nothing was said until a photo was 5%
// done), and this batch's photos added to the measured rates for the next one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { Restorer } from '../restore/restore';
import type { RestoreOptionsInput } from '../../protocol/restore';
import { photo, tempDir } from '../../testing/fixtures';
import { runBatch, type BatchProgress } from './batch-runner';
import { MeasuredRates } from './measured-rates';
import { SqliteLibraryStore } from './sqlite-library-store';

const FAST: RestoreOptionsInput = { engine: 'realesrgan-x4fast', providers: ['cpu'], threads: 1 };
const KEY = { engine: 'realesrgan-x4fast', provider: 'cpu', threads: 1 };

test('the first ETA uses the rate measured before, per megapixel; the batch adds its own rate', { timeout: 120_000 }, async () => {
  const dir = tempDir();
  const photos = join(dir, 'photos');
  mkdirSync(photos);
  // 0.008 and 0.02 input megapixels: a per-photo ETA would count them alike.
  await sharp(photo('rocket.jpg')).resize(100, 80, { fit: 'fill' }).toFile(join(photos, 'a small.png'));
  await sharp(photo('rocket.jpg')).resize(200, 100, { fit: 'fill' }).toFile(join(photos, 'b wide.png'));
  const ratesFile = join(dir, 'measured-rates.json');
  // An earlier batch on a much slower day: 1000 s per megapixel, far from what this one takes.
  await new MeasuredRates(ratesFile).record(KEY, 1000, 1);

  const store = SqliteLibraryStore.open(join(dir, 'library.db'));
  const restorer = new Restorer();
  const reports: BatchProgress[] = [];
  try {
    const summary = await runBatch({ inputs: [photos], cwd: dir, outDir: join(dir, 'out'), recursive: false, redo: false, options: FAST, rates: new MeasuredRates(ratesFile) }, store, restorer, {
      onProgress: (p) => reports.push(p),
    });
    assert.equal(summary.restored, 2);
  } finally {
    await restorer.close();
    store.close();
  }
  const first = reports[0];
  assert.equal(first.photo, 1);
  assert.ok(first.progress.fraction < 0.05, 'the very first report, before the photo is under way');
  // 1000 s/MP x (0.008 running, nothing done yet + 0.02 waiting) = 28 s.
  assert.ok(first.etaSeconds !== undefined && Math.abs(first.etaSeconds - 28 * (1 - first.progress.fraction)) < 0.5, `first ETA ${first.etaSeconds}`);
  // Once the first photo is done, this batch's own rate (seconds, not 1000 s/MP) takes over.
  const second = reports.find((p) => p.photo === 2)!;
  assert.ok(second.etaSeconds !== undefined && second.etaSeconds < 20, `second photo's ETA ${second.etaSeconds}`);
  // Saved for the next batch: the old mean moved towards this machine's real speed.
  const saved = new MeasuredRates(ratesFile).lookup('realesrgan-x4fast', { provider: 'cpu', threads: 1 });
  assert.ok(saved !== undefined && saved < 1000, `saved rate ${saved}`);
});
