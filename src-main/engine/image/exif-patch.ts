// Byte-level reading and editing of EXIF (a TIFF block: header, IFD0, sub-IFDs). Used to carry a
// source photo's EXIF into the output with Orientation reset and Software set, and to add IFD0 tags
// to TIFF files, which sharp writes without EXIF. Pure TypeScript: Uint8Array and DataView only.
//
// Editing never moves existing bytes: a new IFD0 (old entries + changes, sorted by tag) and its
// value bytes are appended at the end and the header is pointed at it. Every offset inside the
// block (sub-IFDs, maker notes, thumbnails, TIFF strips) is relative to the header, so stays valid.
import { openTiffStructure } from './tiff-ifd';

export const TAGS = {
  ImageDescription: 0x010e,
  Make: 0x010f,
  Model: 0x0110,
  Orientation: 0x0112,
  XResolution: 0x011a,
  YResolution: 0x011b,
  ResolutionUnit: 0x0128,
  Software: 0x0131,
  DateTime: 0x0132,
  Artist: 0x013b,
  Copyright: 0x8298,
} as const;

export type TagValue =
  | { type: 'ascii'; value: string }
  | { type: 'short'; value: number }
  | { type: 'rational'; value: [number, number] }
  /** Any TIFF type, its value bytes already in the block's byte order (copied entries, IFD pointers). */
  | { type: 'raw'; tiffType: number; count: number; bytes: Uint8Array };

export interface ExifSummary {
  littleEndian: boolean;
  orientation?: number;
  make?: string;
  model?: string;
  dateTime?: string;
  artist?: string;
  copyright?: string;
  software?: string;
  imageDescription?: string;
}

const TYPE_SIZES: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4 };
const TYPE_ASCII = 2;
const TYPE_SHORT = 3;
const TYPE_LONG = 4;
const TYPE_RATIONAL = 5;
const TAG_EXIF_IFD = 0x8769;
const TAG_PIXEL_X = 0xa002;
const TAG_PIXEL_Y = 0xa003;
const MAX_ENTRIES = 1000; // far above any real IFD0; guards loops against garbage

interface Entry {
  tag: number;
  /** The 12 entry bytes, in the block's byte order. */
  raw: Uint8Array;
}

interface Tiff {
  bytes: Uint8Array;
  view: DataView;
  le: boolean;
  ifd0: number;
  entries: Entry[];
  /** Where IFD1 (the thumbnail directory) starts; 0 when there is none. */
  next: number;
}

const EXIF_PREFIX = [0x45, 0x78, 0x69, 0x66, 0x00, 0x00]; // "Exif\0\0", as JPEG APP1 and sharp carry it

/** The TIFF block without a leading "Exif\0\0", as PNG eXIf and WebP EXIF chunks want it. */
export function stripExifPrefix(bytes: Uint8Array): Uint8Array {
  return EXIF_PREFIX.every((b, i) => bytes[i] === b) ? bytes.subarray(EXIF_PREFIX.length) : bytes;
}

function openTiff(input: Uint8Array): Tiff | undefined {
  const header = openTiffStructure(stripExifPrefix(input));
  if (!header) return undefined;
  const { bytes, view, le, ifd0 } = header;
  if (ifd0 < 8 || ifd0 + 2 > bytes.length) return undefined;
  const count = view.getUint16(ifd0, le);
  if (count > MAX_ENTRIES || ifd0 + 2 + count * 12 + 4 > bytes.length) return undefined;
  const entries: Entry[] = [];
  for (let i = 0; i < count; i++) {
    const at = ifd0 + 2 + i * 12;
    entries.push({ tag: view.getUint16(at, le), raw: bytes.slice(at, at + 12) });
  }
  return { bytes, view, le, ifd0, entries, next: view.getUint32(ifd0 + 2 + count * 12, le) };
}

function entryView(entry: Entry): DataView {
  return new DataView(entry.raw.buffer, entry.raw.byteOffset, 12);
}

/** The value bytes of an entry, wherever they live; undefined when they point outside the block. */
function valueBytes(tiff: Tiff, entry: Entry): Uint8Array | undefined {
  const v = entryView(entry);
  const size = (TYPE_SIZES[v.getUint16(2, tiff.le)] ?? 0) * v.getUint32(4, tiff.le);
  if (size === 0) return undefined;
  if (size <= 4) return entry.raw.subarray(8, 8 + size);
  const offset = v.getUint32(8, tiff.le);
  return offset + size <= tiff.bytes.length ? tiff.bytes.subarray(offset, offset + size) : undefined;
}

function readAscii(tiff: Tiff, tag: number): string | undefined {
  const entry = tiff.entries.find((e) => e.tag === tag);
  if (!entry || entryView(entry).getUint16(2, tiff.le) !== TYPE_ASCII) return undefined;
  const bytes = valueBytes(tiff, entry);
  if (!bytes) return undefined;
  let end = bytes.indexOf(0);
  if (end < 0) end = bytes.length;
  const text = new TextDecoder('utf-8').decode(bytes.subarray(0, end)).trim();
  return text === '' ? undefined : text;
}

