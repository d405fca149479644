// EXIF and TIFF files hold metadata the same way (IFD0 tags plus Exif and GPS sub-directories),
// but libvips neither reads it from a TIFF input nor writes it into a TIFF output. This moves the
// metadata directories between the two: out of a TIFF file into an EXIF block (for any output),
// and out of an EXIF block into a TIFF file that sharp wrote. Values are copied entry by entry and
// re-laid out, with the byte order converted; only a maker note's insides cannot be converted
// and are copied as they are (most makers' notes carry their own byte order and offsets).
import { setIfd0Tags } from './exif-patch';
import type { TagValue } from './exif-patch';
import { openTiffStructure, readIfd, TYPE_LONG } from './tiff-ifd';
import type { TiffStructure } from './tiff-ifd';

const EXIF_IFD = 0x8769;
const GPS_IFD = 0x8825;
const INTEROP_IFD = 0xa005;
const POINTERS = new Set([EXIF_IFD, GPS_IFD, INTEROP_IFD]);
const IPTC_NAA = 0x83bb;
const XMP_TAG = 0x02bc;

/**
 * IFD0 tags that describe the photo rather than the pixel layout: the ones carried between a
 * TIFF file and an EXIF block. Resolution is left to each writer (it follows the output's size).
 */
const DESCRIPTIVE_IFD0 = new Set([
  0x010d, // DocumentName
  0x010e, // ImageDescription
  0x010f, // Make
  0x0110, // Model
  0x011d, // PageName
  0x0131, // Software
  0x0132, // DateTime
  0x013b, // Artist
  0x013c, // HostComputer
  0x013e, // WhitePoint
  0x013f, // PrimaryChromaticities
  0x4746, // Rating
  0x4749, // RatingPercent
  0x8298, // Copyright
  0x9c9b, 0x9c9c, 0x9c9d, 0x9c9e, 0x9c9f, // Windows XPTitle, XPComment, XPAuthor, XPKeywords, XPSubject
]);

/** Bytes per byte-order unit of each TIFF type (rationals swap as two LONGs). */
const SWAP_UNIT: Readonly<Record<number, number>> = { 3: 2, 8: 2, 4: 4, 9: 4, 11: 4, 13: 4, 5: 4, 10: 4, 12: 8 };

interface Item {
  tag: number;
  type: number;
  count: number;
  /** Value bytes in the target byte order. */
  bytes: Uint8Array;
  child?: Item[];
}

function reorder(bytes: Uint8Array, type: number, swap: boolean): Uint8Array {
  const unit = SWAP_UNIT[type];
  const out = bytes.slice();
  if (!swap || !unit) return out;
  for (let at = 0; at + unit <= out.length; at += unit) out.subarray(at, at + unit).reverse();
  return out;
}

/** The entries of the IFD at `offset` (sub-directories followed, to a depth of 2), in `le` order. */
function readItems(tiff: TiffStructure, offset: number, le: boolean, keep: (tag: number) => boolean, depth = 0): Item[] {
  const ifd = readIfd(tiff, offset);
  if (!ifd) return [];
  const items: Item[] = [];
  for (const entry of ifd.entries) {
    if (!keep(entry.tag) || !entry.value) continue;
    if (POINTERS.has(entry.tag)) {
      if (depth >= 2 || entry.count !== 1) continue;
      const at = new DataView(entry.value.buffer, entry.value.byteOffset, 4).getUint32(0, tiff.le);
      const child = readItems(tiff, at, le, () => true, depth + 1);
      if (child.length > 0) items.push({ tag: entry.tag, type: TYPE_LONG, count: 1, bytes: new Uint8Array(4), child });
      continue;
    }
    items.push({ tag: entry.tag, type: entry.type, count: entry.count, bytes: reorder(entry.value, entry.type, tiff.le !== le) });
  }
  return items;
}

/**
 * Lays out `items` as an IFD at absolute offset `base` (sorted, values after it, sub-directories
 * after those), returning the bytes from `base` on.
 */
