// Recognises an image file by its first bytes, so that decode can refuse what it cannot read with a
// message that names the format, instead of passing arbitrary bytes to a native decoder.
// Pure TypeScript: no Node built-ins.

/** Formats decodeImage reads. 'heif' is a HEIF container whose codec the brands do not tell. */
export type InputFormat = 'jpeg' | 'png' | 'webp' | 'tiff' | 'gif' | 'avif' | 'heic' | 'heif';

export type SniffResult =
  | { supported: true; format: InputFormat; label: string }
  | { supported: false; label: string; advice: string };

export const SUPPORTED_INPUTS = 'JPEG, PNG, WebP, TIFF, GIF, AVIF and HEIC/HEIF';

/** Bytes sniffImage wants to see; fewer is fine for short files. */
export const SNIFF_BYTES = 4096;

const HEVC_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'hevm', 'hevs']);
const AVIF_BRANDS = new Set(['avif', 'avis']);
const HEIF_BRANDS = new Set(['mif1', 'msf1', 'miaf', 'mif2']);
const VIDEO_BRANDS = new Set(['isom', 'iso2', 'mp41', 'mp42', 'qt  ', 'M4V ', '3gp4', '3gp5', 'avc1', 'dash']);

const CAMERA_RAW_EXTENSIONS = new Set([
  'cr2', 'cr3', 'crw', 'nef', 'nrw', 'arw', 'srf', 'sr2', 'dng', 'raf', 'orf', 'rw2', 'pef', 'srw', 'x3f', 'erf', 'kdc', 'mrw', '3fr', 'iiq',
]);

function ascii(bytes: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < Math.min(end, bytes.length); i++) s += String.fromCharCode(bytes[i]);
  return s;
}

function startsWith(bytes: Uint8Array, prefix: readonly number[], at = 0): boolean {
  if (bytes.length < at + prefix.length) return false;
  return prefix.every((b, i) => bytes[at + i] === b);
}

const ok = (format: InputFormat, label: string): SniffResult => ({ supported: true, format, label });
const no = (label: string, advice: string): SniffResult => ({ supported: false, label, advice });

/** Brands of an ISO-BMFF 'ftyp' box: the major brand first, then the compatible ones. */
export function ftypBrands(bytes: Uint8Array): string[] | undefined {
  if (bytes.length < 16 || ascii(bytes, 4, 8) !== 'ftyp') return undefined;
  const size = ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
  const end = Math.min(size >= 16 ? size : 16, bytes.length);
  const brands = [ascii(bytes, 8, 12)];
  for (let at = 16; at + 4 <= end; at += 4) brands.push(ascii(bytes, at, at + 4));
  return brands;
}

function sniffIsoBmff(brands: string[]): SniffResult {
  const [major] = brands;
  // The major brand decides when it is specific; otherwise any compatible brand that names a codec.
  if (AVIF_BRANDS.has(major)) return ok('avif', 'AVIF');
  if (HEVC_BRANDS.has(major)) return ok('heic', 'HEIC');
  if (brands.some((b) => AVIF_BRANDS.has(b))) return ok('avif', 'AVIF');
  if (brands.some((b) => HEVC_BRANDS.has(b))) return ok('heic', 'HEIC');
  if (brands.some((b) => HEIF_BRANDS.has(b))) return ok('heif', 'HEIF');
  if (major === 'crx ') return no('Canon CR3 raw', 'Camera raw files are not supported: export a TIFF or JPEG from your raw developer first.');
  if (brands.some((b) => VIDEO_BRANDS.has(b))) return no('a video (MP4/MOV)', 'Export a still frame as PNG or JPEG first.');
  return no(`an ISO media file (brand "${major.trim()}")`, 'Convert it to PNG or JPEG first.');
}

function looksLikeText(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 512);
  for (let i = 0; i < n; i++) {
    const b = bytes[i];
    if (b === 0 || (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c)) return false;
  }
  return n > 0;
}

/**
 * Identifies the file from its first bytes (SNIFF_BYTES is plenty). `fileName` only refines the
 * message for camera raw files, which are TIFF containers that would otherwise decode as a tiny preview.
 */
export function sniffImage(bytes: Uint8Array, fileName = ''): SniffResult {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return ok('jpeg', 'JPEG');
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return ok('png', 'PNG');
  if (ascii(bytes, 0, 6) === 'GIF87a' || ascii(bytes, 0, 6) === 'GIF89a') return ok('gif', 'GIF');
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') return ok('webp', 'WebP');

  const ext = fileName.toLowerCase().match(/\.([a-z0-9]+)$/)?.[1] ?? '';
  const rawAdvice = 'Camera raw files are not supported: export a TIFF or JPEG from your raw developer first.';
  const tiffLe = startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]);
  const tiffBe = startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a]);
  if (tiffLe || tiffBe) {
    if (tiffLe && ascii(bytes, 8, 10) === 'CR') return no('Canon CR2 raw', rawAdvice);
    if (CAMERA_RAW_EXTENSIONS.has(ext)) return no(`a camera raw file (.${ext})`, rawAdvice);
    return ok('tiff', 'TIFF');
  }
  if (startsWith(bytes, [0x49, 0x49, 0x2b, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2b])) {
    return no('BigTIFF', 'Save it as a regular TIFF or PNG first.');
  }
  if (startsWith(bytes, [0x49, 0x49, 0x55, 0x00]) || startsWith(bytes, [0x49, 0x49, 0x52, 0x4f])) {
    return no('a camera raw file', rawAdvice);
  }
  const brands = ftypBrands(bytes);
  if (brands) return sniffIsoBmff(brands);

  if (ascii(bytes, 0, 2) === 'BM' && bytes.length >= 26) return no('BMP', 'Convert it to PNG first.');
  if (startsWith(bytes, [0xff, 0x0a]) || startsWith(bytes, [0, 0, 0, 0x0c, 0x4a, 0x58, 0x4c, 0x20])) {
    return no('JPEG XL', 'Convert it to PNG or JPEG first.');
  }
  if (startsWith(bytes, [0, 0, 0, 0x0c, 0x6a, 0x50, 0x20, 0x20]) || startsWith(bytes, [0xff, 0x4f, 0xff, 0x51])) {
    return no('JPEG 2000', 'Convert it to PNG or TIFF first.');
  }
  if (ascii(bytes, 0, 4) === '8BPS') return no('a Photoshop document', 'Export it as PNG or TIFF first.');
  if (ascii(bytes, 0, 5) === '%PDF-') return no('a PDF document', 'Export the page as PNG first.');
  if (startsWith(bytes, [0, 0, 1, 0]) && bytes.length > 6 && bytes[4] > 0) return no('an icon (ICO)', 'Convert it to PNG first.');
  if (looksLikeText(bytes)) {
    const head = ascii(bytes, 0, 1024).toLowerCase();
    if (head.includes('<svg')) return no('an SVG drawing', 'Vector drawings are not photos: export it to PNG first.');
    return no('a text file', 'Choose a photo.');
  }
  return no('not an image this app recognises', 'Choose a photo.');
}
