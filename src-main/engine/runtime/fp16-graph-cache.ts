// The fp16 copy of a model graph for the graphics card (onnx-fp16.ts), kept beside the model as
// `.model.onnx.fp16.onnx` with a record of the file it was made from (size, mtime, inode) and
// the converter's version, like the optimized-graph cache: a model replaced or rewritten makes it
// stale and it is made again (a new file, so onnxruntime's optimized graph of it is rebuilt too).
// A folder that cannot be written (a packaged app's bundled models) gets it in the temp folder.
//
// On WebGPU the Real-ESRGAN graphs run in fp16: measured on a real photo against the CPU's fp32
// result, x4fast and x4plus both stay >= 45 dB (realesrgan-fp16.test.ts; docs/gpu.md). Setting
// PURE_STUDIO_WEBGPU_FP16=0 keeps the fp32 graph on the card (the fp32 comparison tests do).
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { writeFileAtomic } from '../models/atomic-write';
import { fp16Model } from '../onnx/onnx-fp16';

/** Bumped when the conversion changes, so that older copies are made again. */
const CONVERTER_VERSION = 1;

interface Fp16Record {
  converter: number;
  model: { size: number; mtimeMs: number; ino: number };
  /** Why the model was not converted (it is not read again while unchanged), or null. */
  refused: string | null;
}

export function fp16GraphPaths(modelPath: string, dir = dirname(modelPath)): { graph: string; record: string } {
  const base = join(dir, `.${basename(modelPath)}`);
  return { graph: `${base}.fp16.onnx`, record: `${base}.fp16.json` };
}

/** Whether a provider runs the fp16 copy: the graphics card's, unless PURE_STUDIO_WEBGPU_FP16=0. */
export function usesFp16Graph(provider: string, env: NodeJS.ProcessEnv = process.env): boolean {
  return provider === 'webgpu' && env.PURE_STUDIO_WEBGPU_FP16 !== '0';
}

/** The fp16 copy of `modelPath`, made now if missing or stale; undefined for a model it cannot convert. */
export async function fp16Graph(modelPath: string): Promise<string | undefined> {
  const s = await stat(modelPath);
  const model = { size: s.size, mtimeMs: s.mtimeMs, ino: s.ino };
  const fallback = join(tmpdir(), 'pure-studio-fp16', createHash('sha256').update(modelPath).digest('hex').slice(0, 16));
  for (const dir of [dirname(modelPath), fallback]) {
    const paths = fp16GraphPaths(modelPath, dir);
    const record = await readFile(paths.record, 'utf8').then((t) => JSON.parse(t) as Fp16Record, () => undefined);
    if (record && record.converter === CONVERTER_VERSION && JSON.stringify(record.model) === JSON.stringify(model)) {
      if (record.refused !== null) return undefined;
      if (await stat(paths.graph).then(() => true, () => false)) return paths.graph;
    }
  }
  let bytes: Uint8Array | undefined;
  let refused: string | null = null;
  try {
    bytes = fp16Model(new Uint8Array(await readFile(modelPath)));
  } catch (error) {
    refused = error instanceof Error ? error.message : String(error);
  }
  for (const dir of [dirname(modelPath), fallback]) {
    const paths = fp16GraphPaths(modelPath, dir);
    try {
      if (dir === fallback) await mkdir(dir, { recursive: true });
      await rm(paths.record, { force: true }); // first: a copy without a current record is never used
      if (bytes) await writeFileAtomic(paths.graph, bytes);
      else await rm(paths.graph, { force: true });
      await writeFileAtomic(paths.record, JSON.stringify({ converter: CONVERTER_VERSION, model, refused } satisfies Fp16Record));
      return bytes && paths.graph;
    } catch {
      // read-only folder: try the next
    }
  }
  return undefined; // nowhere to write it: the fp32 graph serves
}

/**
 * open(graph) with the graph `provider` runs: the fp16 copy where it uses one and the copy loads
 * (a card without fp16 shaders refuses it), the model itself otherwise.
 */
export async function withGraphFor<T>(modelPath: string, provider: string, open: (graph: string) => Promise<T>): Promise<T> {
  if (usesFp16Graph(provider)) {
    const half = await fp16Graph(modelPath).catch(() => undefined);
    if (half) {
      try {
        return await open(half);
      } catch {
        // fall back to the fp32 graph on the same provider
      }
    }
  }
  return open(modelPath);
}
