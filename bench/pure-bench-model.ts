// The benchmark model of `npm run bench:pure`: PURE's decoder graphs at a chosen shape (up to the
// real 7B) with seeded random weights, as a package holds them (decoder-graph-pair.ts): the
// static-cache graph (CPU and host-cache providers) and the concat one (WebGPU, cache on the device)
// over one weights file, plus the two-level (split) device-cache graph that packages do not carry yet. It is a BENCHMARK MODEL (random weights, not PURE): it
// lives under .cache/bench-models/, never in the models store, and is only ever timed.
// Built once per shape and dtype and reused while the graph-building code is unchanged (its
// sources are fingerprinted). Weights are tiles of one seeded random pool, so that writing
// 7B of them costs little more than the disk writes; their values do not affect speed.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PURE_7B, PURE_TINY_TEST } from '../src-main/engine/pure/config';
import type { DecoderConfig } from '../src-main/engine/pure/config';
import { INT4_DEFAULTS } from '../src-main/engine/pure/decoder/decoder-graph';
import { buildDecoderGraphPair } from '../src-main/engine/pure/decoder/decoder-graph-pair';
import type { DecoderDtype } from '../src-main/engine/pure/decoder/decoder-graph';
import { decoderTensorSpecs } from '../src-main/engine/pure/decoder/decoder-weight-names';
import type { GetWeight } from '../src-main/engine/pure/decoder/decoder-weight-names';
import { weightBytes } from '../src-main/engine/pure/preflight/memory-estimate';
import { mulberry32 } from '../src-main/testing/mulberry32';

export const BENCH_MODEL_LABEL = 'benchmark model (random weights, not PURE)';

export const BENCH_SHAPES: Record<'tiny' | 'small' | '7b', DecoderConfig> = {
  tiny: PURE_TINY_TEST.decoder,
  /** 1/4 of 7B's width, 1/4 of its layers, the real head size and vocabulary */
  small: { ...PURE_7B.decoder, hiddenSize: 1024, numLayers: 8, numHeads: 8, numKvHeads: 8, headDim: 128, intermediateSize: 2816 },
  '7b': PURE_7B.decoder,
};
export type BenchShape = keyof typeof BENCH_SHAPES;

/** The repository (PURE_BENCH_ROOT when this runs as a bundle, see scripts/gpu-bench.sh). */
const ROOT = process.env.PURE_BENCH_ROOT ?? join(import.meta.dirname, '..');
export const BENCH_MODELS_DIR = join(ROOT, '.cache', 'bench-models');
/** The code that decides what the graph is: a change in any of them invalidates cached models. */
const GRAPH_SOURCES = [
  'src-main/engine/pure/decoder/decoder-graph.ts',
  'src-main/engine/pure/decoder/decoder-graph-pair.ts',
  'src-main/engine/pure/decoder/static-attention.ts',
  'src-main/engine/pure/decoder/static-mask.ts',
  'src-main/engine/pure/decoder/weight-sink.ts',
  'src-main/engine/pure/decoder/decoder-layer.ts',
  'src-main/engine/pure/decoder/graph-ops.ts',
  'src-main/engine/pure/decoder/weight-prep.ts',
  'src-main/engine/pure/quant/int4-blockwise.ts',
  'src-main/engine/pure/quant/matmul-nbits.ts',
  'bench/pure-bench-model.ts',
];
const SEED = 20240611;
const POOL = 1 << 20; // values in the random pool; tensors are tiles of it at seeded offsets

/** What else distinguishes one build from another of the same shape and dtype. */
export interface BenchVariant {
  /** int4 only: MatMulNBits' accuracy_level (4: int8 activations on the CPU). */
  int4Accuracy?: 0 | 4;
}

export interface BenchModel {
  label: string;
  shape: BenchShape;
  dtype: DecoderDtype;
  config: DecoderConfig;
  dir: string;
  /** The static-cache graph (decoder.onnx, as in a package). */
  staticPath: string;
  /** The concat-cache graph over the same weights (decoder-concat.onnx). */
  concatPath: string;
  /** The two-level (split) cache graph over the same weights (decoder-split.onnx). */
  splitPath: string;
  diskBytes: number;
  /** seconds spent building; 0 when reused from the cache */
  buildS: number;
}

interface Stamp {
  label: string;
  shape: BenchShape;
  dtype: DecoderDtype;
  config: DecoderConfig;
  seed: number;
  sources: string;
  int4Accuracy?: number;
}

const int4AccuracyOf = (variant: BenchVariant): 0 | 4 => variant.int4Accuracy ?? INT4_DEFAULTS.accuracyLevel ?? 0;

function sourcesFingerprint(): string {
  const h = createHash('sha256');
  for (const file of GRAPH_SOURCES) h.update(readFileSync(join(ROOT, file)));
  return h.digest('hex').slice(0, 16);
}