function readShort(tiff: Tiff, tag: number): number | undefined {
  const entry = tiff.entries.find((e) => e.tag === tag);
  if (!entry) return undefined;
  const v = entryView(entry);
  return v.getUint16(2, tiff.le) === TYPE_SHORT && v.getUint32(4, tiff.le) >= 1 ? v.getUint16(8, tiff.le) : undefined;
}

/** The few IFD0 facts the app shows or carries into formats that cannot hold a whole EXIF block. */
export function parseExif(bytes: Uint8Array | undefined): ExifSummary | undefined {
  const tiff = bytes && openTiff(bytes);
  if (!tiff) return undefined;
  const summary: ExifSummary = { littleEndian: tiff.le };
  const orientation = readShort(tiff, TAGS.Orientation);
  if (orientation !== undefined) summary.orientation = orientation;
  const texts: [keyof ExifSummary, number][] = [
    ['make', TAGS.Make],
    ['model', TAGS.Model],
    ['dateTime', TAGS.DateTime],
    ['artist', TAGS.Artist],
    ['copyright', TAGS.Copyright],
    ['software', TAGS.Software],
    ['imageDescription', TAGS.ImageDescription],
  ];
  for (const [key, tag] of texts) {
    const text = readAscii(tiff, tag);
    if (text !== undefined) (summary as unknown as Record<string, string>)[key] = text;
  }
  return summary;
}

function encodeValue(value: TagValue, le: boolean): { type: number; count: number; bytes: Uint8Array } {
  if (value.type === 'raw') return { type: value.tiffType, count: value.count, bytes: value.bytes };
  if (value.type === 'ascii') {
    const text = new TextEncoder().encode(value.value);
    const bytes = new Uint8Array(text.length + 1); // NUL-terminated, as TIFF ASCII requires
    bytes.set(text);
    return { type: TYPE_ASCII, count: bytes.length, bytes };
  }
  if (value.type === 'short') {
    const bytes = new Uint8Array(2);
    new DataView(bytes.buffer).setUint16(0, value.value, le);
    return { type: TYPE_SHORT, count: 1, bytes };
  }
  const bytes = new Uint8Array(8);
  const v = new DataView(bytes.buffer);
  v.setUint32(0, value.value[0] >>> 0, le);
  v.setUint32(4, value.value[1] >>> 0, le);
  return { type: TYPE_RATIONAL, count: 1, bytes };
}

const align2 = (n: number): number => n + (n & 1);

/**
 * Returns a copy of the TIFF block (input may carry "Exif\0\0"; output never does) whose IFD0 has
 * `tags` added or replaced. Undefined when `input` is not a TIFF block this code can read.
 */
export function setIfd0Tags(
  input: Uint8Array,
  tags: ReadonlyMap<number, TagValue>,
  options: { keepNextIfd?: boolean } = {},
): Uint8Array | undefined {
  const tiff = openTiff(input);
  if (!tiff) return undefined;
  const { le } = tiff;
  const kept = tiff.entries.filter((e) => !tags.has(e.tag));
  const added = [...tags].map(([tag, value]) => ({ tag, ...encodeValue(value, le) }));
  const count = kept.length + added.length;
  if (count > MAX_ENTRIES) return undefined;

  const ifdAt = align2(tiff.bytes.length);
  let valueAt = align2(ifdAt + 2 + count * 12 + 4);
  const rows: Entry[] = [...kept];
  const values: { at: number; bytes: Uint8Array }[] = [];
  for (const item of added) {
    const raw = new Uint8Array(12);
    const v = new DataView(raw.buffer);
    v.setUint16(0, item.tag, le);
    v.setUint16(2, item.type, le);
    v.setUint32(4, item.count, le);
    if (item.bytes.length <= 4) {
      raw.set(item.bytes, 8); // small values live inside the entry, left-justified
    } else {
      v.setUint32(8, valueAt, le);
      values.push({ at: valueAt, bytes: item.bytes });
      valueAt = align2(valueAt + item.bytes.length);
    }
    rows.push({ tag: item.tag, raw });
  }
  rows.sort((a, b) => a.tag - b.tag); // TIFF requires ascending tags

  if (valueAt > 0xffffffff) return undefined;
  const out = new Uint8Array(valueAt);
  out.set(tiff.bytes);
  const view = new DataView(out.buffer);
  view.setUint16(ifdAt, count, le);
  rows.forEach((row, i) => out.set(row.raw, ifdAt + 2 + i * 12));
  view.setUint32(ifdAt + 2 + count * 12, options.keepNextIfd === false ? 0 : tiff.next, le); // IFD1: the thumbnail
  for (const value of values) out.set(value.bytes, value.at);
  view.setUint32(4, ifdAt, le);
  return out;
}

