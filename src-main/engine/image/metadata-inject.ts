// Puts EXIF, XMP and ICC blocks into already-encoded JPEG, PNG and WebP files. sharp can only write
// EXIF from key/value strings, which would lose the source's full block (GPS, exposure, maker
// notes), so the encoder writes pixels with sharp and the metadata here, byte by byte.
import { crc32, deflateSync } from 'node:zlib';
import { EngineError } from '../common/errors';
import { jpegApp13Payload, pngIptcProfile } from './iptc';
import { isMetadataKeyword, textChunkData } from './png-text';
import type { PngText } from './png-text';

export interface InjectMetadata {
  /** A TIFF block ("II*\0" / "MM\0*"), without the "Exif\0\0" prefix. */
  exif?: Uint8Array;
  /** An XMP packet, UTF-8. */
  xmp?: Uint8Array;
  /** IPTC-IIM records (JPEG APP13, PNG "Raw profile type iptc"). */
  iptc?: Uint8Array;
  /** PNG text chunks to write (PNG only). */
  texts?: readonly PngText[];
}

const latin1 = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));
const concat = (parts: Uint8Array[]): Uint8Array => Buffer.concat(parts);

function malformed(format: string, why: string): EngineError {
  return new EngineError('INTERNAL', `The encoder produced a ${format} file that could not be read back (${why}).`, 'Please report this.');
}

function startsWithAt(bytes: Uint8Array, at: number, prefix: Uint8Array): boolean {
  if (at + prefix.length > bytes.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[at + i] !== prefix[i]) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------- JPEG

const JPEG_EXIF_ID = latin1('Exif\0\0');
const JPEG_XMP_ID = latin1('http://ns.adobe.com/xap/1.0/\0');
const JPEG_PHOTOSHOP_ID = latin1('Photoshop 3.0\0');
const JPEG_MAX_PAYLOAD = 0xffff - 2; // a segment's 16-bit length counts itself

function jpegSegment(marker: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + payload.length);
  out[0] = 0xff;
  out[1] = marker;
  out[2] = (payload.length + 2) >> 8;
  out[3] = (payload.length + 2) & 0xff;
  out.set(payload, 4);
  return out;
}

/** Whether an EXIF block fits a single JPEG APP1 segment (multi-segment EXIF is not a thing). */
export function exifFitsJpeg(exif: Uint8Array): boolean {
  return JPEG_EXIF_ID.length + exif.length <= JPEG_MAX_PAYLOAD;
}

/**
 * Adds APP1 EXIF and APP1 XMP right after SOI (and any APP0 JFIF), replacing those already there.
 * XMP too big for one segment is left out: extended XMP (split over segments) is not written.
 */
export function injectJpeg(jpeg: Uint8Array, meta: InjectMetadata): Uint8Array {
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw malformed('JPEG', 'no SOI marker');
  const head: Uint8Array[] = [];
  const rest: Uint8Array[] = [];
  let at = 2;
  while (at < jpeg.length) {
    if (jpeg[at] !== 0xff) throw malformed('JPEG', `no marker at byte ${at}`);
    const marker = jpeg[at + 1];
    if (marker === 0xff) {
      at += 1; // fill byte
      continue;
    }
    if (marker === 0xda || marker === 0xd9) break; // start of scan: the rest is entropy-coded data
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      rest.push(jpeg.subarray(at, at + 2)); // markers without a length
      at += 2;
      continue;
    }
    if (at + 4 > jpeg.length) throw malformed('JPEG', 'cut inside a segment header');
    const end = at + 2 + ((jpeg[at + 2] << 8) | jpeg[at + 3]);
    if (end > jpeg.length) throw malformed('JPEG', 'a segment runs past the end');
    const segment = jpeg.subarray(at, end);
    const isExif = marker === 0xe1 && startsWithAt(jpeg, at + 4, JPEG_EXIF_ID);
    const isXmp = marker === 0xe1 && startsWithAt(jpeg, at + 4, JPEG_XMP_ID);
    const isPhotoshop = marker === 0xed && startsWithAt(jpeg, at + 4, JPEG_PHOTOSHOP_ID);
    const replaced = (isExif && meta.exif) || (isXmp && meta.xmp) || (isPhotoshop && meta.iptc);
    if (!replaced) (marker === 0xe0 && rest.length === 0 ? head : rest).push(segment);
    at = end;
  }
  const added: Uint8Array[] = [];
  if (meta.exif) {
    if (!exifFitsJpeg(meta.exif)) throw new EngineError('INTERNAL', 'EXIF block too large for JPEG.');
    added.push(jpegSegment(0xe1, concat([JPEG_EXIF_ID, meta.exif])));
  }
  if (meta.xmp && JPEG_XMP_ID.length + meta.xmp.length <= JPEG_MAX_PAYLOAD) {
    added.push(jpegSegment(0xe1, concat([JPEG_XMP_ID, meta.xmp])));
  }
  const app13 = meta.iptc && jpegApp13Payload(meta.iptc);
  if (app13 && app13.length <= JPEG_MAX_PAYLOAD) added.push(jpegSegment(0xed, app13)); // IPTC never nears 64 KiB
  return concat([jpeg.subarray(0, 2), ...head, ...added, ...rest, jpeg.subarray(at)]);
}

