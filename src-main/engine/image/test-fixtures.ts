// Test fixtures made at test time: photo-like pixels, ICC profiles and EXIF blocks built by hand
// (independently of the code under test), and a temporary folder per test file.
import { mulberry32 } from '../../testing/mulberry32';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Sharp } from 'sharp';
import { EngineError } from '../common/errors';
import type { ErrorCode } from '../common/errors';
import type { RasterImage } from './types';

export function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'pure-image-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A sharp pipeline reading the raster's pixels. */
export function rasterSharp(image: RasterImage): Sharp {
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels } });
}

/** Awaits a rejection with this EngineError code, a one-line message, and optionally a pattern. */
export async function rejectsWith(promise: Promise<unknown>, code: ErrorCode, pattern?: RegExp): Promise<EngineError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof EngineError, `expected EngineError ${code}, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    assert.ok(!error.message.includes('\n'), 'messages are one line');
    if (pattern) assert.match(error.message, pattern);
    return error;
  }
  assert.fail(`expected ${code}, but it resolved`);
}

/** Largest absolute difference between two equally long sample arrays. */
export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

export function meanDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
}

/** Deterministic pseudo-random numbers (mulberry32), so fixtures are the same on every run. */
export const seeded = mulberry32;

/**
 * Photo-like pixels: smooth gradients, seeded grain, and dark strokes like text edges, so codecs
 * and resamplers see the mix of flat areas and sharp detail that photos have.
 */
export function photoLike(width: number, height: number, opts: { channels?: 1 | 3 | 4; bitDepth?: 8 | 16; seed?: number } = {}): RasterImage {
  const channels = opts.channels ?? 3;
  const bitDepth = opts.bitDepth ?? 8;
  const max = bitDepth === 16 ? 65535 : 255;
  const rand = seeded(opts.seed ?? 1);
  const data = bitDepth === 16 ? new Uint16Array(width * height * channels) : new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const stroke = (x % 16 < 2 && y % 12 > 3) || (y % 12 === 6 && x % 16 < 10);
      const base = [x / width, y / height, 1 - (x + y) / (width + height)];
      for (let c = 0; c < channels; c++) {
        let v: number;
        if (c === 3) v = 0.25 + 0.75 * (x / width); // alpha: a ramp, not opaque
        else v = stroke ? 0.08 : 0.15 + 0.7 * base[c] + (rand() - 0.5) * 0.06;
        data[(y * width + x) * channels + c] = Math.max(0, Math.min(max, Math.round(v * max)));
      }
    }
  }
  return { width, height, channels, bitDepth, data };
}

// ----------------------------------------------------------------------------------------- ICC

function s15(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(Math.round(v * 65536));
  return b;
}

function xyzTag(x: number, y: number, z: number): Buffer {
  return Buffer.concat([Buffer.from('XYZ \0\0\0\0', 'latin1'), s15(x), s15(y), s15(z)]);
}

function gammaCurve(gamma: number): Buffer {
  const b = Buffer.alloc(14);
  b.write('curv', 0, 'latin1');
  b.writeUInt32BE(1, 8);
  b.writeUInt16BE(Math.round(gamma * 256), 12);
  return b;
}

function descTag(text: string): Buffer {
  const b = Buffer.alloc(12 + text.length + 1 + 4 + 4 + 2 + 1 + 67);
  b.write('desc', 0, 'latin1');
  b.writeUInt32BE(text.length + 1, 8);
  b.write(text, 12, 'latin1');
  return b;
}

function assembleProfile(space: 'RGB ' | 'GRAY', tags: [string, Buffer][]): Buffer {
  const tableLength = 4 + tags.length * 12;
  const table = Buffer.alloc(tableLength);
  table.writeUInt32BE(tags.length, 0);
  const bodies: Buffer[] = [];
  const placed = new Map<Buffer, number>();
  let offset = 128 + tableLength;
  tags.forEach(([signature, body], i) => {
    let at = placed.get(body);
    if (at === undefined) {
      at = offset;
      placed.set(body, at);
      const padded = Buffer.alloc(Math.ceil(body.length / 4) * 4);
      body.copy(padded);
      bodies.push(padded);
      offset += padded.length;
    }
    table.write(signature, 4 + i * 12, 'latin1');
    table.writeUInt32BE(at, 8 + i * 12);
    table.writeUInt32BE(body.length, 12 + i * 12);
  });
  const header = Buffer.alloc(128);
  header.writeUInt32BE(offset, 0);
  header.writeUInt32BE(0x02100000, 8);
  header.write('mntr', 12, 'latin1');
  header.write(space, 16, 'latin1');
  header.write('XYZ ', 20, 'latin1');
  header.write('acsp', 36, 'latin1');
  header.writeInt32BE(Math.round(0.9642 * 65536), 68);
  header.writeInt32BE(65536, 72);
  header.writeInt32BE(Math.round(0.8249 * 65536), 76);
  return Buffer.concat([header, table, ...bodies]);
}

/** An Adobe-RGB-like matrix/TRC profile (gamma 2.2, Adobe primaries adapted to D50). */
export function adobeLikeProfile(): Buffer {
  const curve = gammaCurve(2.2);
  return assembleProfile('RGB ', [
    ['desc', descTag('Test Adobe-like RGB')],
    ['cprt', Buffer.from('text\0\0\0\0none\0', 'latin1')],
    ['wtpt', xyzTag(0.9642, 1.0, 0.8249)],
    ['rXYZ', xyzTag(0.6097, 0.3111, 0.0195)],
    ['gXYZ', xyzTag(0.2053, 0.6257, 0.0609)],
    ['bXYZ', xyzTag(0.1492, 0.0632, 0.7446)],
    ['rTRC', curve],
    ['gTRC', curve],
    ['bTRC', curve],
  ]);
}

/** A grey profile (gamma 2.2), to check that non-RGB profiles are not re-applied to RGB output. */
export function greyProfile(): Buffer {
  return assembleProfile('GRAY', [
    ['desc', descTag('Test grey')],
    ['cprt', Buffer.from('text\0\0\0\0none\0', 'latin1')],
    ['wtpt', xyzTag(0.9642, 1.0, 0.8249)],
    ['kTRC', gammaCurve(2.2)],
  ]);
}

// ---------------------------------------------------------------------------------------- EXIF

export type FixtureEntry = { tag: number; ascii: string } | { tag: number; short: number } | { tag: number; long: number };

/**
 * A TIFF block written the plain way: IFD0 at offset 8 with its value bytes after it, an Exif
 * sub-IFD (tag 0x8769) holding DateTimeOriginal and PixelX/YDimension (SHORT 640 x 480), and an
 * IFD1 (thumbnail directory) linked from IFD0, so tests can check that offsets into the old
 * layout survive an edit.
 */
export function buildExif(littleEndian: boolean, entries: FixtureEntry[], dateTimeOriginal?: string): Uint8Array {
  const le = littleEndian;
  const all = [...entries];
  if (dateTimeOriginal !== undefined) all.push({ tag: 0x8769, long: 0 }); // patched below
  all.sort((a, b) => a.tag - b.tag);
  const ifdSize = 2 + all.length * 12 + 4;
  const out = Buffer.alloc(4096);
  const u16 = (at: number, v: number): number => (le ? out.writeUInt16LE(v, at) : out.writeUInt16BE(v, at));
  const u32 = (at: number, v: number): number => (le ? out.writeUInt32LE(v, at) : out.writeUInt32BE(v, at));
  const entry = (at: number, tag: number, type: number, count: number, value: number): void => {
    u16(at, tag);
    u16(at + 2, type);
    u32(at + 4, count);
    if (type === 3) u16(at + 8, value);
    else u32(at + 8, value);
  };
  out.write(le ? 'II' : 'MM', 0, 'latin1');
  u16(2, 42);
  u32(4, 8);
  u16(8, all.length);
  let values = 8 + ifdSize;
  let exifIfdEntry = -1;
  all.forEach((e, i) => {
    const at = 10 + i * 12;
    if ('ascii' in e) {
      const bytes = Buffer.from(`${e.ascii}\0`, 'latin1');
      entry(at, e.tag, 2, bytes.length, values);
      if (bytes.length <= 4) {
        out.fill(0, at + 8, at + 12);
        bytes.copy(out, at + 8);
      } else {
        bytes.copy(out, values);
        values += bytes.length + (bytes.length & 1);
      }
    } else if ('short' in e) {
      entry(at, e.tag, 3, 1, e.short);
    } else {
      entry(at, e.tag, 4, 1, e.long);
      if (e.tag === 0x8769) exifIfdEntry = at;
    }
  });
  const nextAt = 10 + all.length * 12;
  if (dateTimeOriginal !== undefined) {
    const sub = values;
    u32(exifIfdEntry + 8, sub);
    const text = Buffer.from(`${dateTimeOriginal}\0`, 'latin1');
    u16(sub, 3);
    entry(sub + 2, 0x9003, 2, text.length, sub + 2 + 36 + 4);
    entry(sub + 14, 0xa002, 3, 1, 640);
    entry(sub + 26, 0xa003, 3, 1, 480);
    u32(sub + 38, 0);
    text.copy(out, sub + 42);
    values = sub + 42 + text.length + (text.length & 1);
    // IFD1, as a thumbnail directory would be: one entry, linked from IFD0.
    u32(nextAt, values);
    u16(values, 1);
    entry(values + 2, 0x0103, 3, 1, 6); // Compression = JPEG
    u32(values + 14, 0);
    values += 18;
  } else {
    u32(nextAt, 0);
  }
  return new Uint8Array(out.subarray(0, values));
}

/** Entries of the Exif sub-IFD, and the IFD1 link, read through whatever IFD0 the header names. */
export function readExifIfd(tiff: Uint8Array): { next: number; entries: Map<number, { type: number; value: number | string }> } {
  const b = Buffer.from(tiff.buffer, tiff.byteOffset, tiff.byteLength);
  const v = b.subarray(0, 6).toString('latin1') === 'Exif\0\0' ? b.subarray(6) : b;
  const le = v.subarray(0, 2).toString('latin1') === 'II';
  const u16 = (at: number): number => (le ? v.readUInt16LE(at) : v.readUInt16BE(at));
  const u32 = (at: number): number => (le ? v.readUInt32LE(at) : v.readUInt32BE(at));
  const ifd0 = u32(4);
  const entries = new Map<number, { type: number; value: number | string }>();
  for (let i = 0; i < u16(ifd0); i++) {
    const at = ifd0 + 2 + i * 12;
    if (u16(at) !== 0x8769) continue;
    const sub = u32(at + 8);
    for (let j = 0; j < u16(sub); j++) {
      const e = sub + 2 + j * 12;
      const type = u16(e + 2);
      const value = type === 2 ? v.subarray(u32(e + 8), u32(e + 8) + u32(e + 4) - 1).toString('latin1') : type === 3 ? u16(e + 8) : u32(e + 8);
      entries.set(u16(e), { type, value });
    }
  }
  return { next: u32(ifd0 + 2 + u16(ifd0) * 12), entries };
}

// ---------------------------------------------------------------------------------------- TIFF

/**
 * An uncompressed 8-bit RGB TIFF laid out the way scanners and many editors write it: the
 * directory first, then the pixel strips (sharp writes its directory last, so cutting one of its
 * files short loses the directory and the file is refused for that reason alone).
 */
export function uncompressedTiff(image: RasterImage, rowsPerStrip = 16): Buffer {
  const { width, height } = image;
  const rowBytes = width * 3;
  const strips = Math.ceil(height / rowsPerStrip);
  const entries: [number, number, number, number][] = []; // tag, type, count, value or offset
  const count = 10;
  const ifdEnd = 8 + 2 + count * 12 + 4;
  const bitsAt = ifdEnd;
  const offsetsAt = bitsAt + 6;
  const countsAt = offsetsAt + strips * 4;
  const dataAt = countsAt + strips * 4;
  entries.push([256, 4, 1, width], [257, 4, 1, height], [258, 3, 3, bitsAt], [259, 3, 1, 1], [262, 3, 1, 2]);
  entries.push([273, 4, strips, strips === 1 ? dataAt : offsetsAt], [277, 3, 1, 3], [278, 4, 1, rowsPerStrip]);
  entries.push([279, 4, strips, strips === 1 ? Math.min(height, rowsPerStrip) * rowBytes : countsAt], [284, 3, 1, 1]);
  const out = Buffer.alloc(dataAt + rowBytes * height);
  out.write('II', 0, 'latin1');
  out.writeUInt16LE(42, 2);
  out.writeUInt32LE(8, 4);
  out.writeUInt16LE(count, 8);
  entries.forEach(([tag, type, n, value], i) => {
    const at = 10 + i * 12;
    out.writeUInt16LE(tag, at);
    out.writeUInt16LE(type, at + 2);
    out.writeUInt32LE(n, at + 4);
    if (type === 3 && n === 1) out.writeUInt16LE(value, at + 8);
    else out.writeUInt32LE(value, at + 8);
  });
  for (let i = 0; i < 3; i++) out.writeUInt16LE(8, bitsAt + i * 2);
  for (let s = 0; s < strips; s++) {
    const rows = Math.min(rowsPerStrip, height - s * rowsPerStrip);
    out.writeUInt32LE(dataAt + s * rowsPerStrip * rowBytes, offsetsAt + s * 4);
    out.writeUInt32LE(rows * rowBytes, countsAt + s * 4);
  }
  Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength).copy(out, dataAt);
  return out;
}

/** A valid RGB profile padded to `size` bytes with incompressible bytes (the header says so). */
export function hugeProfile(size: number): Buffer {
  const base = adobeLikeProfile();
  const big = Buffer.alloc(size);
  base.copy(big);
  big.writeUInt32BE(size, 0);
  let x = 12345;
  for (let i = base.length; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    big[i] = x >>> 24;
  }
  return big;
}

/** A JPEG carrying `icc` in as many APP2 ICC_PROFILE segments as it takes (the ICC spec's way). */
export async function jpegWithProfile(icc: Buffer): Promise<Buffer> {
  const jpeg = await rasterSharp(photoLike(48, 32)).jpeg().toBuffer();
  const per = 65519 - 14; // payload per segment after "ICC_PROFILE\0", sequence and count bytes
  const count = Math.ceil(icc.length / per);
  const segments: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const part = icc.subarray(i * per, (i + 1) * per);
    const head = Buffer.from([0xff, 0xe2, 0, 0]);
    head.writeUInt16BE(part.length + 16, 2);
    segments.push(head, Buffer.from('ICC_PROFILE\0', 'latin1'), Buffer.from([i + 1, count]), part);
  }
  return Buffer.concat([jpeg.subarray(0, 2), ...segments, jpeg.subarray(2)]);
}
