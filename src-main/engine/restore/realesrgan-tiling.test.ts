// Each Real-ESRGAN engine's default tiling (realesrgan-tiling.ts) must keep a tiled result within
// 2/255 of an untiled one on every pixel, on a photo big enough for tiles in both directions.
// x4plus runs split: its seams are the body's (context and feature blend; the head's tiles are
// exact, split-upscale.test.ts), and an untiled body at its 512 px default would take a 2x2 plan
// of ~0.35 MP per run (minutes and ~1.5 GB here), so it is checked with its default context and
// blend on 96 px body tiles, 3x3 on a 240x208 photo: every seam at least one tile from the edge
// (a 2x2 plan's reads, padded to one shape, would cover the whole photo).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { planTiles } from '../common/tiling';
import type { RasterImage } from '../image/types';
import { catalogEntry } from '../models/catalog';
import { locateModel } from '../models/model-store';
import { photo } from '../../testing/fixtures';
import { engineTiling, realesrganTileSettings } from './realesrgan-tiling';
import { planBalancedSpans } from './split-upscale';
import { Upscaler } from './upscaler';

test('an explicit --tile keeps the engine\'s blend, capped at a quarter of the tile', () => {
  assert.deepEqual(realesrganTileSettings('realesrgan-x4plus', 40), { tile: 512, overlap: 16, pad: 56 });
  assert.deepEqual(realesrganTileSettings('realesrgan-x4plus', 40, 48), { tile: 48, overlap: 12, pad: 56 });
  assert.deepEqual(realesrganTileSettings('realesrgan-x4fast', 24, 96), { tile: 96, overlap: 0, pad: 24 });
  assert.deepEqual(realesrganTileSettings('some-custom-model', 16), { tile: 192, overlap: 16, pad: 16 });
});

async function photoRaster(width: number, height: number): Promise<RasterImage> {
  // rocket.jpg (640x427) resized: real photographic detail at any size.
  const { data } = await sharp(photo('rocket.jpg')).resize(width, height, { fit: 'fill' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width, height, channels: 3, bitDepth: 8, data: new Uint8Array(data) };
}

for (const engine of ['realesrgan-x4fast', 'realesrgan-x4plus']) {
  test(`${engine}: the default tiling${engine === 'realesrgan-x4plus' ? '\'s context and blend (split, 96 px body tiles)' : ''} matches the untiled result within 2/255`, async () => {
    const pad = catalogEntry(engine).tilePad;
    const split = engine === 'realesrgan-x4plus';
    const tile = split ? 96 : engineTiling(engine).tile;
    // x4fast: just over one default tile each way, a 2x2 plan with seams across and down the middle.
    const rgb = split ? await photoRaster(240, 208) : await photoRaster(tile + 48, tile + 32);
    const settings = { ...realesrganTileSettings(engine, pad), tile };
    assert.equal(planTiles(rgb.width, rgb.height, settings).count, split ? 9 : 4);
    if (split) assert.ok(planBalancedSpans(rgb.width, settings)[0].readEnd < rgb.width && planBalancedSpans(rgb.height, settings)[0].readEnd < rgb.height);
    const upscaler = await Upscaler.load((await locateModel(engine)).onnxPath, { scale: 4, pad }, ['cpu'], 0);
    assert.equal(upscaler.split, engine === 'realesrgan-x4plus');
    try {
      const untiled = await upscaler.upscale(rgb, { tile: 4096, bitDepth: 8 });
      const tiled = await upscaler.upscale(rgb, { tile: settings.tile, overlap: settings.overlap, pad: settings.pad, bitDepth: 8 });
      let worst = 0;
      for (let i = 0; i < untiled.data.length; i++) worst = Math.max(worst, Math.abs(untiled.data[i] - tiled.data[i]));
      assert.ok(worst <= 2, `largest difference ${worst}/255`);
    } finally {
      await upscaler.close();
    }
  });
}
