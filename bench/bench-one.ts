// One benchmark case in its own process, so that its peak RSS is its own. Prints one JSON line.
// Usage: tsx bench/bench-one.ts <engine> <width> <height> <threads> [tile]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { Restorer } from '../src-main/engine/restore/restore';
import type { EngineId } from '../src-main/protocol/restore';

const [engine, w, h, threads, tile] = process.argv.slice(2);
const width = Number(w);
const height = Number(h);
const dir = mkdtempSync(join(tmpdir(), 'pure-bench-'));
try {
  // A real photo resized to the case's size (rocket.jpg is 640x427).
  const input = join(dir, 'input.png');
  await sharp(join(import.meta.dirname, '../test-data/photos/rocket.jpg')).resize(width, height, { fit: 'fill' }).png().toFile(input);
  const restorer = new Restorer();
  const options = { engine: engine as EngineId, threads: Number(threads), ...(tile ? { tile: Number(tile) } : {}) };
  // Warm-up on a tiny image so model loading is not counted as inference.
  const warm = join(dir, 'warm.png');
  await sharp(input).resize(32, 32).png().toFile(warm);
  await restorer.restore(warm, join(dir, 'warm-out.png'), options);
  const result = await restorer.restore(input, join(dir, 'out.png'), options);
  await restorer.close();
  const mp = (width * height) / 1e6;
  process.stdout.write(
    `${JSON.stringify({
      engine,
      size: `${width}x${height}`,
      threads: Number(threads),
      provider: result.provider,
      tiles: result.tiles,
      inferenceSeconds: result.timings.inferenceMs / 1000,
      totalSeconds: result.timings.totalMs / 1000,
      secondsPerInputMegapixel: result.timings.inferenceMs / 1000 / mp,
      // The engine's own process plus its inference child process (each measured at its peak).
      peakRssMB: process.resourceUsage().maxRSS / 1024 + result.workerPeakRssBytes / 2 ** 20,
    })}\n`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
