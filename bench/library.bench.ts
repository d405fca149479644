// `npm run bench -- --only library`: the photo library's own costs, apart from inference.
// 1. Opening a library of 10,000 small photos in 100 folders: finding them (recursive), adding
//    them to the SQLite library, counting and listing a page; time and the process's memory.
// 2. A batch of small photos with the fast engine: what each photo costs beyond inference
//    (decode, fingerprint, database writes, encode, the atomic write), model load counted once.
//    Target: <= 0.3 s per small photo.
// Prints numbers; asserts nothing.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { runBatch } from '../src-main/engine/library/batch-runner';
import { findInputs } from '../src-main/engine/library/find-inputs';
import { SqliteLibraryStore } from '../src-main/engine/library/sqlite-library-store';
import { Restorer } from '../src-main/engine/restore/restore';

const quick = process.argv.includes('--quick');
const root = mkdtempSync(join(tmpdir(), 'pure-studio-library-bench-'));
const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MB`;

try {
  // --- 1. open 10,000 photos ---
  const photos = join(root, 'photos');
  const small = await sharp({ create: { width: 32, height: 24, channels: 3, background: '#7a5c3e' } }).jpeg().toBuffer();
  for (let f = 0; f < 100; f++) {
    const folder = join(photos, `roll ${f}`);
    mkdirSync(folder, { recursive: true });
    for (let i = 0; i < 100; i++) writeFileSync(join(folder, `img${i}.jpg`), small);
  }
  const rss0 = process.memoryUsage().rss;
  const t0 = performance.now();
  const store = SqliteLibraryStore.open(join(root, 'library.db'));
  const { found } = await findInputs([photos], root, { recursive: true, isOutput: (p) => store.isOutput(p) });
  const t1 = performance.now();
  store.add('app', found);
  const t2 = performance.now();
  const counts = store.counts('app');
  const page = store.list('app', { limit: 200, offset: 5000 });
  const all = store.list('app');
  const t3 = performance.now();
  console.log(`open ${found.length} photos in 100 folders: find ${((t1 - t0) / 1000).toFixed(2)} s, add to the library ${((t2 - t1) / 1000).toFixed(2)} s, count + page of ${page.length} + list all ${all.length} ${((t3 - t2) / 1000).toFixed(2)} s; total ${((t3 - t0) / 1000).toFixed(2)} s`);
  console.log(`  memory: RSS ${mb(process.memoryUsage().rss)} (+${mb(process.memoryUsage().rss - rss0)} while opening); ${counts.total} in the library`);
  // A reopened library (the app's restart) lists the same photos.
  store.close();
  const t4 = performance.now();
  const reopened = SqliteLibraryStore.open(join(root, 'library.db'));
  const again = reopened.list('app');
  reopened.close();
  console.log(`  reopen and list all ${again.length}: ${((performance.now() - t4) / 1000).toFixed(2)} s`);

  // --- 2. per-photo overhead of a batch ---
  const n = quick ? 8 : 24;
  const batchDir = join(root, 'batch');
  mkdirSync(batchDir);
  const source = await sharp({ create: { width: 48, height: 32, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 40 } } }).png().toBuffer();
  for (let i = 0; i < n; i++) writeFileSync(join(batchDir, `p${i}.png`), source);
  const restorer = new Restorer();
  const batchStore = SqliteLibraryStore.open(join(root, 'batch.db'));
  let inferenceSeconds = 0;
  let loadSeconds = 0;
  const b0 = performance.now();
  const summary = await runBatch({ inputs: [batchDir], cwd: root, outDir: join(root, 'out'), recursive: false, redo: false, options: { engine: 'realesrgan-x4fast' } }, batchStore, restorer, {
    onPhoto: (o) => {
      if (!o.result) return;
      inferenceSeconds += o.result.timings.inferenceMs / 1000;
      loadSeconds += o.result.timings.loadModelMs / 1000;
    },
  });
  const seconds = (performance.now() - b0) / 1000;
  const r0 = performance.now();
  const rerun = await runBatch({ inputs: [batchDir], cwd: root, outDir: join(root, 'out'), recursive: false, redo: false, options: { engine: 'realesrgan-x4fast' } }, batchStore, restorer);
  const rerunSeconds = (performance.now() - r0) / 1000;
  await restorer.close();
  batchStore.close();
  const overhead = (seconds - inferenceSeconds - loadSeconds) / summary.restored;
  console.log(`batch of ${summary.restored} photos (48x32, realesrgan-x4fast): ${seconds.toFixed(2)} s in all, model load ${loadSeconds.toFixed(2)} s, inference ${inferenceSeconds.toFixed(2)} s`);
  console.log(`  overhead beyond inference: ${overhead.toFixed(3)} s per photo (target <= 0.3 s)`);
  console.log(`  rerun with everything done: ${rerun.doneBefore} recognised in ${rerunSeconds.toFixed(2)} s (${((rerunSeconds / rerun.doneBefore) * 1000).toFixed(1)} ms per photo)`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
