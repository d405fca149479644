// onnxruntime's optimized graph, kept beside the model per provider, so that later loads skip
// the graph optimizations (constant folding, conv fusions, the NCHWc layout rewrite of every
// convolution): on Real-ESRGAN x4plus that is ~0.15-0.3 s of ~0.65 s CPU per load.
// The cache records the model file's size, mtime and inode and onnxruntime's version; any change
// (a re-conversion, a repair, a new download renamed into place, an onnxruntime upgrade) makes
// it stale and it is rebuilt. So does another processor: the NCHWc rewrite is laid out for this
// CPU's vector width (onnxruntime warns the file is only for "the same environment"), and a home
// folder can be copied to another machine. The optimized file is written to a temp name and renamed, and the
// record is written last, so a reader never trusts half a file.
import { readFile, rename, rm, stat } from 'node:fs/promises';
import { cpus } from 'node:os';
import { basename, dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { writeFileAtomic } from '../models/atomic-write';

/** What the cache did for one load: used its graph, wrote a fresh one, or stayed out (read-only folder, failure). */
export type GraphCacheUse = 'hit' | 'written' | 'off';

interface CacheRecord {
  ort: string;
  provider: string;
  host: string;
  model: { size: number; mtimeMs: number; ino: number };
}

/** `.model.onnx.cpu.optimized.onnx` beside `model.onnx` (hidden: it is ours, not the model's). */
export function optimizedGraphPath(modelPath: string, provider: string): string {
  return join(dirname(modelPath), `.${basename(modelPath)}.${provider}.optimized.onnx`);
}

const recordPath = (graph: string): string => `${graph}.json`;

async function currentRecord(modelPath: string, provider: string): Promise<CacheRecord> {
  const s = await stat(modelPath);
  return { ort: ort.env.versions.common ?? 'unknown', provider, host: `${process.platform}-${process.arch} ${cpus()[0]?.model ?? ''}`, model: { size: s.size, mtimeMs: s.mtimeMs, ino: s.ino } };
}

async function storedRecord(graph: string): Promise<unknown> {
  return readFile(recordPath(graph), 'utf8').then((t) => JSON.parse(t) as unknown, () => undefined);
}

/**
 * A session for `modelPath` on `provider` (the options' own executionProviders are replaced),
 * through the cached optimized graph when it is current, writing it when it is not.
 */
export async function createCachedSession(
  modelPath: string,
  provider: string,
  options: ort.InferenceSession.SessionOptions,
): Promise<{ session: ort.InferenceSession; cache: GraphCacheUse }> {
  const opts = { ...options, executionProviders: [provider] };
  const graph = optimizedGraphPath(modelPath, provider);
  const record = await currentRecord(modelPath, provider);
  if (JSON.stringify(await storedRecord(graph)) === JSON.stringify(record)) {
    try {
      // Already optimized for this provider: optimizing again would only repeat the work.
      return { session: await ort.InferenceSession.create(graph, { ...opts, graphOptimizationLevel: 'disabled' }), cache: 'hit' };
    } catch {
      await forget(graph); // unreadable: fall through and rebuild it from the model
    }
  }
  await forget(graph);
  const temp = `${graph}.${process.pid}.tmp`;
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(modelPath, { ...opts, optimizedModelFilePath: temp });
  } catch {
    await rm(temp, { force: true });
    // A read-only folder (a packaged app's bundled models) or a provider that cannot save its
    // graph: load as if there were no cache. A provider that cannot load at all fails here.
    return { session: await ort.InferenceSession.create(modelPath, opts), cache: 'off' };
  }
  try {
    await rename(temp, graph);
    await writeFileAtomic(recordPath(graph), JSON.stringify(record));
    return { session, cache: 'written' };
  } catch {
    await rm(temp, { force: true });
    await forget(graph);
    return { session, cache: 'off' };
  }
}

/** Removes a cached graph and its record (the record first: without it the graph is never used). */
async function forget(graph: string): Promise<void> {
  await rm(recordPath(graph), { force: true });
  await rm(graph, { force: true });
}

