// The body and head graphs of an upscaler that splits at its first upsampling (x4plus: the 23
// RRDB blocks at input resolution, then the x2, x2 tail; onnx-split.ts), kept beside the model as
// `.model.onnx.body.onnx` and `.model.onnx.head.onnx` with a record of the model file they were
// cut from (size, mtime, inode). A model replaced or rewritten makes them stale: they are cut
// again, which gives them a new mtime and inode, so onnxruntime's optimized-graph cache of each
// half (optimized-graph-cache.ts, keyed on the file it loads) is rebuilt with them.
// A folder that cannot be written (a packaged app's bundled models) gets them in the temp folder.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { writeFileAtomic } from '../models/atomic-write';
import { findUpsampleSplit, splitOnnxModel } from '../onnx/onnx-split';

/** Bumped when the cut changes, so that older halves are cut again. */
const SPLITTER_VERSION = 1;

export interface SplitGraphs {
  body: string;
  head: string;
  /** The tensor between them (the head's input). */
  tensor: string;
}

interface SplitRecord {
  splitter: number;
  model: { size: number; mtimeMs: number; ino: number };
  /** The split tensor, or null: the model does not split (it is not read again while unchanged). */
  tensor: string | null;
}

export function splitGraphPaths(modelPath: string, dir = dirname(modelPath)): { body: string; head: string; record: string } {
  const base = join(dir, `.${basename(modelPath)}`);
  return { body: `${base}.body.onnx`, head: `${base}.head.onnx`, record: `${base}.split.json` };
}

async function currentModel(modelPath: string): Promise<SplitRecord['model']> {
  const s = await stat(modelPath);
  return { size: s.size, mtimeMs: s.mtimeMs, ino: s.ino };
}

async function stored(record: string): Promise<SplitRecord | undefined> {
  return readFile(record, 'utf8').then((t) => JSON.parse(t) as SplitRecord, () => undefined);
}

async function bothExist(paths: { body: string; head: string }): Promise<boolean> {
  return Promise.all([stat(paths.body), stat(paths.head)]).then(() => true, () => false);
}

/**
 * The body and head graphs of `modelPath`, cut now if they are missing or stale; undefined for a
 * model that does not split at an upsampling (x4fast).
 */
export async function splitGraphs(modelPath: string): Promise<SplitGraphs | undefined> {
  const model = await currentModel(modelPath);
  const fallback = join(tmpdir(), 'pure-studio-split', createHash('sha256').update(modelPath).digest('hex').slice(0, 16));
  for (const dir of [dirname(modelPath), fallback]) {
    const paths = splitGraphPaths(modelPath, dir);
    const record = await stored(paths.record);
    if (record && record.splitter === SPLITTER_VERSION && JSON.stringify(record.model) === JSON.stringify(model)) {
      if (record.tensor === null) return undefined;
      if (await bothExist(paths)) return { body: paths.body, head: paths.head, tensor: record.tensor };
    }
  }
  const bytes = new Uint8Array(await readFile(modelPath));
  const tensor = findUpsampleSplit(bytes);
  const split = tensor === undefined ? undefined : splitOnnxModel(bytes, tensor);
  for (const dir of [dirname(modelPath), fallback]) {
    const paths = splitGraphPaths(modelPath, dir);
    try {
      if (dir === fallback) await mkdir(dir, { recursive: true });
      await rm(paths.record, { force: true }); // first: halves without a current record are never used
      if (split) {
        await writeFileAtomic(paths.body, split.body);
        await writeFileAtomic(paths.head, split.head);
      }
      const record: SplitRecord = { splitter: SPLITTER_VERSION, model, tensor: split?.tensor ?? null };
      await writeFileAtomic(paths.record, JSON.stringify(record));
      return split && { body: paths.body, head: paths.head, tensor: split.tensor };
    } catch {
      // read-only folder: try the next
    }
  }
  throw new Error(`could not write the split graphs of ${modelPath}`);
}
