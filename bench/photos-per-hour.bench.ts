// Photos per hour for a library of 2000x1500 photos, per engine and precision, on this machine:
// a measured batch through the library's own batch runner (decode, fingerprint, inference,
// encode, database), model load counted once, extrapolated to an hour. So a user can plan a
// night's work. Also the seconds per input megapixel: the unit the app's library ETA measures and
// keeps per engine, provider and threads (engine/library/measured-rates.ts). Prints numbers; asserts nothing.
// x4plus takes ~10-15 minutes per 2000x1500 photo on 2 cores: by default its batch is of
// 500x375 photos scaled by area (x16, said so in the output; a small photo has relatively fewer
// interior tile seams, so this flatters x4plus by up to ~15%); --large-x4plus measures the real size.
// Usage: tsx bench/photos-per-hour.bench.ts [--photos n] [--large-x4plus] [--only x4fast|x4plus]
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { runBatch } from '../src-main/engine/library/batch-runner';
import { SqliteLibraryStore } from '../src-main/engine/library/sqlite-library-store';
import { Restorer } from '../src-main/engine/restore/restore';
import type { EngineId } from '../src-main/protocol/restore';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const photos = Math.max(3, Number(flag('--photos') ?? 3));
const only = flag('--only');
const large = args.includes('--large-x4plus');

interface Run {
  engine: EngineId;
  precision: 'fp32';
  width: number;
  height: number;
}
const runs: Run[] = [
  { engine: 'realesrgan-x4fast', precision: 'fp32', width: 2000, height: 1500 },
  { engine: 'realesrgan-x4plus', precision: 'fp32', width: large ? 2000 : 500, height: large ? 1500 : 375 },
].filter((r) => only === undefined || r.engine.endsWith(only)) as Run[];

console.log(`library of 2000x1500 photos, a batch of ${photos} measured per engine (load average ${loadavg()[0].toFixed(1)}: other work on this machine slows it)`);
console.log('engine              precision  measured on   batch s   load s   s/input MP   s/photo (2000x1500)   photos/hour   photos per 8 h night');
for (const run of runs) {
  const root = mkdtempSync(join(tmpdir(), 'pure-studio-photos-per-hour-'));
  try {
    const inDir = join(root, 'in');
    mkdirSync(inDir);
    // Distinct photos (the library recognises identical ones as done): a real photo, shifted.
    for (let i = 0; i < photos; i++) {
      await sharp(join(import.meta.dirname, '../test-data/photos/rocket.jpg'))
        .resize(run.width + 8 * i, run.height, { fit: 'fill' })
        .extract({ left: 4 * i, top: 0, width: run.width, height: run.height })
        .jpeg({ quality: 92 })
        .toFile(join(inDir, `scan${i}.jpg`));
    }
    const restorer = new Restorer();
    const store = SqliteLibraryStore.open(join(root, 'library.db'));
    let loadSeconds = 0;
    const summary = await runBatch({ inputs: [inDir], cwd: root, outDir: join(root, 'out'), recursive: false, redo: false, options: { engine: run.engine } }, store, restorer, {
      onPhoto: (o) => (loadSeconds += (o.result?.timings.loadModelMs ?? 0) / 1000),
    });
    await restorer.close();
    store.close();
    if (summary.restored !== photos) throw new Error(`${run.engine}: ${summary.restored} of ${photos} photos restored (${summary.failures.map((f) => f.code).join(', ')})`);
    // Scaled by area to a 2000x1500 photo when measured smaller (inference is ~linear in pixels).
    const scale = (2000 * 1500) / (run.width * run.height);
    const perMegapixel = (summary.seconds - loadSeconds) / photos / ((run.width * run.height) / 1e6);
    const perPhoto = ((summary.seconds - loadSeconds) / photos) * scale;
    const perHour = 3600 / (perPhoto + loadSeconds / photos); // the load shared by the batch
    console.log(
      `${run.engine.padEnd(20)}${run.precision.padEnd(11)}${`${run.width}x${run.height}${scale !== 1 ? ` x${scale}` : ''}`.padEnd(13)}${summary.seconds.toFixed(1).padStart(8)}${loadSeconds.toFixed(2).padStart(9)}${perMegapixel.toFixed(1).padStart(13)}${perPhoto.toFixed(1).padStart(22)}${perHour.toFixed(1).padStart(14)}${(perHour * 8).toFixed(0).padStart(23)}`,
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