// ----------------------------------------------------------------------------------------------- PNG

const PNG_SIGNATURE = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const XMP_KEYWORD = 'XML:com.adobe.xmp';

interface PngChunk {
  type: string;
  data: Uint8Array;
  /** The whole chunk: length, type, data, CRC. */
  bytes: Uint8Array;
}

function readPngChunks(png: Uint8Array): PngChunk[] {
  if (!startsWithAt(png, 0, PNG_SIGNATURE)) throw malformed('PNG', 'no signature');
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const chunks: PngChunk[] = [];
  let at = 8;
  while (at < png.length) {
    if (at + 12 > png.length) throw malformed('PNG', 'cut inside a chunk header');
    const length = view.getUint32(at);
    const end = at + 12 + length;
    if (end > png.length) throw malformed('PNG', 'a chunk runs past the end');
    const type = String.fromCharCode(...png.subarray(at + 4, at + 8));
    chunks.push({ type, data: png.subarray(at + 8, at + 8 + length), bytes: png.subarray(at, end) });
    at = end;
    if (type === 'IEND') break;
  }
  return chunks;
}

export function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(latin1(type), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

function isXmpTextChunk(chunk: PngChunk): boolean {
  if (chunk.type !== 'iTXt' && chunk.type !== 'tEXt' && chunk.type !== 'zTXt') return false;
  return startsWithAt(chunk.data, 0, latin1(`${XMP_KEYWORD}\0`));
}

function rebuildPng(chunks: PngChunk[], before: (chunk: PngChunk) => boolean, added: Uint8Array[]): Uint8Array {
  const at = chunks.findIndex(before);
  if (at < 0) throw malformed('PNG', 'no place to insert metadata');
  const parts = chunks.map((c) => c.bytes);
  parts.splice(at, 0, ...added);
  return concat([PNG_SIGNATURE, ...parts]);
}

/**
 * Adds an eXIf chunk, an iTXt XMP chunk, the IPTC profile and the text chunks before the first
 * IDAT, replacing those already there.
 */
export function injectPng(png: Uint8Array, meta: InjectMetadata): Uint8Array {
  const chunks = readPngChunks(png).filter(
    (c) => !((c.type === 'eXIf' && meta.exif) || (isXmpTextChunk(c) && meta.xmp)),
  );
  const added: Uint8Array[] = [];
  if (meta.exif) added.push(pngChunk('eXIf', meta.exif));
  if (meta.xmp) {
    // keyword NUL, compression flag 0, method 0, empty language tag NUL, empty translated keyword NUL
    added.push(pngChunk('iTXt', concat([latin1(`${XMP_KEYWORD}\0\0\0\0\0`), meta.xmp])));
  }
  if (meta.iptc) added.push(pngChunk('zTXt', pngIptcProfile(meta.iptc)));
  for (const text of meta.texts ?? []) {
    if (isMetadataKeyword(text.keyword)) continue;
    const { type, data } = textChunkData(text);
    added.push(pngChunk(type, data));
  }
  return rebuildPng(chunks, (c) => c.type === 'IDAT', added);
}

/**
 * Embeds an ICC profile as iCCP right after IHDR (it must precede PLTE and IDAT), dropping any
 * sRGB/iCCP chunk, without touching the pixels: they are declared to be in that profile.
 */
export function insertPngIccProfile(png: Uint8Array, icc: Uint8Array): Uint8Array {
  const chunks = readPngChunks(png).filter((c) => c.type !== 'iCCP' && c.type !== 'sRGB');
  const iccp = pngChunk('iCCP', concat([latin1('ICC\0\0'), deflateSync(icc)]));
  return rebuildPng(chunks, (c) => c.type !== 'IHDR', [iccp]);
}

// ---------------------------------------------------------------------------------------------- WebP

interface RiffChunk {
  fourcc: string;
  data: Uint8Array;
}

const VP8X_ALPHA = 0x10;
const VP8X_EXIF = 0x08;
const VP8X_XMP = 0x04;

function readWebpChunks(webp: Uint8Array): RiffChunk[] {
  const view = new DataView(webp.buffer, webp.byteOffset, webp.byteLength);
  if (!startsWithAt(webp, 0, latin1('RIFF')) || !startsWithAt(webp, 8, latin1('WEBP'))) throw malformed('WebP', 'no RIFF header');
  const end = Math.min(webp.length, 8 + view.getUint32(4, true));
  const chunks: RiffChunk[] = [];
  let at = 12;
  while (at + 8 <= end) {
    const size = view.getUint32(at + 4, true);
    if (at + 8 + size > end) throw malformed('WebP', 'a chunk runs past the end');
    chunks.push({ fourcc: String.fromCharCode(...webp.subarray(at, at + 4)), data: webp.subarray(at + 8, at + 8 + size) });
    at += 8 + size + (size & 1);
  }
  return chunks;
}

function riffChunk(fourcc: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + data.length + (data.length & 1)); // odd sizes get a zero pad byte
  out.set(latin1(fourcc), 0);
  new DataView(out.buffer).setUint32(4, data.length, true);
  out.set(data, 8);
  return out;
}

