// Opens whatever a HF model folder holds, behind one TensorReader: safetensors (single or sharded,
// preferred, as `save_pretrained` writes by default) or PyTorch .bin files (single or sharded via
// `pytorch_model.bin.index.json`, which has the same {"weight_map": {name: file}} shape).

import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { EngineError } from '../common/errors';
import { openSafetensors, SAFETENSORS_INDEX } from './safetensors';
import type { ByteRange, TensorEntry, TensorReader } from './tensor-reader';
import { openTorchCheckpoint } from './torch-zip';

export const TORCH_INDEX = 'pytorch_model.bin.index.json';

const exists = async (path: string) => (await stat(path).catch(() => null)) !== null;

/** A folder, a .safetensors file, an index .json, or a torch .bin/.pt/.pth file. */
export async function openCheckpoint(path: string): Promise<TensorReader> {
  const info = await stat(path).catch(() => null);
  if (!info) throw new EngineError('MODEL_MISSING', `The checkpoint ${path} does not exist.`, 'Install the model again.');
  if (info.isDirectory()) {
    for (const name of [SAFETENSORS_INDEX, 'model.safetensors']) {
      if (await exists(join(path, name))) return openSafetensors(join(path, name));
    }
    for (const name of [TORCH_INDEX, 'pytorch_model.bin']) {
      if (await exists(join(path, name))) return openCheckpoint(join(path, name));
    }
    throw new EngineError('MODEL_MISSING', `${path} holds no model weights (*.safetensors or pytorch_model.bin).`, 'Install the model again.');
  }
  if (path.endsWith('.safetensors') || path.endsWith('.safetensors.index.json')) return openSafetensors(path);
  if (path.endsWith('.json')) return openTorchShards(path);
  return openTorchCheckpoint(path);
}

async function openTorchShards(indexFile: string): Promise<TensorReader> {
  let weightMap: Record<string, unknown>;
  try {
    weightMap = (JSON.parse(await readFile(indexFile, 'utf8')) as { weight_map: Record<string, unknown> }).weight_map;
    if (typeof weightMap !== 'object' || weightMap === null) throw new Error('no weight_map');
  } catch (error) {
    throw new EngineError('MODEL_FORMAT', `${basename(indexFile)} is not a valid checkpoint index: ${(error as Error).message}.`);
  }
  const readers = new Map<string, TensorReader>();
  const owner = new Map<string, TensorReader>();
  try {
    for (const [name, shard] of Object.entries(weightMap)) {
      if (typeof shard !== 'string' || shard !== basename(shard) || shard === '..') {
        throw new EngineError('MODEL_FORMAT', `${basename(indexFile)} maps "${name}" to an invalid shard name.`);
      }
      let reader = readers.get(shard);
      if (!reader) {
        const file = join(dirname(indexFile), shard);
        if (!(await exists(file))) throw new EngineError('MODEL_MISSING', `Checkpoint shard ${shard} is missing.`, 'Install the model again.');
        reader = await openTorchCheckpoint(file);
        readers.set(shard, reader);
      }
      if (!reader.tensors.has(name)) throw new EngineError('MODEL_FORMAT', `${basename(indexFile)} says "${name}" is in ${shard}, but it is not there.`);
      owner.set(name, reader);
    }
  } catch (error) {
    await Promise.all([...readers.values()].map((r) => r.close()));
    throw error;
  }
  return new ShardedReader(owner, [...readers.values()]);
}

/** Several readers seen as one; each tensor read from the reader that holds it. */
export class ShardedReader implements TensorReader {
  readonly tensors: ReadonlyMap<string, TensorEntry>;

  constructor(
    private readonly owner: ReadonlyMap<string, TensorReader>,
    private readonly readers: readonly TensorReader[],
  ) {
    this.tensors = new Map([...owner].map(([name, r]) => [name, r.tensors.get(name)!]));
  }

  async readBytes(name: string, range?: ByteRange): Promise<Uint8Array> {
    const reader = this.owner.get(name);
    if (!reader) throw new EngineError('MODEL_FORMAT', `The checkpoint has no tensor named "${name}".`);
    return reader.readBytes(name, range);
  }

  async close(): Promise<void> {
    await Promise.all(this.readers.map((r) => r.close()));
  }
}
