// The graph builders ask for weights synchronously, one at a time, in the order they need them.
// For safetensors shards that is served by positional reads of exactly one tensor (a 7B
// checkpoint is never held in memory); smaller checkpoints (the VQ's torch zip, ~280 MB in
// fp32) are read whole up front.
import { closeSync, openSync, readSync } from 'node:fs';
import { EngineError } from '../../common/errors';
import { toFloat32 } from '../../checkpoint/dtype';
import type { TensorReader } from '../../checkpoint/tensor-reader';
import { readFloat32 } from '../../checkpoint/tensor-reader';

type GetWeight = (name: string) => Float32Array;

interface Located {
  file: string;
  begin: number;
  end: number;
}

const isLocated = (entry: object): entry is Located => 'file' in entry && 'begin' in entry && 'end' in entry;

export interface SyncWeights {
  get: GetWeight;
  /** How many tensors were served: progress for the caller. */
  readonly served: number;
  /** Checkpoint bytes read so far (the stored dtype's, e.g. bf16): progress in bytes. */
  readonly bytesRead: number;
  close(): void;
}

/** Stored bytes of the named tensors of a safetensors checkpoint (what a full pass reads). */
export function storedBytes(reader: TensorReader, names: Iterable<string>): number {
  let total = 0;
  for (const name of names) {
    const entry = reader.tensors.get(name);
    if (entry && isLocated(entry)) total += entry.end - entry.begin;
  }
  return total;
}

/** Positional reads from safetensors shards. */
export function safetensorsWeights(reader: TensorReader, onRead?: (name: string) => void): SyncWeights {
  const handles = new Map<string, number>();
  let served = 0;
  let bytesRead = 0;
  return {
    get(name) {
      const entry = reader.tensors.get(name);
      if (!entry) throw new EngineError('MODEL_FORMAT', `The checkpoint has no tensor named "${name}".`);
      if (!isLocated(entry)) throw new Error(`${name}: not a safetensors entry`);
      let fd = handles.get(entry.file);
      if (fd === undefined) handles.set(entry.file, (fd = openSync(entry.file, 'r')));
      const bytes = new Uint8Array(entry.end - entry.begin);
      for (let done = 0; done < bytes.length; ) {
        const n = readSync(fd, bytes, done, bytes.length - done, entry.begin + done);
        if (n === 0) throw new EngineError('MODEL_FORMAT', `${entry.file} ended inside tensor "${name}".`);
        done += n;
      }
      served++;
      bytesRead += bytes.length;
      onRead?.(name);
      return toFloat32(bytes, entry.dtype);
    },
    get served() {
      return served;
    },
    get bytesRead() {
      return bytesRead;
    },
    close() {
      for (const fd of handles.values()) closeSync(fd);
      handles.clear();
    },
  };
}

/** Reads every tensor of a (small) checkpoint into memory first. */
export async function preloadedWeights(reader: TensorReader, skip: (name: string) => boolean = () => false): Promise<SyncWeights> {
  const all = new Map<string, Float32Array>();
  for (const name of reader.tensors.keys()) if (!skip(name)) all.set(name, await readFloat32(reader, name));
  let served = 0;
  return {
    get(name) {
      const w = all.get(name);
      if (!w) throw new EngineError('MODEL_FORMAT', `The VQ checkpoint has no tensor named "${name}".`);
      served++;
      return w;
    },
    get served() {
      return served;
    },
    get bytesRead() {
      return 0; // read up front
    },
    close() {
      all.clear();
    },
  };
}
