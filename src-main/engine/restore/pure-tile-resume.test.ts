// PURE resumes at tile level: a 4-tile restoration interrupted after its first tile, then run
// again by a new Restorer (as after a crash or closing the app), starts at the second tile and
// writes the same bytes as a run never interrupted with the same seed. On the TEST MODEL (random
// weights): this proves the bookkeeping, not the quality.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { makeTinyPureCheckpoint } from '../pure/fixtures/make-tiny-checkpoint';
import { convertPure } from '../pure/package/convert-pure';
import { Restorer } from './restore';
import type { RestoreProgress } from '../../protocol/restore';
import { photo, tempDir } from '../../testing/fixtures';

const dir = tempDir();
const model = join(dir, 'pure-tiny');
const home = join(dir, 'home');

test.before(async () => {
  const made = await makeTinyPureCheckpoint(join(dir, 'checkpoint'), { seed: 5 });
  await convertPure({ checkpoint: join(dir, 'checkpoint'), vq: made.vqFile, out: model, dtype: 'fp32' });
});

const options = { engine: 'pure' as const, model, threads: 2, seed: 7, caption: 'noise: medium, blur: small. A cat.', maxNewTokens: 40 };

test('interrupted after tile 1 of 4, resumed: byte-identical to an uninterrupted run', { timeout: 600_000 }, async () => {
  const input = join(dir, 'cat.png');
  await sharp(photo('chelsea.png')).extract({ left: 80, top: 40, width: 200, height: 180 }).toFile(input);

  const whole = new Restorer(home);
  const reference = await whole.restore(input, join(dir, 'reference.png'), options);
  await whole.close();
  assert.equal(reference.tiles, 4);

  const tiles = join(dir, 'tiles');
  const interrupted = new Restorer(home);
  const controller = new AbortController();
  await assert.rejects(
    interrupted.restore(input, join(dir, 'resumed.png'), options, {
      resumeTiles: tiles,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.tilesDone === 1) controller.abort();
      },
    }),
    { code: 'CANCELLED' },
  );
  await interrupted.close();
  assert.deepEqual(readdirSync(tiles), ['tile-0.bin'], 'the finished tile is kept, nothing else');

  const resumed = new Restorer(home);
  const events: RestoreProgress[] = [];
  const result = await resumed.restore(input, join(dir, 'resumed.png'), options, { resumeTiles: tiles, onProgress: (p) => events.push(p) });
  await resumed.close();
  assert.equal(result.tiles, 4);
  assert.ok(!events.some((p) => p.phase !== undefined && p.tilesDone === 0), 'tile 1 was not generated again');
  assert.ok(events.some((p) => p.phase !== undefined && p.tilesDone === 1), 'generation started at tile 2');
  assert.ok(readFileSync(join(dir, 'resumed.png')).equals(readFileSync(join(dir, 'reference.png'))), 'the same bytes as the uninterrupted run');
  assert.equal(existsSync(tiles), false, 'the saved tiles go once the photo is written');
});

test('saved tiles of other settings are not used', { timeout: 600_000 }, async () => {
  const input = join(dir, 'cat2.png');
  await sharp(photo('chelsea.png')).extract({ left: 10, top: 10, width: 200, height: 180 }).toFile(input);
  const tiles = join(dir, 'tiles-2');
  const first = new Restorer(home);
  const controller = new AbortController();
  await assert.rejects(first.restore(input, join(dir, 'c2.png'), options, { resumeTiles: tiles, signal: controller.signal, onProgress: (p) => p.tilesDone === 1 && controller.abort() }), { code: 'CANCELLED' });
  await first.close();
  const second = new Restorer(home);
  const events: RestoreProgress[] = [];
  await second.restore(input, join(dir, 'c2.png'), { ...options, seed: 8 }, { resumeTiles: tiles, onProgress: (p) => events.push(p) });
  await second.close();
  assert.ok(events.some((p) => p.phase !== undefined && p.tilesDone === 0), 'another seed: tile 1 is generated afresh');
});