function layout(items: Item[], base: number, le: boolean): Uint8Array {
  const sorted = [...items].sort((a, b) => a.tag - b.tag);
  const ifdSize = 2 + sorted.length * 12 + 4; // next-IFD link left 0
  const head = new Uint8Array(ifdSize);
  const view = new DataView(head.buffer);
  const parts: Uint8Array[] = [head];
  let end = base + ifdSize;
  /** Appends what `make(at)` returns at the next even offset, and returns that offset. */
  const place = (make: (at: number) => Uint8Array): number => {
    if (end & 1) {
      parts.push(new Uint8Array(1)); // TIFF values start on word boundaries
      end += 1;
    }
    const at = end;
    const bytes = make(at);
    parts.push(bytes);
    end += bytes.length;
    return at;
  };
  view.setUint16(0, sorted.length, le);
  sorted.forEach((item, i) => {
    const at = 2 + i * 12;
    view.setUint16(at, item.tag, le);
    view.setUint16(at + 2, item.type, le);
    view.setUint32(at + 4, item.count, le);
    const { child } = item;
    if (child) view.setUint32(at + 8, place((where) => layout(child, where, le)), le);
    else if (item.bytes.length <= 4) head.set(item.bytes, at + 8);
    else view.setUint32(at + 8, place(() => item.bytes), le);
  });
  return Buffer.concat(parts);
}

export interface TiffFileMetadata {
  /** An EXIF block (TIFF header onwards) with the file's descriptive IFD0 tags and sub-IFDs. */
  exif?: Uint8Array;
  /** IPTC-IIM records from the IPTC-NAA tag. */
  iptc?: Uint8Array;
  /** The XMP packet from tag 700. */
  xmp?: Uint8Array;
}

/** The metadata of a TIFF file's first image, as an EXIF block and the IPTC/XMP blocks. */
export function tiffFileMetadata(file: Uint8Array): TiffFileMetadata {
  const tiff = openTiffStructure(file);
  if (!tiff) return {};
  const out: TiffFileMetadata = {};
  const ifd = readIfd(tiff, tiff.ifd0);
  const raw = (tag: number): Uint8Array | undefined => ifd?.entries.find((e) => e.tag === tag)?.value?.slice();
  const iptc = raw(IPTC_NAA);
  if (iptc?.length) out.iptc = iptc;
  const xmp = raw(XMP_TAG);
  if (xmp?.length) out.xmp = xmp;
  const items = readItems(tiff, tiff.ifd0, tiff.le, (tag) => DESCRIPTIVE_IFD0.has(tag) || POINTERS.has(tag));
  if (items.length === 0) return out;
  const header = new Uint8Array(8);
  header.set(tiff.le ? [0x49, 0x49, 0x2a, 0x00] : [0x4d, 0x4d, 0x00, 0x2a]);
  new DataView(header.buffer).setUint32(4, 8, tiff.le);
  out.exif = Buffer.concat([header, layout(items, 8, tiff.le)]);
  return out;
}

/**
 * A TIFF file (as sharp wrote it) with the EXIF block's descriptive IFD0 tags, its Exif and GPS
 * directories, and the IPTC records added to its first IFD. The file's own layout tags win.
 * Undefined when the file is not a classic TIFF this code can edit.
 */
export function addMetadataToTiff(file: Uint8Array, exif: Uint8Array | undefined, iptc: Uint8Array | undefined): Uint8Array | undefined {
  const target = openTiffStructure(file);
  if (!target) return undefined;
  const source = exif && openTiffStructure(exif);
  const items = source ? readItems(source, source.ifd0, target.le, (tag) => DESCRIPTIVE_IFD0.has(tag) || tag === EXIF_IFD || tag === GPS_IFD) : [];
  const tags = new Map<number, TagValue>();
  const appended: Uint8Array[] = [];
  let end = file.length;
  for (const item of items) {
    if (!item.child) {
      tags.set(item.tag, { type: 'raw', tiffType: item.type, count: item.count, bytes: item.bytes });
      continue;
    }
    const pad = new Uint8Array(end & 1);
    end += pad.length;
    const sub = layout(item.child, end, target.le);
    appended.push(pad, sub);
    end += sub.length;
    const pointer = new Uint8Array(4);
    new DataView(pointer.buffer).setUint32(0, end - sub.length, target.le);
    tags.set(item.tag, { type: 'raw', tiffType: TYPE_LONG, count: 1, bytes: pointer });
  }
  if (iptc?.length) {
    // IPTC-NAA is written as LONGs by Photoshop and read as bytes by everyone: pad to 4.
    const padded = new Uint8Array(Math.ceil(iptc.length / 4) * 4);
    padded.set(iptc);
    tags.set(IPTC_NAA, { type: 'raw', tiffType: TYPE_LONG, count: padded.length / 4, bytes: padded });
  }
  if (tags.size === 0) return file;
  return setIfd0Tags(Buffer.concat([file, ...appended]), tags);
}
