// Reader for PyTorch `torch.save` checkpoints (the zip format of torch >= 1.6), e.g. LlamaGen's
// `vq_ds8_c2i.pt` = {'model': OrderedDict(name -> fp32 tensor)}. Layout (torch/serialization.py,
// PyTorchStreamWriter): one top-level folder `<archive>/` holding `data.pkl` (the pickled object,
// tensors as persistent ids), `data/<key>` (each storage's raw little-endian bytes, stored
// uncompressed and 64-byte aligned) and `version`; newer versions add `byteorder` and
// `.data/serialization_id`. The pickle is read with the safe VM in pickle.ts; tensor bytes are read
// lazily, one tensor at a time, by offset into its storage entry.

import { basename } from 'node:path';
import { EngineError } from '../common/errors';
import { DTYPE_SIZE } from './dtype';
import { unpickle } from './pickle';
import type { PickleValue } from './pickle';
import { checkRange, numel } from './tensor-reader';
import type { ByteRange, TensorEntry, TensorReader } from './tensor-reader';
import { isTensorRef, torchPickleHooks } from './torch-pickle';
import type { TorchTensorRef } from './torch-pickle';
import { ZipReader } from './zip-reader';

const MAX_PICKLE_BYTES = 256 * 1024 * 1024;

export interface TorchTensorEntry extends TensorEntry {
  /** In elements. */
  stride: number[];
  storageKey: string;
  /** In elements. */
  storageOffset: number;
  /** True when the data is one row-major run: a plain byte range of the storage. */
  contiguous: boolean;
}

export interface TorchOpenOptions {
  /**
   * Which entry of the root dict is the state dict: a key, or null for the root itself. By default
   * 'model' (LlamaGen), then 'state_dict', else the root.
   */
  stateDictKey?: string | null;
}

function isContiguous(shape: readonly number[], stride: readonly number[]): boolean {
  if (numel(shape) === 0) return true;
  let expected = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] !== 1 && stride[d] !== expected) return false;
    expected *= shape[d];
  }
  return true;
}

function chooseStateDict(root: PickleValue, key: string | null | undefined, file: string): Map<PickleValue, PickleValue> {
  const fail = (message: string) => new EngineError('MODEL_FORMAT', `${basename(file)}: ${message}`);
  if (key === null) {
    if (!(root instanceof Map)) throw fail('the checkpoint is not a dict of tensors.');
    return root;
  }
  if (!(root instanceof Map)) throw fail('the checkpoint is not a dict.');
  const candidates = key === undefined ? ['model', 'state_dict'] : [key];
  for (const k of candidates) {
    const value: unknown = root.get(k);
    if (value instanceof Map) return value as Map<PickleValue, PickleValue>;
  }
  if (key !== undefined) throw fail(`the checkpoint has no state dict under "${key}".`);
  return root;
}

export class TorchCheckpoint implements TensorReader {
  private constructor(
    private readonly zip: ZipReader,
    private readonly prefix: string,
    /** The whole unpickled object (for other entries than the state dict). */
    readonly root: PickleValue,
    readonly tensors: ReadonlyMap<string, TorchTensorEntry>,
  ) {}

  static async open(file: string, options: TorchOpenOptions = {}): Promise<TorchCheckpoint> {
    const zip = await ZipReader.open(file);
    try {
      const pickles = [...zip.entries.keys()].filter((n) => /^[^/]+\/data\.pkl$/.test(n));
      if (pickles.length !== 1) {
        throw new EngineError('MODEL_FORMAT', `${basename(file)} is a zip but not a PyTorch checkpoint (no <archive>/data.pkl).`);
      }
      const prefix = pickles[0].slice(0, -'data.pkl'.length);
      const entry = zip.entries.get(pickles[0])!;
      if (entry.size > MAX_PICKLE_BYTES) throw new EngineError('MODEL_FORMAT', `${basename(file)}: its pickle is ${entry.size} bytes, too big for a state dict.`);
      const root = unpickle(await zip.read(pickles[0]), torchPickleHooks());
      const tensors = new Map<string, TorchTensorEntry>();
      for (const [name, value] of chooseStateDict(root, options.stateDictKey, file)) {
        if (typeof name !== 'string' || !isTensorRef(value)) continue;
        tensors.set(name, toEntry(name, value));
        checkStorage(zip, prefix, value, file);
      }
      return new TorchCheckpoint(zip, prefix, root, tensors);
    } catch (error) {
      await zip.close();
      throw error;
    }
  }

  async readBytes(name: string, range?: ByteRange): Promise<Uint8Array> {
    const t = this.tensors.get(name);
    if (!t) throw new EngineError('MODEL_FORMAT', `The checkpoint has no tensor named "${name}".`);
    const size = DTYPE_SIZE[t.dtype];
    const { start, end } = checkRange(name, numel(t.shape) * size, range);
    const entry = `${this.prefix}data/${t.storageKey}`;
    if (t.contiguous) return this.zip.read(entry, t.storageOffset * size + start, end - start);
    if (start !== 0 || end !== numel(t.shape) * size) {
      throw new EngineError('INTERNAL', `Byte ranges of the non-contiguous tensor "${name}" are not supported.`);
    }
    // A strided view (a transposed weight): read the span it touches, then gather row-major.
    const spanElements = 1 + t.shape.reduce((sum, s, d) => sum + (s - 1) * t.stride[d], 0);
    const span = await this.zip.read(entry, t.storageOffset * size, spanElements * size);
    return gather(span, t.shape, t.stride, size);
  }

  async close(): Promise<void> {
    await this.zip.close();
  }
}

export const openTorchCheckpoint = (file: string, options?: TorchOpenOptions): Promise<TorchCheckpoint> => TorchCheckpoint.open(file, options);

function toEntry(name: string, ref: TorchTensorRef): TorchTensorEntry {
  return {
    name,
    dtype: ref.storage.dtype,
    shape: ref.shape,
    stride: ref.stride,
    storageKey: ref.storage.key,
    storageOffset: ref.storageOffset,
    contiguous: isContiguous(ref.shape, ref.stride),
  };
}

function checkStorage(zip: ZipReader, prefix: string, ref: TorchTensorRef, file: string): void {
  const entry = zip.entries.get(`${prefix}data/${ref.storage.key}`);
  const needed = ref.storage.numel * DTYPE_SIZE[ref.storage.dtype];
  if (!entry) throw new EngineError('MODEL_FORMAT', `${basename(file)}: storage ${ref.storage.key} is missing from the archive.`);
  if (entry.size < needed) {
    throw new EngineError('MODEL_FORMAT', `${basename(file)}: storage ${ref.storage.key} has ${entry.size} bytes, needs ${needed}.`);
  }
}

/** Copies a strided view (offsets relative to `span`) into a new row-major buffer. */
function gather(span: Uint8Array, shape: readonly number[], stride: readonly number[], size: number): Uint8Array {
  const count = numel(shape);
  const out = new Uint8Array(count * size);
  const index = new Array<number>(shape.length).fill(0);
  let src = 0;
  for (let o = 0; o < count; o++) {
    for (let b = 0; b < size; b++) out[o * size + b] = span[src * size + b];
    for (let d = shape.length - 1; d >= 0; d--) {
      index[d]++;
      src += stride[d];
      if (index[d] < shape[d]) break;
      src -= stride[d] * shape[d];
      index[d] = 0;
    }
  }
  return out;
}
