// Exploration: how far a tiled Real-ESRGAN result strays from the untiled one for each context
// (pad) and overlap, on a crop of a real photo. Prints the largest difference in 1/255.
// A model that splits (x4plus) runs split by default: pad and overlap are then the body's, in
// feature pixels (the head's tiles are exact); 'whole' runs the one graph as before.
// Usage: tsx bench/tile-pad-error.ts <engine> <pads,...> <overlaps,...> [tile] [split|whole] [crop=160x120]
import sharp from 'sharp';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { decodeImage } from '../src-main/engine/image/decode';
import { locateModel } from '../src-main/engine/models/model-store';
import { Upscaler } from '../src-main/engine/restore/upscaler';

const [engine, padsArg, overlapsArg, tileArg, mode = 'split', cropArg = '160x120'] = process.argv.slice(2);
const tile = Number(tileArg ?? 48);
const [cropW, cropH] = cropArg.split('x').map(Number);
const dir = mkdtempSync(join(tmpdir(), 'pad-error-'));
const input = join(dir, 'in.png');
await sharp(join(import.meta.dirname, '../test-data/photos/rocket.jpg')).extract({ left: Math.min(250, 640 - cropW), top: Math.min(120, 427 - cropH), width: cropW, height: cropH }).toFile(input);
const { rgb } = await decodeImage(input, { maxPixels: 1e8 });
const model = await locateModel(engine);
for (const pad of padsArg.split(',').map(Number)) {
  const upscaler = await Upscaler.load(model.onnxPath, { scale: 4, pad }, ['cpu'], 2, { split: mode !== 'whole' });
  const untiled = await upscaler.upscale(rgb, { tile: 4096, bitDepth: 8 });
  for (const overlap of overlapsArg.split(',').map(Number)) {
    const tiled = await upscaler.upscale(rgb, { tile, overlap, bitDepth: 8 });
    let worst = 0;
    let sum = 0;
    for (let i = 0; i < untiled.data.length; i++) {
      const d = Math.abs(untiled.data[i] - tiled.data[i]);
      worst = Math.max(worst, d);
      sum += d;
    }
    console.log(`${engine}${upscaler.split ? ' (split)' : ''} tile=${tile} pad=${pad} overlap=${overlap}: max ${worst}/255, mean ${(sum / untiled.data.length).toFixed(4)}`);
  }
  await upscaler.close();
}
