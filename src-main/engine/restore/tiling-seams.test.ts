// A tiled restoration must match an untiled one within 2/255 on every pixel: the context around
// each tile and the blending must hide every seam.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { decodeImage } from '../image/decode';
import { catalogEntry } from '../models/catalog';
import { locateModel } from '../models/model-store';
import { Upscaler } from './upscaler';
import { photo, tempDir } from '../../testing/fixtures';
import { join } from 'node:path';

for (const { engine, width, height, tile } of [
  { engine: 'realesrgan-x4fast', width: 160, height: 120, tile: 48 },
  { engine: 'realesrgan-x4plus', width: 96, height: 72, tile: 40 },
]) {
  test(`${engine}: tiles of ${tile} px match the untiled result within 2/255`, async () => {
    const dir = tempDir();
    const input = join(dir, 'in.png');
    await sharp(photo('rocket.jpg')).extract({ left: 250, top: 120, width, height }).toFile(input);
    const { rgb } = await decodeImage(input, { maxPixels: 1e8 });
    const model = await locateModel(engine);
    const upscaler = await Upscaler.load(model.onnxPath, { scale: 4, pad: catalogEntry(engine).tilePad }, ['cpu'], 2);
    try {
      const untiled = await upscaler.upscale(rgb, { tile: 4096, bitDepth: 8 });
      let tiles = 0;
      const tiled = await upscaler.upscale(rgb, { tile, bitDepth: 8, onTile: (p) => (tiles = p.tilesTotal) });
      assert.ok(tiles >= 6, `expected several tiles, got ${tiles}`);
      let worst = 0;
      for (let i = 0; i < untiled.data.length; i++) worst = Math.max(worst, Math.abs(untiled.data[i] - tiled.data[i]));
      assert.ok(worst <= 2, `largest difference ${worst}/255`);
    } finally {
      await upscaler.close();
    }
  });
}
