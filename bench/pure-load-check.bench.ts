// `npx tsx bench/pure-load-check.bench.ts [--layers 8] [--hidden 1024]`
// What proving a PURE package costs at load: a TEST MODEL checkpoint at a larger shape (random
// weights, it restores nothing) is converted (fp16), then PurePipeline.load runs twice: on a copy
// whose files have new mtimes (no recorded proof matches: every byte is hashed, as every load did
// before package-check.ts), and on the converted package (sizes and the recorded proof only).
// Prints seconds and bytes hashed; asserts nothing.
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PURE_TINY_TEST } from '../src-main/engine/pure/config';
import { makeTinyPureCheckpoint } from '../src-main/engine/pure/fixtures/make-tiny-checkpoint';
import { convertPure } from '../src-main/engine/pure/package/convert-pure';
import { PurePipeline } from '../src-main/engine/pure/pipeline/pure-pipeline';

const { values } = parseArgs({ options: { layers: { type: 'string', default: '8' }, hidden: { type: 'string', default: '1024' } } });
const hidden = Number(values.hidden);
const config = { ...PURE_TINY_TEST, decoder: { ...PURE_TINY_TEST.decoder, hiddenSize: hidden, numLayers: Number(values.layers), numHeads: hidden / 128, numKvHeads: hidden / 128, headDim: 128, intermediateSize: Math.round((hidden * 2.6875) / 64) * 64 } };
const dir = await mkdtemp(join(tmpdir(), 'pure-load-check-'));
try {
  const { vqFile } = await makeTinyPureCheckpoint(join(dir, 'checkpoint'), { config });
  const pkg = join(dir, 'pkg');
  const manifest = await convertPure({ checkpoint: join(dir, 'checkpoint'), vq: vqFile, out: pkg, dtype: 'fp16' });
  const bytes = manifest.files.reduce((s, f) => s + f.size, 0);
  const copy = join(dir, 'copy');
  await cp(pkg, copy, { recursive: true }); // new mtimes: its record no longer matches
  for (const [label, where] of [['copy (hashes every file)', copy], ['converted (recorded proof)', pkg]] as const) {
    const t = performance.now();
    const pipeline = await PurePipeline.load(where, 2);
    const s = (performance.now() - t) / 1000;
    await pipeline.close();
    console.log(`load, ${label}: ${s.toFixed(2)} s, ${(pipeline.fileCheck.hashedBytes / 1e6).toFixed(0)} MB hashed of a ${(bytes / 1e6).toFixed(0)} MB package`);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
