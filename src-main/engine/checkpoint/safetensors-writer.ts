// Writer for safetensors files (see safetensors.ts for the format), streaming: the header is
// computed from names, dtypes and shapes alone, then each tensor's bytes are produced and written
// one at a time, so a checkpoint bigger than memory can be written. The file appears under its name
// only once complete (written to `.partial`, then renamed).

import { open, rename, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { EngineError } from '../common/errors';
import { DTYPE_SIZE } from './dtype';
import type { DType } from './dtype';
import { writeAt } from './file-io';
import { formatShape, numel } from './tensor-reader';
import { SAFETENSORS_INDEX } from './safetensors';

export interface TensorToWrite {
  name: string;
  dtype: DType;
  shape: number[];
  /** The bytes (row-major, little-endian), or a function producing them when it is their turn. */
  data: Uint8Array | (() => Uint8Array | Promise<Uint8Array>);
}

export const tensorByteLength = (t: { dtype: DType; shape: readonly number[] }): number => numel(t.shape) * DTYPE_SIZE[t.dtype];

/** The 8-byte length + JSON header (space-padded to a multiple of 8, as the reference writer does). */
export function encodeSafetensorsHeader(tensors: readonly Omit<TensorToWrite, 'data'>[], metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const t of tensors) {
    if (t.name === '__metadata__' || Object.hasOwn(header, t.name)) {
      throw new EngineError('INTERNAL', `Cannot write tensor "${t.name}": duplicate or reserved name.`);
    }
    const bytes = tensorByteLength(t);
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.byteLength / 8) * 8;
  const out = new Uint8Array(8 + padded).fill(0x20, 8);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  return out;
}

/** Writes one safetensors file, tensors in the given order. */
export async function writeSafetensors(path: string, tensors: readonly TensorToWrite[], metadata?: Record<string, string>): Promise<void> {
  const header = encodeSafetensorsHeader(tensors, metadata);
  const partial = `${path}.partial`;
  const handle = await open(partial, 'w');
  try {
    await writeAt(handle, header, 0);
    let position = header.byteLength;
    for (const t of tensors) {
      const bytes = typeof t.data === 'function' ? await t.data() : t.data;
      const expected = tensorByteLength(t);
      if (bytes.byteLength !== expected) {
        throw new EngineError('INTERNAL', `Tensor "${t.name}" (${t.dtype} ${formatShape(t.shape)}) needs ${expected} bytes, got ${bytes.byteLength}.`);
      }
      await writeAt(handle, bytes, position);
      position += expected;
    }
    await handle.close();
    await rename(partial, path);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(partial, { force: true });
    throw error;
  }
}

/**
 * Writes `shards.length` files named as HF does (`model-00001-of-00002.safetensors`) and the
 * `model.safetensors.index.json` mapping every tensor to its file. Returns the file names.
 */
export async function writeShardedSafetensors(
  dir: string,
  shards: readonly (readonly TensorToWrite[])[],
  metadata?: Record<string, string>,
): Promise<string[]> {
  const pad = (n: number) => String(n).padStart(5, '0');
  const names = shards.map((_, i) => `model-${pad(i + 1)}-of-${pad(shards.length)}.safetensors`);
  const weightMap: Record<string, string> = {};
  let totalSize = 0;
  for (const [i, shard] of shards.entries()) {
    for (const t of shard) {
      weightMap[t.name] = names[i];
      totalSize += tensorByteLength(t);
    }
    await writeSafetensors(join(dir, names[i]), shard, metadata);
  }
  const index = { metadata: { total_size: totalSize }, weight_map: weightMap };
  const handle = await open(join(dir, SAFETENSORS_INDEX), 'w');
  try {
    await handle.writeFile(`${JSON.stringify(index, null, 2)}\n`);
  } finally {
    await handle.close();
  }
  return names.map((n) => basename(n));
}
