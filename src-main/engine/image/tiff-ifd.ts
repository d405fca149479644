// Reading the directories (IFDs) of a classic TIFF structure: a TIFF file, or an EXIF block,
// which is the same thing. Only what the image code needs: the entries of one IFD with their
// value bytes, wherever those live. BigTIFF is not read here (sharp reads those files itself).

export const TIFF_TYPE_SIZES: Readonly<Record<number, number>> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4 };
export const TYPE_SHORT = 3;
export const TYPE_LONG = 4;

const MAX_ENTRIES = 1000; // far above any real IFD; guards loops against garbage

export interface IfdEntry {
  tag: number;
  type: number;
  count: number;
  /** The value bytes, in the structure's byte order; undefined when they lie outside it. */
  value: Uint8Array | undefined;
  /** Where the value bytes start (inside the entry when they fit in 4 bytes). */
  valueAt: number;
}

export interface TiffStructure {
  bytes: Uint8Array;
  view: DataView;
  le: boolean;
  /** Offset of the first IFD. */
  ifd0: number;
}

/** The header of a classic TIFF structure, or undefined when `bytes` does not start with one. */
export function openTiffStructure(bytes: Uint8Array): TiffStructure | undefined {
  if (bytes.length < 8) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const order = view.getUint16(0);
  if (order !== 0x4949 && order !== 0x4d4d) return undefined;
  const le = order === 0x4949;
  if (view.getUint16(2, le) !== 42) return undefined;
  return { bytes, view, le, ifd0: view.getUint32(4, le) };
}

/** The entries of the IFD at `offset`, or undefined when it does not fit in the structure. */
export function readIfd(tiff: TiffStructure, offset: number): { entries: IfdEntry[]; next: number } | undefined {
  const { view, le, bytes } = tiff;
  if (offset < 8 || offset + 2 > bytes.length) return undefined;
  const count = view.getUint16(offset, le);
  if (count > MAX_ENTRIES || offset + 2 + count * 12 + 4 > bytes.length) return undefined;
  const entries: IfdEntry[] = [];
  for (let i = 0; i < count; i++) {
    const at = offset + 2 + i * 12;
    const type = view.getUint16(at + 2, le);
    const n = view.getUint32(at + 4, le);
    const size = (TIFF_TYPE_SIZES[type] ?? 0) * n;
    const valueAt = size <= 4 ? at + 8 : view.getUint32(at + 8, le);
    const value = valueAt + size <= bytes.length ? bytes.subarray(valueAt, valueAt + size) : undefined;
    entries.push({ tag: view.getUint16(at, le), type, count: n, value, valueAt });
  }
  return { entries, next: view.getUint32(offset + 2 + count * 12, le) };
}

/** The unsigned integers of a BYTE/SHORT/LONG entry (offsets, counts); [] for other types. */
export function entryNumbers(tiff: TiffStructure, entry: IfdEntry): number[] {
  if (!entry.value) return [];
  const v = new DataView(entry.value.buffer, entry.value.byteOffset, entry.value.byteLength);
  const out: number[] = [];
  for (let i = 0; i < entry.count; i++) {
    if (entry.type === TYPE_SHORT) out.push(v.getUint16(i * 2, tiff.le));
    else if (entry.type === TYPE_LONG) out.push(v.getUint32(i * 4, tiff.le));
    else if (entry.type === 1) out.push(v.getUint8(i));
    else return [];
  }
  return out;
}

const STRIP_OFFSETS = 273;
const STRIP_BYTE_COUNTS = 279;
const TILE_OFFSETS = 324;
const TILE_BYTE_COUNTS = 325;

/**
 * Why the first image of a TIFF file lacks pixel data, or undefined when all its strips or tiles
 * lie inside the file. libtiff decodes missing uncompressed strips as black rows without an
 * error that sharp's failOn can catch, so a file cut short must be recognised here.
 */
export function missingTiffData(bytes: Uint8Array): string | undefined {
  const tiff = openTiffStructure(bytes);
  if (!tiff) return undefined; // BigTIFF or not TIFF: left to the decoder
  const ifd = readIfd(tiff, tiff.ifd0);
  if (!ifd) return 'its first directory lies past the end of the file';
  const find = (tag: number): IfdEntry | undefined => ifd.entries.find((e) => e.tag === tag);
  const offsetsEntry = find(STRIP_OFFSETS) ?? find(TILE_OFFSETS);
  const countsEntry = find(STRIP_OFFSETS) ? find(STRIP_BYTE_COUNTS) : find(TILE_BYTE_COUNTS);
  if (!offsetsEntry || !countsEntry) return undefined;
  if (!offsetsEntry.value || !countsEntry.value) return 'its strip table lies past the end of the file';
  const offsets = entryNumbers(tiff, offsetsEntry);
  const counts = entryNumbers(tiff, countsEntry);
  for (let i = 0; i < Math.min(offsets.length, counts.length); i++) {
    if (offsets[i] + counts[i] > bytes.length) {
      const have = Math.max(0, bytes.length - offsets[i]);
      return `image data block ${i + 1} of ${offsets.length} has ${have} of its ${counts[i]} bytes`;
    }
  }
  return undefined;
}
