// What turns downloaded files into a ready package, by the catalog's `convert` kind. Each
// converter has two halves: convert (downloads -> package folder) and validate (the package's
// sessions load and one tiny step runs). A model is marked ready only after both succeed.
//   copy         the files are already the package (hard-linked when possible: PURE-sized files)
//   onnx-verify  the files include ONNX graphs: each is loaded and run once on zeros
//   pure         the PURE converter (safetensors + VQ -> our ONNX package, engine/pure/package)
import { copyFile, link, mkdir, readdir, realpath } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { EngineError, throwIfAborted } from '../common/errors';
import type { ConvertKind } from './catalog';
import { runOnnxOnce } from './onnx-check';
import { convertPure, PURE_CONVERTER } from '../pure/package/convert-pure';
import { PurePipeline } from '../pure/pipeline/pure-pipeline';

export interface ConvertContext {
  signal?: AbortSignal;
  onProgress?: (progress: { fraction?: number; message?: string }) => void;
}

export interface Converter {
  /** Recorded in the package manifest; bump `version` when the output changes. */
  name: string;
  version: number;
  /** Writes the package into `outDir` (exists, empty) from the files in `inputDir` (read only). */
  convert(inputDir: string, outDir: string, ctx: ConvertContext): Promise<void>;
  /** Throws MODEL_FORMAT unless the package in `packageDir` loads and runs. */
  validate(packageDir: string, ctx: ConvertContext): Promise<void>;
}

export type ConverterRegistry = Readonly<Record<ConvertKind, Converter>>;

/** Every file under `dir`, as relative paths with forward slashes, sorted. */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() || e.isSymbolicLink()) // an import stages the user's files as links
    .map((e) => relative(dir, join(e.parentPath, e.name)).split('\\').join('/'))
    .sort();
}

/** Hard link when source and target share a disk (instant, no extra space), else copy. */
export async function linkOrCopy(from: string, to: string): Promise<void> {
  await mkdir(dirname(to), { recursive: true });
  const real = await realpath(from); // a staged symlink: link or copy what it points at
  try {
    await link(real, to);
  } catch {
    await copyFile(real, to);
  }
}

async function copyTree(inputDir: string, outDir: string, ctx: ConvertContext): Promise<void> {
  const files = await listFiles(inputDir);
  for (const [i, name] of files.entries()) {
    throwIfAborted(ctx.signal);
    ctx.onProgress?.({ fraction: i / files.length, message: `placing ${name}` });
    await linkOrCopy(join(inputDir, name), join(outDir, name));
  }
}

const copy: Converter = {
  name: 'pure-studio copy',
  version: 1,
  convert: copyTree,
  async validate() {},
};

const onnxVerify: Converter = {
  name: 'pure-studio onnx-verify',
  version: 1,
  convert: copyTree,
  async validate(packageDir, ctx) {
    const graphs = (await listFiles(packageDir)).filter((n) => n.endsWith('.onnx'));
    if (graphs.length === 0) throw new EngineError('MODEL_FORMAT', 'The model has no ONNX graph to check.');
    for (const [i, name] of graphs.entries()) {
      throwIfAborted(ctx.signal);
      ctx.onProgress?.({ fraction: i / graphs.length, message: `checking ${name}` });
      await runOnnxOnce(join(packageDir, name));
    }
  },
};

const pure: Converter = {
  name: PURE_CONVERTER.name,
  version: PURE_CONVERTER.version,
  async convert(inputDir, outDir, ctx) {
    await convertPure({
      checkpoint: inputDir,
      vq: join(inputDir, 'tokenizer/vq_ds8_c2i.pt'),
      out: outDir,
      dtype: 'fp16',
      overwrite: true,
      signal: ctx.signal,
      onProgress: (stage, fraction) => ctx.onProgress?.({ fraction, message: `converting: ${stage}` }),
    });
  },
  // Loading proves every file against its sha256, builds all three sessions and checks the
  // tokenizer's special ids; one generation step then proves the decoder computes.
  async validate(packageDir, ctx) {
    const pipeline = await PurePipeline.load(packageDir, 1);
    try {
      throwIfAborted(ctx.signal);
      ctx.onProgress?.({ fraction: 0.5, message: 'one generation step' });
      await pipeline.selfTest();
    } finally {
      await pipeline.close();
    }
  },
};

export const converters: ConverterRegistry = { copy, 'onnx-verify': onnxVerify, pure };
