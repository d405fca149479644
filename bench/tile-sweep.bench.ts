// Time per input pixel of the Real-ESRGAN engines for tile sizes and overlaps, relative to an
// untiled 128x128 input (the issue's 1.2x target), with the inference process's peak memory.
// Each distinct tile read size is run once on a real photo's pixels (remembered across settings)
// and its cost is multiplied by how often a plan uses it: a 2000x1500 plan costs ~9 model runs
// instead of ~100 (x4plus would take ~13 minutes per setting on 2 cores otherwise).
// Cost is the inference process's CPU seconds (/proc/<pid>/stat), not wall time: on a machine
// shared with other work, wall time swung 4x between identical runs while CPU time held within
// a few per cent. One thread by default, so no time goes to spinning thread-pool workers; tile
// overhead is a ratio and does not depend on the thread count. Prints numbers, asserts nothing.
// 'split' (x4plus): the body graph on the plan's tiles (overlap = the feature blend) plus the head
// graph on HEAD_TILE tiles of the feature map with HEAD_PAD context, as split-upscale.ts runs them;
// the baseline is still the whole graph untiled at 128x128. Peak RSS: each process alone, on its
// largest tile (the whole restoration's peak, both processes and the engine's, is bench-one's).
// Usage: tsx bench/tile-sweep.bench.ts <engine> [tiles=128,192,256] [overlaps=0,16] [sizes=128x128,512x512,2000x1500] [pad] [threads=1] [whole|split]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { rasterRectToNCHW } from '../src-main/engine/common/raster-ops';
import { tileReadRect } from '../src-main/engine/common/tile-accumulator';
import { planTiles } from '../src-main/engine/common/tiling';
import type { RasterImage } from '../src-main/engine/image/types';
import { catalogEntry } from '../src-main/engine/models/catalog';
import { locateModel } from '../src-main/engine/models/model-store';
import { InferenceWorker } from '../src-main/engine/runtime/inference-worker';
import { splitGraphs } from '../src-main/engine/restore/realesrgan-split';
import { HEAD_PAD, HEAD_TILE } from '../src-main/engine/restore/split-upscale';

const [engine, tilesArg = '128,192,256', overlapsArg = '0,16', sizesArg = '128x128,512x512,2000x1500', padArg, threadsArg = '1', mode = 'whole'] = process.argv.slice(2);
const threads = Number(threadsArg);
const list = (s: string): number[] => s.split(',').map(Number);
const sizes = sizesArg.split(',').map((s) => s.split('x').map(Number) as [number, number]);
const pad = padArg !== undefined ? Number(padArg) : catalogEntry(engine).tilePad;
const model = await locateModel(engine);
const split = mode === 'split' ? await splitGraphs(model.onnxPath) : undefined;
if (mode === 'split' && !split) throw new Error(`${engine} does not split`);

