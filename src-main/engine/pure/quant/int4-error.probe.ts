// Probe (not a test): what int4 costs in accuracy and saves in size, on TEST MODELS with seeded
// random weights (they restore nothing; real checkpoints have outlier weights that random ones
// lack, so treat these as a floor on the error, not a promise). Run:
//   node --import tsx src-main/engine/pure/quant/int4-error.probe.ts [tiny|mid|all]
// For each build (fp16, int4 at several block sizes / schemes / LM head choices) it prints the
// decoder's size against fp32 and the logits' error against the fp32 graph over a 48-token
// prompt (every position): max and mean |d|, the logit range for scale, and top-1 agreement.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PURE_TINY_TEST } from '../config';
import type { DecoderConfig } from '../config';
import { buildDecoderGraph } from '../decoder/decoder-graph';
import type { DecoderDtype, Int4GraphOptions } from '../decoder/decoder-graph';
import { DecoderSession } from '../decoder/decoder-session';
import { makeTestWeights, weightGetter } from '../decoder/decoder-test-weights';
import type { GetWeight } from '../decoder/decoder-weight-names';
import { mulberry32 } from '../../../testing/mulberry32';
import { compareLogits, formatLogitError } from './logit-error';

/** TEST MODEL between tiny and 7B: hidden 512, 8 layers, 8 heads x 64, real vocabulary. */
const MID: DecoderConfig = { ...PURE_TINY_TEST.decoder, hiddenSize: 512, numLayers: 8, numHeads: 8, numKvHeads: 8, headDim: 64, intermediateSize: 1408 };

const rand = mulberry32(11);
const PROMPT = Array.from({ length: 48 }, (_, i) => (i === 0 ? 0 : 4 + Math.floor(rand() * 8192)));

interface Build {
  dtype: DecoderDtype;
  int4?: Partial<Int4GraphOptions>;
}

const BUILDS: Build[] = [
  { dtype: 'fp16' },
  { dtype: 'int4', int4: { blockSize: 32, scheme: 'asymmetric', lmHead: true } },
  { dtype: 'int4', int4: { blockSize: 32, scheme: 'asymmetric', lmHead: true, accuracyLevel: 4 } },
  { dtype: 'int4', int4: { blockSize: 32, scheme: 'asymmetric', lmHead: false } },
  { dtype: 'int4', int4: { blockSize: 32, scheme: 'symmetric', lmHead: true } },
  { dtype: 'int4', int4: { blockSize: 128, scheme: 'asymmetric', lmHead: true } },
  { dtype: 'int4', int4: { blockSize: 128, scheme: 'symmetric', lmHead: true } },
];

async function run(c: DecoderConfig, get: GetWeight, build: Build, dir: string): Promise<{ logits: Float32Array; bytes: number }> {
  const name = `${build.dtype}-${JSON.stringify(build.int4 ?? {}).replace(/\W/g, '')}`;
  // Level 0 unless a build asks for 4: the rows compare layouts with the activations exact.
  const built = buildDecoderGraph(c, get, { dtype: build.dtype, ...(build.int4 ? { int4: { accuracyLevel: 0, ...build.int4 } } : {}), externalDataPath: join(dir, `${name}.onnx.data`) });
  const path = join(dir, `${name}.onnx`);
  writeFileSync(path, built.model);
  const s = await DecoderSession.create(path, c, build.dtype, { intraOpNumThreads: 2 });
  try {
    const r = await s.run({ inputIds: [PROMPT], logitsPositions: [PROMPT.map((_, i) => i)] });
    return { logits: r.logits, bytes: (built.externalData?.byteLength ?? 0) + built.model.length };
  } finally {
    await s.release();
  }
}

async function probe(label: string, c: DecoderConfig): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'int4-probe-'));
  try {
    const get = weightGetter(makeTestWeights(c, { seed: 5 }));
    const ref = await run(c, get, { dtype: 'fp32' }, dir);
    console.log(`\n${label}: fp32 decoder ${(ref.bytes / 2 ** 20).toFixed(1)} MiB`);
    for (const build of BUILDS) {
      const got = await run(c, get, build, dir);
      const what = build.int4 ? `int4 block ${build.int4.blockSize} ${build.int4.scheme}, LM head ${build.int4.lmHead ? 'int4' : 'fp16'}${build.int4.accuracyLevel ? `, acc ${build.int4.accuracyLevel}` : ''}` : build.dtype;
      console.log(`  ${what.padEnd(52)} size x${(got.bytes / ref.bytes).toFixed(3)}  ${formatLogitError(compareLogits(ref.logits, got.logits, c.vocabSize))}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const which = process.argv[2] ?? 'all';
if (which === 'all' || which === 'tiny') await probe('TEST MODEL PURE_TINY_TEST (hidden 64, 2 layers)', PURE_TINY_TEST.decoder);
if (which === 'all' || which === 'mid') await probe('TEST MODEL mid (hidden 512, 8 layers, MLP 1408)', MID);
