// Positional reads through a file handle: the only way checkpoint bytes are read, so that a 14 GB
// checkpoint is never mapped or loaded whole.

import type { FileHandle } from 'node:fs/promises';
import { EngineError } from '../common/errors';

/** fs reads are limited to 2 GiB per call; stay well below. */
const CHUNK = 1 << 30;

/** Reads exactly `length` bytes at `position`, or fails with MODEL_FORMAT when the file is shorter. */
export async function readAt(handle: FileHandle, position: number, length: number, what: string): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(out, done, Math.min(CHUNK, length - done), position + done);
    if (bytesRead === 0) {
      throw new EngineError(
        'MODEL_FORMAT',
        `${what} ends early: wanted ${length} bytes at offset ${position}, got ${done}. The file is truncated.`,
        'Download the model again.',
      );
    }
    done += bytesRead;
  }
  return out;
}

/** Writes all of `data` at `position`. */
export async function writeAt(handle: FileHandle, data: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < data.byteLength) {
    const { bytesWritten } = await handle.write(data, done, Math.min(CHUNK, data.byteLength - done), position + done);
    done += bytesWritten;
  }
}
