// Reader for safetensors checkpoints, single file or sharded, streaming one tensor at a time.
//
// Format (huggingface/safetensors, safetensors/src/tensor.rs): an 8-byte little-endian u64 N, then
// N bytes of UTF-8 JSON (padded with spaces to a multiple of 8), then the data buffer. The JSON maps
// each tensor name to {dtype, shape, data_offsets: [begin, end]} relative to the buffer, plus an
// optional "__metadata__" object of strings. The reference implementation refuses headers over
// 100 MB, and offsets that, sorted, do not tile the buffer exactly up to the end of the file;
// so do we.
// Sharded checkpoints (HF `save_pretrained`): `model.safetensors.index.json` =
// {"metadata": {"total_size": bytes}, "weight_map": {tensor name: shard file name}}.

import { open, readFile, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { EngineError } from '../common/errors';
import { DTYPE_SIZE, isDType } from './dtype';
import { readAt } from './file-io';
import { checkRange, numel } from './tensor-reader';
import type { ByteRange, TensorEntry, TensorReader } from './tensor-reader';

export const MAX_HEADER_BYTES = 100_000_000;
export const SAFETENSORS_INDEX = 'model.safetensors.index.json';

export interface SafetensorsTensor extends TensorEntry {
  /** The shard file holding it. */
  file: string;
  /** Absolute byte offsets of its data in `file`: [begin, end). */
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  tensors: SafetensorsTensor[];
  metadata: Record<string, string>;
  /** Where the data buffer starts in the file (8 + N). */
  dataStart: number;
}

const formatError = (file: string, message: string) =>
  new EngineError('MODEL_FORMAT', `${basename(file)} is not a valid safetensors file: ${message}`, 'Download the model again.');

/** Parses a header's JSON (the bytes after the length) and checks it against the file size. */
export function parseSafetensorsHeader(json: Uint8Array, fileSize: number, file: string): SafetensorsHeader {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json));
  } catch {
    throw formatError(file, 'its header is not valid UTF-8 JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw formatError(file, 'its header is not a JSON object.');
  const dataStart = 8 + json.byteLength;
  const metadata: Record<string, string> = {};
  const tensors: SafetensorsTensor[] = [];
  for (const [name, info] of Object.entries(parsed as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof info !== 'object' || info === null || Array.isArray(info)) throw formatError(file, '__metadata__ is not an object.');
      for (const [k, v] of Object.entries(info)) {
        if (typeof v !== 'string') throw formatError(file, `__metadata__.${k} is not a string.`);
        metadata[k] = v;
      }
      continue;
    }
    tensors.push(parseEntry(name, info, dataStart, file));
  }
  // Sorted by offset, the tensors must tile the buffer exactly: no overlap, no gap, nothing after.
  const sorted = [...tensors].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = dataStart;
  let previous = '';
  for (const t of sorted) {
    if (t.begin < cursor) throw formatError(file, `tensor "${t.name}" overlaps tensor "${previous}".`);
    if (t.begin > cursor) throw formatError(file, `there is a gap of ${t.begin - cursor} bytes before tensor "${t.name}".`);
    cursor = t.end;
    previous = t.name;
  }
  if (cursor > fileSize) {
    throw formatError(file, `tensor "${previous}" ends at byte ${cursor}, past the end of the file (${fileSize} bytes): the file is truncated.`);
  }
  if (cursor < fileSize) throw formatError(file, `${fileSize - cursor} bytes follow the last tensor.`);
  return { tensors, metadata, dataStart };
}

function parseEntry(name: string, info: unknown, dataStart: number, file: string): SafetensorsTensor {
  if (typeof info !== 'object' || info === null) throw formatError(file, `the entry for "${name}" is not an object.`);
  const { dtype, shape, data_offsets: offsets } = info as Record<string, unknown>;
  if (!isDType(dtype)) throw formatError(file, `tensor "${name}" has an unknown dtype ${JSON.stringify(dtype)}.`);
  const isIndex = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
  if (!Array.isArray(shape) || !shape.every(isIndex)) throw formatError(file, `tensor "${name}" has an invalid shape.`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isIndex) || offsets[1] < offsets[0]) {
    throw formatError(file, `tensor "${name}" has invalid data_offsets ${JSON.stringify(offsets)}.`);
  }
  const bytes = numel(shape) * DTYPE_SIZE[dtype];
  if (!Number.isSafeInteger(bytes)) throw formatError(file, `tensor "${name}" is impossibly large.`);
  if (offsets[1] - offsets[0] !== bytes) {
    throw formatError(file, `tensor "${name}" (${dtype} [${shape.join(', ')}]) needs ${bytes} bytes but its offsets span ${offsets[1] - offsets[0]}.`);
  }
  return { name, dtype, shape: [...shape], file, begin: dataStart + offsets[0], end: dataStart + offsets[1] };
}