/** Canvas size and alpha of a simple (VP8 / VP8L) WebP, read from its bitstream header. */
function simpleWebpInfo(chunk: RiffChunk): { width: number; height: number; alpha: boolean } {
  const d = chunk.data;
  if (chunk.fourcc === 'VP8 ' && d.length >= 10 && d[3] === 0x9d && d[4] === 0x01 && d[5] === 0x2a) {
    return { width: (d[6] | (d[7] << 8)) & 0x3fff, height: (d[8] | (d[9] << 8)) & 0x3fff, alpha: false };
  }
  if (chunk.fourcc === 'VP8L' && d.length >= 5 && d[0] === 0x2f) {
    const bits = (d[1] | (d[2] << 8) | (d[3] << 16) | (d[4] << 24)) >>> 0;
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1, alpha: ((bits >>> 28) & 1) === 1 };
  }
  throw malformed('WebP', `unexpected first chunk "${chunk.fourcc}"`);
}

function vp8x(flags: number, width: number, height: number): Uint8Array {
  const data = new Uint8Array(10);
  data[0] = flags;
  const w = width - 1;
  const h = height - 1;
  data.set([w & 0xff, (w >> 8) & 0xff, (w >> 16) & 0xff, h & 0xff, (h >> 8) & 0xff, (h >> 16) & 0xff], 4);
  return data;
}

/**
 * Adds EXIF and XMP chunks at the end (their place in the extended format), turning a simple
 * VP8/VP8L file into the extended one with a VP8X header when needed, and fixes the RIFF size.
 */
export function injectWebp(webp: Uint8Array, meta: InjectMetadata): Uint8Array {
  if (!meta.exif && !meta.xmp) return webp;
  let chunks = readWebpChunks(webp);
  if (chunks.length === 0) throw malformed('WebP', 'no chunks');
  if (chunks[0].fourcc !== 'VP8X') {
    const info = simpleWebpInfo(chunks[0]);
    chunks = [{ fourcc: 'VP8X', data: vp8x(info.alpha ? VP8X_ALPHA : 0, info.width, info.height) }, ...chunks];
  }
  const header = chunks[0].data.slice();
  header[0] |= (meta.exif ? VP8X_EXIF : 0) | (meta.xmp ? VP8X_XMP : 0);
  const body = chunks
    .slice(1)
    .filter((c) => !((c.fourcc === 'EXIF' && meta.exif) || (c.fourcc === 'XMP ' && meta.xmp)))
    .map((c) => riffChunk(c.fourcc, c.data));
  if (meta.exif) body.push(riffChunk('EXIF', meta.exif));
  if (meta.xmp) body.push(riffChunk('XMP ', meta.xmp));
  const payload = concat([latin1('WEBP'), riffChunk('VP8X', header), ...body]);
  const out = concat([latin1('RIFF'), new Uint8Array(4), payload]);
  new DataView(out.buffer, out.byteOffset, out.byteLength).setUint32(4, payload.length, true);
  return out;
}

// ----------------------------------------------------------------------------------------------- XMP

/**
 * XMP may repeat the EXIF orientation (tiff:Orientation); pixels are written upright, so it must
 * say 1 too, or XMP-first readers would rotate the image a second time.
 */
export function resetXmpOrientation(xmp: Uint8Array): Uint8Array {
  const text = new TextDecoder('utf-8').decode(xmp);
  const fixed = text
    .replace(/(tiff:Orientation\s*=\s*["'])\d+(["'])/g, '$11$2')
    .replace(/(<tiff:Orientation>\s*)\d+(\s*<\/tiff:Orientation>)/g, '$11$2');
  return fixed === text ? xmp : new TextEncoder().encode(fixed);
}