/** A minimal TIFF block holding only `tags` in IFD0 (little-endian). */
export function createExif(tags: ReadonlyMap<number, TagValue>): Uint8Array {
  const empty = new Uint8Array([0x49, 0x49, 0x2a, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]);
  const out = setIfd0Tags(empty, tags);
  if (!out) throw new Error('createExif: could not build an EXIF block');
  // The empty IFD0 at offset 8 stays behind unreferenced; six bytes are not worth a second layout.
  return out;
}

/**
 * Rewrites single SHORT/LONG entries of the IFD at `ifd` in place (an entry is 12 bytes either
 * way; a value too big for SHORT turns the entry into a LONG). Entries of other shapes are left.
 */
function setNumbersInPlace(tiff: Tiff, ifd: number, values: ReadonlyMap<number, number>): void {
  const { view, le } = tiff;
  if (ifd < 8 || ifd + 2 > tiff.bytes.length) return;
  const count = view.getUint16(ifd, le);
  if (count > MAX_ENTRIES || ifd + 2 + count * 12 > tiff.bytes.length) return;
  for (let at = ifd + 2; at < ifd + 2 + count * 12; at += 12) {
    const value = values.get(view.getUint16(at, le));
    const type = view.getUint16(at + 2, le);
    if (value === undefined || view.getUint32(at + 4, le) !== 1 || (type !== TYPE_SHORT && type !== TYPE_LONG)) continue;
    view.setUint32(at + 8, 0, le);
    if (type === TYPE_SHORT && value <= 0xffff) {
      view.setUint16(at + 8, value, le);
    } else {
      view.setUint16(at + 2, TYPE_LONG, le);
      view.setUint32(at + 8, value, le);
    }
  }
}

/** Orientation (IFD0) and PixelX/YDimension (Exif IFD) describe the new pixels, edited in place. */
function updateInPlace(bytes: Uint8Array, width: number | undefined, height: number | undefined): void {
  const tiff = openTiff(bytes);
  if (!tiff) return;
  setNumbersInPlace(tiff, tiff.ifd0, new Map([[TAGS.Orientation, 1]]));
  const exifIfd = tiff.entries.find((e) => e.tag === TAG_EXIF_IFD);
  if (exifIfd && width !== undefined && height !== undefined) {
    const offset = entryView(exifIfd).getUint32(8, tiff.le);
    setNumbersInPlace(tiff, offset, new Map([[TAG_PIXEL_X, width], [TAG_PIXEL_Y, height]]));
  }
}

/** TIFF RATIONAL for a pixels-per-inch value: integers exactly, fractions to 1/1000. */
export function densityRational(density: number): [number, number] {
  return Number.isInteger(density) ? [density, 1] : [Math.round(density * 1000), 1000];
}

export interface OutputExifOptions {
  software: string;
  /** Pixels per inch to record as X/YResolution (unit: inch). */
  density?: number;
  /** Size of the output, for the Exif IFD's PixelXDimension / PixelYDimension when present. */
  width?: number;
  height?: number;
}

/**
 * The EXIF block for an output whose pixels are upright: the source's block (when readable) with
 * Orientation = 1, Software set and the pixel size updated, or a minimal block with just those.
 * The link to IFD1 is dropped: its thumbnail shows the unrestored photo, unrotated. No prefix.
 */
export function exifForOutput(source: Uint8Array | undefined, options: OutputExifOptions): Uint8Array {
  const tags = new Map<number, TagValue>([
    [TAGS.Orientation, { type: 'short', value: 1 }],
    [TAGS.Software, { type: 'ascii', value: options.software }],
  ]);
  if (options.density !== undefined && options.density > 0) {
    const rational = densityRational(options.density);
    tags.set(TAGS.XResolution, { type: 'rational', value: rational });
    tags.set(TAGS.YResolution, { type: 'rational', value: rational });
    tags.set(TAGS.ResolutionUnit, { type: 'short', value: 2 });
  }
  if (source) {
    const copy = stripExifPrefix(source).slice();
    updateInPlace(copy, options.width, options.height); // IFD0 also for readers that cache its old place
    const patched = setIfd0Tags(copy, tags, { keepNextIfd: false });
    if (patched) return patched;
  }
  return createExif(tags);
}

/** IFD0 ASCII tags worth keeping where only a few can be written (TIFF, AVIF, an oversized JPEG EXIF). */
export function essentialAsciiTags(summary: ExifSummary | undefined, software: string): Map<number, TagValue> {
  const tags = new Map<number, TagValue>();
  const put = (tag: number, value: string | undefined): void => {
    if (value !== undefined) tags.set(tag, { type: 'ascii', value });
  };
  put(TAGS.Make, summary?.make);
  put(TAGS.Model, summary?.model);
  put(TAGS.DateTime, summary?.dateTime);
  put(TAGS.Artist, summary?.artist);
  put(TAGS.Copyright, summary?.copyright);
  put(TAGS.Software, software);
  return tags;
}