/** Deterministic weights, roughly scaled like real ones: norms ~1, matrices ~1/sqrt(fan_in). */
function poolWeights(c: DecoderConfig): GetWeight {
  const rand = mulberry32(SEED);
  const pool = Float32Array.from({ length: POOL }, () => (rand() - 0.5) * 3.4641); // uniform, unit variance
  const shapes = new Map(decoderTensorSpecs(c).map((s) => [s.name, s.shape]));
  return (name) => {
    const shape = shapes.get(name);
    if (!shape) throw new Error(`unknown weight ${name}`);
    const count = shape.reduce((a, b) => a * b, 1);
    const out = new Float32Array(count);
    let offset = Math.floor(mulberry32(SEED ^ hashName(name))() * POOL);
    for (let done = 0; done < count; ) {
      const n = Math.min(POOL - offset, count - done);
      out.set(pool.subarray(offset, offset + n), done);
      done += n;
      offset = 0;
    }
    const isNorm = shape.length === 1 || name.includes('_norm');
    const scale = isNorm ? 0.1 : name.endsWith('embed_tokens.weight') ? 1 : 1 / Math.sqrt(shape[1]);
    for (let i = 0; i < count; i++) out[i] = (isNorm && !name.endsWith('.bias') ? 1 : 0) + out[i] * scale;
    return out;
  };
}

function hashName(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export function expectedDiskBytes(shape: BenchShape, dtype: DecoderDtype): number {
  return weightBytes(BENCH_SHAPES[shape], dtype === 'int4' ? 'int4' : dtype);
}

export function freeDiskBytes(dir: string): number {
  let probe = dir;
  while (!existsSync(probe)) probe = dirname(probe);
  const s = statfsSync(probe);
  return s.bavail * s.bsize;
}

interface BenchPaths {
  dir: string;
  staticPath: string;
  concatPath: string;
  splitPath: string;
  stampPath: string;
  stamp: string;
}

function paths(shape: BenchShape, dtype: DecoderDtype, variant: BenchVariant): BenchPaths {
  // The package default (INT4_DEFAULTS) keeps the plain name; another accuracy level gets its own folder.
  const accuracy = dtype === 'int4' ? int4AccuracyOf(variant) : undefined;
  const suffix = accuracy !== undefined && accuracy !== INT4_DEFAULTS.accuracyLevel ? `-acc${accuracy}` : '';
  const dir = join(BENCH_MODELS_DIR, `${shape}-${dtype}${suffix}`);
  const stamp: Stamp = { label: BENCH_MODEL_LABEL, shape, dtype, config: BENCH_SHAPES[shape], seed: SEED, sources: sourcesFingerprint(), ...(accuracy !== undefined ? { int4Accuracy: accuracy } : {}) };
  return { dir, staticPath: join(dir, 'decoder.onnx'), concatPath: join(dir, 'decoder-concat.onnx'), splitPath: join(dir, 'decoder-split.onnx'), stampPath: join(dir, 'bench-model.json'), stamp: JSON.stringify(stamp) };
}

/** The cached model, when one was built for this shape and dtype by the current graph code. */
export function cachedBenchModel(shape: BenchShape, dtype: DecoderDtype, variant: BenchVariant = {}): BenchModel | undefined {
  const { dir, staticPath, concatPath, splitPath, stampPath, stamp } = paths(shape, dtype, variant);
  if (!existsSync(stampPath) || readFileSync(stampPath, 'utf8') !== stamp) return undefined;
  return { label: BENCH_MODEL_LABEL, shape, dtype, config: BENCH_SHAPES[shape], dir, staticPath, concatPath, splitPath, diskBytes: expectedDiskBytes(shape, dtype), buildS: 0 };
}

/** The cached model, or a fresh build (replacing any stale one). */
export function benchModel(shape: BenchShape, dtype: DecoderDtype, options: BenchVariant & { rebuild?: boolean; log?: (line: string) => void } = {}): BenchModel {
  const cached = options.rebuild ? undefined : cachedBenchModel(shape, dtype, options);
  if (cached) return cached;
  const config = BENCH_SHAPES[shape];
  const { dir, staticPath, concatPath, splitPath, stamp } = paths(shape, dtype, options);
  rmSync(dir, { recursive: true, force: true });
  const staging = `${dir}.building`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  options.log?.(`building the ${shape} ${dtype} ${BENCH_MODEL_LABEL} in ${dir} (~${(expectedDiskBytes(shape, dtype) / 1e9).toFixed(2)} GB)...`);
  const t = performance.now();
  try {
    const int4 = dtype === 'int4' ? { int4: { accuracyLevel: int4AccuracyOf(options) } } : {};
    const pair = buildDecoderGraphPair(config, poolWeights(config), { dtype, ...int4, externalDataPath: join(staging, 'decoder.onnx.data') }, true);
    writeFileSync(join(staging, 'decoder.onnx'), pair.static.model);
    writeFileSync(join(staging, 'decoder-concat.onnx'), pair.concat.model);
    writeFileSync(join(staging, 'decoder-split.onnx'), pair.split!.model);
    writeFileSync(join(staging, 'README.txt'), `${BENCH_MODEL_LABEL}: the PURE decoder graphs (static and concat cache) at the '${shape}' shape, ${dtype}, seeded random weights.\nIt restores nothing. Made by bench/pure-bench-model.ts for npm run bench:pure; safe to delete.\n`);
    writeFileSync(join(staging, 'bench-model.json'), stamp); // last: marks the build complete
    renameSync(staging, dir);
    const diskBytes = (pair.static.externalData?.byteLength ?? 0) + pair.static.model.length + pair.concat.model.length + pair.split!.model.length;
    return { label: BENCH_MODEL_LABEL, shape, dtype, config, dir, staticPath, concatPath, splitPath, diskBytes, buildS: (performance.now() - t) / 1000 };
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}
