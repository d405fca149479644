// The live preview picture: bicubic base, finished tile cores pasted in, the current tile's rows
// over them, throttled, files kept whole and cleaned up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { basename } from 'node:path';
import sharp from 'sharp';
import { planPureTiles, pureTileGeometry } from './pure-tile-plan';
import { PREVIEW_FILES_KEPT, PureTilePreview } from './pure-tile-preview';
import { tempDir } from '../../testing/fixtures';

const solid = (width: number, height: number, rgb: [number, number, number]): Uint8Array => {
  const out = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) out.set(rgb, i * 3);
  return out;
};

async function pixel(path: string, x: number, y: number): Promise<number[]> {
  const { data, info } = await sharp(path).raw().toBuffer({ resolveWithObject: true });
  const i = (y * info.width + x) * info.channels;
  return [data[i], data[i + 1], data[i + 2]];
}

test('finished cores and the current tile over the base, at most one file per interval, gone on close', async () => {
  const dir = tempDir();
  // 200x100 at x4: tiles read x 0-128 and 72-200, cores 0-108 and 92-200; one row (100 <= 128).
  const plan = planPureTiles(200, 100, pureTileGeometry(512, 4));
  assert.equal(plan.count, 2);
  let now = 0;
  const emitted: string[] = [];
  const preview = await PureTilePreview.create(dir, { rgb: solid(200, 100, [10, 20, 30]), width: 200, height: 100 }, plan, 4, (p) => emitted.push(p), { now: () => now, minIntervalMs: 500, lingerMs: 0 });
  // 800x400 output fits 640: 640x320, 3.2 preview px per input px.
  assert.deepEqual([preview.width, preview.height], [640, 320]);

  await preview.tileRows(0, solid(512, 512, [200, 0, 0]), 512); // the first always shows
  assert.equal(emitted.length, 1);
  assert.deepEqual(await pixel(emitted[0], 10, 10), [200, 0, 0], 'tile 0 in progress');
  assert.deepEqual(await pixel(emitted[0], 600, 10), [10, 20, 30], 'the base elsewhere');

  now = 100;
  await preview.tileRows(0, solid(512, 512, [0, 200, 0]), 512);
  assert.equal(emitted.length, 1, 'too soon: dropped');

  now = 700;
  await preview.tileDone(0, solid(512, 400, [0, 0, 250]), 512, 400);
  assert.equal(emitted.length, 2);
  now = 1300;
  await preview.tileRows(0, solid(512, 512, [1, 1, 1]), 512);
  assert.equal(emitted.length, 2, 'a late preview of a finished tile is dropped');
  now = 1400;
  await preview.tileRows(1, solid(512, 512, [250, 250, 0]), 512);
  assert.equal(emitted.length, 3);
  const third = emitted[2];
  assert.deepEqual(await pixel(third, 10, 10), [0, 0, 250], 'tile 0 final');
  // Tile 1 reads from input x 72 = preview x 230.4, so at x 240 its rows are on top.
  assert.deepEqual(await pixel(third, 240, 10), [250, 250, 0]);
  assert.deepEqual(await pixel(third, 225, 10), [0, 0, 250]);

  now = 2100;
  await preview.tileDone(1, solid(512, 400, [0, 250, 0]), 512, 400);
  const last = emitted[3];
  // Cores: tile 0 up to input 108 (preview 345.6), tile 1 from 92 (preview 294.4): the later core wins its part.
  assert.deepEqual(await pixel(last, 280, 10), [0, 0, 250]);
  assert.deepEqual(await pixel(last, 360, 10), [0, 250, 0]);
  await preview.close();
  assert.equal(existsSync(preview.folder), false);
});

test('only the last few files are kept, and the folder outlives the job a moment, for a page that is behind', async () => {
  const dir = tempDir();
  const plan = planPureTiles(200, 100, pureTileGeometry(512, 4));
  let now = 0;
  const emitted: string[] = [];
  const preview = await PureTilePreview.create(dir, { rgb: solid(200, 100, [10, 20, 30]), width: 200, height: 100 }, plan, 4, (p) => emitted.push(p), { now: () => now, minIntervalMs: 500, lingerMs: 200 });
  for (let i = 0; i < PREVIEW_FILES_KEPT + 2; i++, now += 500) await preview.tileRows(0, solid(512, 512, [i, 0, 0]), 512);
  assert.equal(emitted.length, PREVIEW_FILES_KEPT + 2);
  assert.deepEqual(readdirSync(preview.folder).filter((n) => n.endsWith('.png')).sort(), emitted.slice(2).map((p) => basename(p)), 'the oldest two are gone');
  await preview.close();
  assert.ok(existsSync(emitted.at(-1)!), 'the last one is still there right after the job');
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.equal(existsSync(preview.folder), false, 'then the folder goes');
});
