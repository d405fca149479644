// The one interface every checkpoint reader (safetensors, torch zip, several shards) offers: a list
// of tensors known from the headers alone, and the bytes of ONE tensor at a time, read from disk on
// demand. A 7B checkpoint is 14 GB, so nothing here ever holds more than the tensor asked for.
// Pure TypeScript: no Node built-ins.

import { EngineError } from '../common/errors';
import { toFloat16, toFloat32 } from './dtype';
import type { DType } from './dtype';

export interface TensorEntry {
  name: string;
  dtype: DType;
  shape: number[];
}

/** A byte range inside one tensor's contiguous row-major data: [start, end). */
export interface ByteRange {
  start: number;
  end: number;
}

export interface TensorReader {
  /** Every tensor of the checkpoint, by name, known without reading any tensor data. */
  readonly tensors: ReadonlyMap<string, TensorEntry>;
  /**
   * One tensor's data: contiguous, row-major, little-endian, `numel * size` bytes; or only
   * `range` of it (to convert a huge embedding in slices).
   */
  readBytes(name: string, range?: ByteRange): Promise<Uint8Array>;
  /** Closes the open files; the reader is unusable afterwards. */
  close(): Promise<void>;
}

export interface TensorSpec {
  name: string;
  shape: number[];
}

export const numel = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

export function getTensor(reader: TensorReader, name: string): TensorEntry {
  const entry = reader.tensors.get(name);
  if (!entry) throw new EngineError('MODEL_FORMAT', `The checkpoint has no tensor named "${name}".`);
  return entry;
}

export async function readFloat32(reader: TensorReader, name: string): Promise<Float32Array> {
  return toFloat32(await reader.readBytes(name), getTensor(reader, name).dtype);
}

/** fp16 bits (Uint16Array), as ONNX Runtime takes float16 tensors. */
export async function readFloat16(reader: TensorReader, name: string): Promise<Uint16Array> {
  return toFloat16(await reader.readBytes(name), getTensor(reader, name).dtype);
}

/**
 * Checks that every expected tensor exists with its shape, reporting all problems at once (a
 * checkpoint of the wrong model usually differs in many places).
 */
export function assertTensorSpecs(reader: TensorReader, specs: readonly TensorSpec[], what = 'checkpoint'): void {
  const problems: string[] = [];
  for (const spec of specs) {
    const entry = reader.tensors.get(spec.name);
    if (!entry) problems.push(`missing ${spec.name}`);
    else if (formatShape(entry.shape) !== formatShape(spec.shape)) {
      problems.push(`${spec.name} is ${formatShape(entry.shape)}, expected ${formatShape(spec.shape)}`);
    }
  }
  if (problems.length > 0) {
    const shown = problems.slice(0, 8).join('; ');
    const more = problems.length > 8 ? `; and ${problems.length - 8} more` : '';
    throw new EngineError('MODEL_FORMAT', `The ${what} does not match the expected model: ${shown}${more}.`);
  }
}

/** Validates a requested range against a tensor's byte length. */
export function checkRange(name: string, byteLength: number, range: ByteRange | undefined): ByteRange {
  if (!range) return { start: 0, end: byteLength };
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start || end > byteLength) {
    throw new EngineError('INTERNAL', `Byte range [${start}, ${end}) is outside tensor "${name}" (${byteLength} bytes).`);
  }
  return range;
}