/** Reads and validates one file's header without touching its tensor data. */
export async function readSafetensorsHeader(file: string): Promise<SafetensorsHeader> {
  const handle = await openOrFail(file, 'safetensors file');
  try {
    const { size } = await handle.stat();
    if (size < 8) throw formatError(file, `it has only ${size} bytes.`);
    const lengthBytes = await readAt(handle, 0, 8, basename(file));
    const n = new DataView(lengthBytes.buffer).getBigUint64(0, true);
    if (n > BigInt(MAX_HEADER_BYTES)) throw formatError(file, `its header claims ${n} bytes, more than the 100 MB limit.`);
    if (8n + n > BigInt(size)) throw formatError(file, `its header (${n} bytes) runs past the end of the file (${size} bytes).`);
    return parseSafetensorsHeader(await readAt(handle, 8, Number(n), basename(file)), size, file);
  } finally {
    await handle.close();
  }
}

async function openOrFail(file: string, what: string): Promise<FileHandle> {
  try {
    return await open(file, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new EngineError('MODEL_MISSING', `The ${what} ${file} does not exist.`, 'Install the model again.');
    throw new EngineError('INPUT_UNREADABLE', `Cannot open ${file}: ${(error as Error).message}`, undefined, { cause: error });
  }
}

/** Streams tensors out of one or more safetensors files; file handles are opened on first use. */
export class SafetensorsReader implements TensorReader {
  readonly tensors: ReadonlyMap<string, SafetensorsTensor>;
  readonly metadata: Record<string, string>;
  private readonly handles = new Map<string, Promise<FileHandle>>();

  constructor(tensors: Map<string, SafetensorsTensor>, metadata: Record<string, string>) {
    this.tensors = tensors;
    this.metadata = metadata;
  }

  async readBytes(name: string, range?: ByteRange): Promise<Uint8Array> {
    const t = this.tensors.get(name);
    if (!t) throw new EngineError('MODEL_FORMAT', `The checkpoint has no tensor named "${name}".`);
    const { start, end } = checkRange(name, t.end - t.begin, range);
    let handle = this.handles.get(t.file);
    if (!handle) {
      handle = openOrFail(t.file, 'checkpoint shard');
      this.handles.set(t.file, handle);
    }
    return readAt(await handle, t.begin + start, end - start, basename(t.file));
  }

  async close(): Promise<void> {
    const handles = [...this.handles.values()];
    this.handles.clear();
    await Promise.all(handles.map(async (h) => (await h.catch(() => null))?.close()));
  }
}

/**
 * Opens a safetensors checkpoint: a `.safetensors` file, a `*.safetensors.index.json`, or a folder
 * holding `model.safetensors.index.json` (preferred) or `model.safetensors`.
 */
export async function openSafetensors(path: string): Promise<SafetensorsReader> {
  let target = path;
  if ((await stat(path).catch(() => null))?.isDirectory()) {
    const index = join(path, SAFETENSORS_INDEX);
    target = (await stat(index).catch(() => null)) ? index : join(path, 'model.safetensors');
  }
  if (target.endsWith('.json')) return openSharded(target);
  const header = await readSafetensorsHeader(target);
  return new SafetensorsReader(new Map(header.tensors.map((t) => [t.name, t])), header.metadata);
}

async function openSharded(indexFile: string): Promise<SafetensorsReader> {
  let weightMap: Record<string, unknown>;
  try {
    const index = JSON.parse(await readFile(indexFile, 'utf8')) as { weight_map?: unknown };
    if (typeof index.weight_map !== 'object' || index.weight_map === null) throw new Error('no weight_map');
    weightMap = index.weight_map as Record<string, unknown>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new EngineError('MODEL_MISSING', `The checkpoint index ${indexFile} does not exist.`, 'Install the model again.');
    }
    throw new EngineError('MODEL_FORMAT', `${basename(indexFile)} is not a valid checkpoint index: ${(error as Error).message}.`);
  }
  const shardNames = new Set<string>();
  for (const [name, shard] of Object.entries(weightMap)) {
    // A shard is a sibling file; an index must not send us elsewhere on the disk.
    if (typeof shard !== 'string' || shard !== basename(shard) || shard === '..' || shard === '.') {
      throw new EngineError('MODEL_FORMAT', `${basename(indexFile)} maps "${name}" to an invalid shard name ${JSON.stringify(shard)}.`);
    }
    shardNames.add(shard);
  }
  const tensors = new Map<string, SafetensorsTensor>();
  const metadata: Record<string, string> = {};
  for (const shard of shardNames) {
    const file = join(dirname(indexFile), shard);
    if (!(await stat(file).catch(() => null))) {
      throw new EngineError('MODEL_MISSING', `Checkpoint shard ${shard} (listed in ${basename(indexFile)}) is missing.`, 'Install the model again.');
    }
    const header = await readSafetensorsHeader(file);
    Object.assign(metadata, header.metadata);
    for (const t of header.tensors) {
      if (tensors.has(t.name)) throw new EngineError('MODEL_FORMAT', `Tensor "${t.name}" is in two shards: ${basename(tensors.get(t.name)!.file)} and ${shard}.`);
      tensors.set(t.name, t);
    }
  }
  for (const [name, shard] of Object.entries(weightMap)) {
    const t = tensors.get(name);
    if (!t || basename(t.file) !== shard) {
      throw new EngineError('MODEL_FORMAT', `${basename(indexFile)} says "${name}" is in ${String(shard)}, but it is not there.`);
    }
  }
  return new SafetensorsReader(tensors, metadata);
}
