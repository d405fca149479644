// A minimal zip reader for PyTorch checkpoints (torch.save since 1.6 writes a zip): it reads the
// central directory (ZIP64 included: a 7B .bin shard passes 4 GiB) and gives random access to an
// entry's bytes through a file handle. torch stores entries uncompressed, so a tensor is a plain
// byte range; deflated entries (a zip re-packed by another tool) are inflated whole with node:zlib.
// Layouts (PKWARE APPNOTE 6.3): end of central directory record 0x06054b50, ZIP64 locator
// 0x07064b50 and record 0x06064b50, central headers 0x02014b50, local headers 0x04034b50.

import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { EngineError } from '../common/errors';
import { readAt } from './file-io';

export interface ZipEntry {
  name: string;
  /** 0 = stored, 8 = deflate. */
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

export class ZipReader {
  private readonly dataOffsets = new Map<string, number>();

  private constructor(
    readonly file: string,
    private readonly handle: FileHandle,
    readonly size: number,
    readonly entries: ReadonlyMap<string, ZipEntry>,
  ) {}

  static async open(file: string): Promise<ZipReader> {
    const handle = await open(file, 'r');
    try {
      const { size } = await handle.stat();
      return new ZipReader(file, handle, size, await readCentralDirectory(handle, size, file));
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  private fail(message: string): EngineError {
    return zipError(this.file, message);
  }

  /** Where an entry's bytes start: after its local header, whose extra field may differ from the central one. */
  async dataOffset(entry: ZipEntry): Promise<number> {
    const known = this.dataOffsets.get(entry.name);
    if (known !== undefined) return known;
    const local = await readAt(this.handle, entry.localHeaderOffset, 30, basename(this.file));
    const view = new DataView(local.buffer);
    if (view.getUint32(0, true) !== LOCAL) throw this.fail(`entry ${entry.name} has no local header where the directory says.`);
    const offset = entry.localHeaderOffset + 30 + view.getUint16(26, true) + view.getUint16(28, true);
    if (offset + entry.compressedSize > this.size) throw this.fail(`entry ${entry.name} runs past the end of the file.`);
    this.dataOffsets.set(entry.name, offset);
    return offset;
  }

  /** `length` bytes of an entry's (uncompressed) content starting at `start`. */
  async read(name: string, start = 0, length?: number): Promise<Uint8Array> {
    const entry = this.entries.get(name);
    if (!entry) throw this.fail(`it has no entry ${name}.`);
    const want = length ?? entry.size - start;
    if (start < 0 || want < 0 || start + want > entry.size) {
      throw this.fail(`bytes [${start}, ${start + want}) are outside entry ${name} (${entry.size} bytes).`);
    }
    const offset = await this.dataOffset(entry);
    if (entry.method === 0) return readAt(this.handle, offset + start, want, basename(this.file));
    if (entry.method !== 8) throw this.fail(`entry ${name} uses compression method ${entry.method}; only stored and deflate are supported.`);
    let inflated: Uint8Array;
    try {
      const buffer = inflateRawSync(await readAt(this.handle, offset, entry.compressedSize, basename(this.file)));
      inflated = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    } catch (error) {
      throw this.fail(`entry ${name} does not inflate: ${(error as Error).message}.`);
    }
    if (inflated.byteLength !== entry.size) throw this.fail(`entry ${name} inflates to ${inflated.byteLength} bytes, not ${entry.size}.`);
    return inflated.subarray(start, start + want);
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

function zipError(file: string, message: string): EngineError {
  return new EngineError('MODEL_FORMAT', `${basename(file)} is not a readable zip/PyTorch file: ${message}`, 'Download the model again.');
}

function u64(view: DataView, at: number, file: string): number {
  const value = view.getBigUint64(at, true);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw zipError(file, 'a 64-bit size or offset is impossibly large.');
  return Number(value);
}

async function readCentralDirectory(handle: FileHandle, size: number, file: string): Promise<Map<string, ZipEntry>> {
  const head = await readAt(handle, 0, Math.min(size, 4), basename(file));
  if (head[0] === 0x80 && head[1] >= 2) {
    throw zipError(file, 'it is a PyTorch file in the legacy (pre-1.6) format.');
  }
  // The end record is in the last 22 + 65535 (comment) bytes.
  const tailLength = Math.min(size, 22 + 0xffff);
  const tail = await readAt(handle, size - tailLength, tailLength, basename(file));
  const tv = new DataView(tail.buffer);
  let at = -1;
  for (let i = tailLength - 22; i >= 0; i--) {
    if (tv.getUint32(i, true) === EOCD) {
      at = i;
      break;
    }
  }
  if (at < 0) throw zipError(file, 'no end-of-central-directory record (not a zip, or truncated).');
  let count = tv.getUint16(at + 10, true);
  let cdSize = tv.getUint32(at + 12, true);
  let cdOffset = tv.getUint32(at + 16, true);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const eocdPos = size - tailLength + at;
    if (eocdPos < 20) throw zipError(file, 'a ZIP64 archive without its locator.');
    const loc = new DataView((await readAt(handle, eocdPos - 20, 20, basename(file))).buffer);
    if (loc.getUint32(0, true) !== ZIP64_LOCATOR) throw zipError(file, 'a ZIP64 archive without its locator.');
    const recordAt = u64(loc, 8, file);
    if (recordAt + 56 > size) throw zipError(file, 'the ZIP64 end record is outside the file.');
    const rec = new DataView((await readAt(handle, recordAt, 56, basename(file))).buffer);
    if (rec.getUint32(0, true) !== ZIP64_EOCD) throw zipError(file, 'the ZIP64 end record is missing.');
    count = u64(rec, 32, file);
    cdSize = u64(rec, 40, file);
    cdOffset = u64(rec, 48, file);
  }
  if (cdOffset + cdSize > size) throw zipError(file, 'its central directory lies outside the file (truncated?).');
  const cd = await readAt(handle, cdOffset, cdSize, basename(file));
  const cv = new DataView(cd.buffer);
  const entries = new Map<string, ZipEntry>();
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cdSize || cv.getUint32(p, true) !== CENTRAL) throw zipError(file, `central directory entry ${i} is damaged.`);
    const flags = cv.getUint16(p + 8, true);
    const method = cv.getUint16(p + 10, true);
    let compressedSize = cv.getUint32(p + 20, true);
    let entrySize = cv.getUint32(p + 24, true);
    const nameLength = cv.getUint16(p + 28, true);
    const extraLength = cv.getUint16(p + 30, true);
    const commentLength = cv.getUint16(p + 32, true);
    let localHeaderOffset = cv.getUint32(p + 42, true);
    if (p + 46 + nameLength + extraLength + commentLength > cdSize) throw zipError(file, `central directory entry ${i} is damaged.`);
    const name = new TextDecoder().decode(cd.subarray(p + 46, p + 46 + nameLength));
    if (flags & 1) throw zipError(file, `entry ${name} is encrypted.`);
    // ZIP64 extra field (id 1): the 64-bit values of whichever fields are saturated, in this order.
    for (let x = p + 46 + nameLength; x + 4 <= p + 46 + nameLength + extraLength; ) {
      const id = cv.getUint16(x, true);
      const len = cv.getUint16(x + 2, true);
      if (id === 1) {
        let q = x + 4;
        const next = () => {
          if (q + 8 > x + 4 + len) throw zipError(file, `entry ${name} has a short ZIP64 field.`);
          const v = u64(cv, q, file);
          q += 8;
          return v;
        };
        if (entrySize === 0xffffffff) entrySize = next();
        if (compressedSize === 0xffffffff) compressedSize = next();
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = next();
      }
      x += 4 + len;
    }
    if (method === 0 && compressedSize !== entrySize) throw zipError(file, `stored entry ${name} has two different sizes.`);
    if (localHeaderOffset + 30 > size) throw zipError(file, `entry ${name} starts outside the file.`);
    entries.set(name, { name, method, compressedSize, size: entrySize, localHeaderOffset });
    p += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}