async function photoAt(width: number, height: number): Promise<RasterImage> {
  const { data } = await sharp(join(import.meta.dirname, '../test-data/photos/rocket.jpg')).resize(width, height, { fit: 'fill' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width, height, channels: 3, bitDepth: 8, data: new Uint8Array(data) };
}

/** User + system CPU seconds of a process so far (fields 14 and 15 of /proc/<pid>/stat, in clock ticks of 1/100 s). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function timeRun(worker: InferenceWorker, img: RasterImage, x: number, y: number, w: number, h: number): Promise<number> {
  const input = rasterRectToNCHW(img, x, y, w, h);
  const c = cpuSeconds(worker.pid!);
  await worker.run(input, [1, 3, h, w]);
  return cpuSeconds(worker.pid!) - c;
}

// Split: the body's feature map of the read, fed to the head in HEAD_TILE tiles (their cost per
// distinct read size, measured once, like the body's).
const bodyWorker = split && (await InferenceWorker.start(split.body, ['cpu'], threads));
const headWorker = split && (await InferenceWorker.start(split.head, ['cpu'], threads));
const headMeasured = new Map<string, number>();
async function headCost(w: number, h: number): Promise<number> {
  const key = `${w}x${h}`;
  if (!headMeasured.has(key)) {
    const c = cpuSeconds(headWorker!.worker.pid!);
    await headWorker!.worker.run(new Float32Array(64 * w * h).fill(0.1), [1, 64, h, w]);
    headMeasured.set(key, cpuSeconds(headWorker!.worker.pid!) - c);
  }
  return headMeasured.get(key)!;
}
async function splitHeadSeconds(width: number, height: number): Promise<number> {
  const plan = planTiles(width, height, { tile: HEAD_TILE, overlap: 0, pad: HEAD_PAD });
  let seconds = 0;
  for (let row = 0; row < plan.ys.length; row++) {
    for (let col = 0; col < plan.xs.length; col++) {
      const r = tileReadRect(plan, row, col);
      seconds += await headCost(r.width, r.height);
    }
  }
  return seconds;
}

// CPU seconds per distinct read size (w x h), measured once in one process.
const timer = await InferenceWorker.start(model.onnxPath, ['cpu'], threads);
const measured = new Map<string, number>();
async function costOf(img: RasterImage, g: { x: number; y: number; w: number; h: number }): Promise<number> {
  const key = `${g.w}x${g.h}`;
  if (!measured.has(key)) measured.set(key, await timeRun(bodyWorker ? bodyWorker.worker : timer.worker, img, g.x, g.y, g.w, g.h));
  return measured.get(key)!;
}

// The untiled 128x128 baseline: the best of three runs (the first also warms the process up).
const img128 = await photoAt(128, 128);
let baseSeconds = Infinity;
for (let i = 0; i < 3; i++) baseSeconds = Math.min(baseSeconds, await timeRun(timer.worker, img128, 0, 0, 128, 128));
if (!split) measured.set('128x128', baseSeconds);
const basePerMp = baseSeconds / ((128 * 128) / 1e6);
console.log(`${engine}: untiled 128x128 ${baseSeconds.toFixed(3)} CPU s = ${basePerMp.toFixed(1)} CPU s/input MP (pad ${pad}, ${threads} thread(s), ${split ? 'split: body + head' : 'whole graph'})`);
console.log('tile  overlap  size         tiles  read/input px  CPU s     CPU s/input MP   x 128x128   worker peak RSS MB (largest tile alone)');

for (const tile of list(tilesArg)) {
  for (const overlap of list(overlapsArg)) {
    // Peak memory of this setting: a fresh process runs its largest tile once.
    const largest = Math.min(tile + 2 * pad, 2000);
    const probe = await InferenceWorker.start(split ? split.body : model.onnxPath, ['cpu'], threads);
    await probe.worker.run(new Float32Array(3 * largest * largest), [1, 3, largest, largest]);
    let peakMB = probe.worker.peakRssBytes / 2 ** 20;
    await probe.worker.close();
    if (split) {
      const head = await InferenceWorker.start(split.head, ['cpu'], threads);
      const edge = HEAD_TILE + 2 * HEAD_PAD;
      await head.worker.run(new Float32Array(64 * edge * edge), [1, 64, edge, edge]);
      console.log(`  body peak ${peakMB.toFixed(0)} MB (read ${largest}x${largest}) + head peak ${(head.worker.peakRssBytes / 2 ** 20).toFixed(0)} MB (read ${edge}x${edge})`);
      peakMB += head.worker.peakRssBytes / 2 ** 20;
      await head.worker.close();
    }
    for (const [width, height] of sizes) {
      const img = await photoAt(width, height);
      const plan = planTiles(width, height, { tile, overlap, pad });
      const groups = new Map<string, { x: number; y: number; w: number; h: number; count: number }>();
      for (let row = 0; row < plan.ys.length; row++) {
        for (let col = 0; col < plan.xs.length; col++) {
          const r = tileReadRect(plan, row, col);
          const key = `${r.width}x${r.height}`;
          const g = groups.get(key);
          if (g) g.count++;
          else groups.set(key, { x: r.x, y: r.y, w: r.width, h: r.height, count: 1 });
        }
      }
      let seconds = 0;
      let readPixels = 0;
      for (const g of groups.values()) {
        seconds += g.count * (await costOf(img, g));
        readPixels += g.count * g.w * g.h;
      }
      if (split) seconds += await splitHeadSeconds(width, height);
      const perMp = seconds / ((width * height) / 1e6);
      console.log(
        `${String(tile).padStart(4)}${String(overlap).padStart(9)}  ${`${width}x${height}`.padEnd(11)}${String(plan.count).padStart(6)}${(readPixels / (width * height)).toFixed(2).padStart(15)}${seconds.toFixed(1).padStart(8)}${perMp.toFixed(1).padStart(17)}${(perMp / basePerMp).toFixed(2).padStart(12)}${peakMB.toFixed(0).padStart(21)}`,
      );
    }
  }
}
await timer.worker.close();
await bodyWorker?.worker.close();
await headWorker?.worker.close();
