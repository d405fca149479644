// Reads an image file into upright sRGB pixels plus the metadata to carry into the output.
// Every way a file can be wrong ends in an EngineError with a one-line message; the pixel-count
// limit is checked from the header, before any pixel memory is allocated.
import { readFile, stat } from 'node:fs/promises';
import sharp from 'sharp';
import type { Metadata } from 'sharp';
import { EngineError, throwIfAborted } from '../common/errors';
import { decodeHeic } from './heic';
import { isOpaque, samplesFrom, splitAlpha } from './raster';
import { SNIFF_BYTES, SUPPORTED_INPUTS, sniffImage } from './sniff';
import { iptcFromPngProfile, iptcFromResources } from './iptc';
import { isMetadataKeyword } from './png-text';
import { tiffFileMetadata } from './tiff-exif';
import { missingTiffData } from './tiff-ifd';
import type { InputFormat } from './sniff';
import type { DecodeOptions, DecodedImage, RasterImage, SourceMetadata } from './types';

/** The engines tile and pad images; below this many pixels on a side there is nothing to restore. */
export const MIN_SIDE = 4;

/** readFile's own ceiling; no photo is near it, and a bigger file is not one. */
const MAX_FILE_BYTES = 2 ** 31 - 1;

const LABELS: Record<InputFormat, string> = {
  jpeg: 'JPEG', png: 'PNG', webp: 'WebP', tiff: 'TIFF', gif: 'GIF', avif: 'AVIF', heic: 'HEIC', heif: 'HEIF',
};

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0].trim();
}

function readError(error: unknown, path: string): EngineError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new EngineError('INPUT_NOT_FOUND', `Input file not found: "${path}".`, 'Check the path and try again.', { cause: error });
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new EngineError('INPUT_UNREADABLE', `No permission to read "${path}".`, 'Check the file permissions.', { cause: error });
  }
  if (code === 'EISDIR') {
    return new EngineError('INPUT_UNREADABLE', `"${path}" is a folder, not an image file.`, 'Choose an image file.', { cause: error });
  }
  return new EngineError('INPUT_UNREADABLE', `Could not read "${path}": ${firstLine(error)}.`, 'Check the disk and try again.', { cause: error });
}

async function readInput(path: string): Promise<Buffer> {
  let size: number;
  try {
    const info = await stat(path);
    // Checked before opening: opening a FIFO or a device would block or never end.
    if (info.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    if (!info.isFile()) {
      throw new EngineError('INPUT_UNREADABLE', `"${path}" is not a regular file.`, 'Choose an image file.');
    }
    size = info.size;
  } catch (error) {
    throw error instanceof EngineError ? error : readError(error, path);
  }
  if (size > MAX_FILE_BYTES) {
    throw new EngineError('IMAGE_TOO_LARGE', `"${path}" is ${(size / 2 ** 30).toFixed(1)} GiB; files over 2 GiB are not supported.`);
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw readError(error, path);
  }
  if (bytes.length === 0) throw new EngineError('EMPTY_FILE', `"${path}" is empty (0 bytes).`, 'Choose another copy of the photo.');
  return bytes;
}

function formatPixels(n: number): string {
  return n.toLocaleString('en-US');
}

/** Size limits, checked on the header's numbers before decoding. */
export function checkDimensions(width: number, height: number, maxPixels: number, path: string): void {
  if (width * height > maxPixels) {
    throw new EngineError(
      'IMAGE_TOO_LARGE',
      `"${path}" is ${width}x${height} = ${formatPixels(width * height)} pixels, above the limit of ${formatPixels(maxPixels)} (raise it with --max-pixels).`,
      `If you trust this file and have the memory, run again with --max-pixels ${width * height}.`,
      {
        gui: {
          message: `"${path}" is ${width}x${height} = ${formatPixels(width * height)} pixels, above the limit of ${formatPixels(maxPixels)}.`,
          hint: 'Crop or shrink the photo in another program, then open it again.',
        },
      },
    );
  }
  if (width < MIN_SIDE || height < MIN_SIDE) {
    throw new EngineError(
      'IMAGE_TOO_SMALL',
      `"${path}" is ${width}x${height} pixels; images must be at least ${MIN_SIDE}x${MIN_SIDE}.`,
      'Choose a larger image.',
    );
  }
}

/** The window's advice for a photo it cannot read: its own Open, with a sound copy. */
const OPEN_ANOTHER = 'Re-export or re-download the original and open that copy: an incomplete copy cannot be restored.';

function corrupt(path: string, label: string, error: unknown): EngineError {
  return new EngineError(
    'CORRUPT_IMAGE',
    `"${path}" is a damaged or truncated ${label} file (${firstLine(error)}).`,
    'Re-export or re-download the original; an incomplete copy cannot be restored.',
    {
      cause: error,
      // The decoder's own words ("VipsJpeg: Premature end of input file") go under Details.
      gui: { message: `"${path}" is a damaged or truncated ${label} file.`, hint: OPEN_ANOTHER },
    },
  );
}

/** sharp reports allocation failures as plain errors; those must stay OUT_OF_MEMORY, not CORRUPT_IMAGE. */
function isMemoryError(error: unknown): boolean {
  return /out of memory|bad_alloc|allocation failed|cannot allocate/i.test(firstLine(error));
}

// failOn 'truncated' rejects cut-off JPEG and PNG data, which 'none' would decode as grey rows;
// 'warning' would also reject common harmless quirks such as extra bytes before a JPEG marker.
const FAIL_ON = 'truncated' as const;

async function readHeader(bytes: Buffer, path: string, label: string): Promise<Metadata> {
  try {
    // No pixel limit here: the header's size is what we check ourselves, with our own message.
    return await sharp(bytes, { failOn: FAIL_ON, limitInputPixels: false }).metadata();
  } catch (error) {
    throw corrupt(path, label, error);
  }
}

function sourceMetadata(meta: Metadata, format: InputFormat, bytes: Uint8Array): SourceMetadata {
  const out: SourceMetadata = {
    format: format === 'heic' || format === 'heif' ? 'heif' : format,
    orientation: meta.orientation ?? 1,
    space: meta.space,
    width: meta.autoOrient?.width ?? meta.width,
    height: meta.autoOrient?.height ?? meta.height,
  };
  if (meta.exif?.length) out.exif = new Uint8Array(meta.exif);
  if (meta.icc?.length) out.icc = new Uint8Array(meta.icc);
  if (meta.xmp?.length) out.xmp = new Uint8Array(meta.xmp);
  if (meta.density) out.density = meta.density;
  if (meta.iptc?.length) out.iptc = iptcFromResources(meta.iptc);
  const texts = (meta.comments ?? []).filter((c) => !isMetadataKeyword(c.keyword));
  if (texts.length) out.texts = texts.map(({ keyword, text }) => ({ keyword, text }));
  const iptcProfile = meta.comments?.find((c) => c.keyword === 'Raw profile type iptc');
  if (!out.iptc && iptcProfile) out.iptc = iptcFromPngProfile(iptcProfile.text);
  if (format === 'tiff') {
    // libvips reads neither EXIF nor IPTC from TIFF files: take them from the directory itself.
    const fromFile = tiffFileMetadata(bytes);
    if (!out.exif && fromFile.exif) out.exif = fromFile.exif;
    if (!out.iptc && fromFile.iptc) out.iptc = fromFile.iptc;
    if (!out.xmp && fromFile.xmp) out.xmp = fromFile.xmp;
  }
  if (!out.iptc) delete out.iptc; // an 8BIM block without IPTC records
  return out;
}

async function sharpPixels(bytes: Buffer, meta: Metadata, maxPixels: number, deep: boolean): Promise<RasterImage> {
  let pipeline = sharp(bytes, {
    failOn: FAIL_ON,
    limitInputPixels: Number.isFinite(maxPixels) ? Math.floor(maxPixels) : false,
    autoOrient: true,
    page: 0,
    pages: 1, // animated GIF/WebP and multi-page TIFF: the first frame only
  });
  if (deep) {
    pipeline = pipeline.toColourspace('rgb16');
    // sharp converts a 16-bit RGB image's embedded profile to Display P3, not sRGB (its 16-bit
    // working space); converting onwards to sRGB makes 16-bit pixels match the 8-bit path.
    if (meta.space === 'rgb16' && meta.hasProfile) pipeline = pipeline.withIccProfile('srgb');
  } else {
    pipeline = pipeline.toColourspace('srgb'); // grey, CMYK and palette all become RGB
  }
  const { data, info } = await pipeline.raw({ depth: deep ? 'ushort' : 'uchar' }).toBuffer({ resolveWithObject: true });
  if (info.channels !== 3 && info.channels !== 4) throw new Error(`decoder returned ${info.channels} channels`);
  const bitDepth = deep ? 16 : 8;
  return { width: info.width, height: info.height, channels: info.channels, bitDepth, data: samplesFrom(data, bitDepth) };
}

/** Decodes `path` into upright sRGB pixels (alpha apart) and the source's metadata. */
export async function decodeImage(path: string, options: DecodeOptions): Promise<DecodedImage> {
  const { maxPixels, signal } = options;
  if (!(maxPixels > 0)) {
    throw new EngineError('INVALID_OPTION', `--max-pixels must be a positive number, got ${maxPixels}.`, undefined, {
      gui: { message: 'The largest photo size allowed must be a positive number of pixels.' },
    });
  }
  throwIfAborted(signal);
  const bytes = await readInput(path);
  throwIfAborted(signal);

  const sniffed = sniffImage(bytes.subarray(0, SNIFF_BYTES), path);
  if (!sniffed.supported) {
    throw new EngineError(
      'UNSUPPORTED_IMAGE',
      `Cannot open "${path}": it is ${sniffed.label}. Supported formats: ${SUPPORTED_INPUTS}.`,
      sniffed.advice,
    );
  }
  const label = LABELS[sniffed.format];
  const isHeifFamily = sniffed.format === 'heic' || sniffed.format === 'heif';
  let meta: Metadata | undefined;
  try {
    meta = await readHeader(bytes, path, label);
  } catch (error) {
    if (!isHeifFamily) throw error; // heic-decode gets its own chance to read the file below
  }
  throwIfAborted(signal);
  // The brands may only say "HEIF", or lie: the codec sharp reads from the header decides.
  const viaHeicDecode = meta?.compression === 'hevc' || (isHeifFamily && meta?.compression !== 'av1');
  if (meta) {
    checkDimensions(meta.width, meta.height, maxPixels, path);
  }
  // failOn 'truncated' covers JPEG and PNG only; a TIFF's strips are checked against its length.
  const missing = sniffed.format === 'tiff' ? missingTiffData(bytes) : undefined;
  if (missing) throw corrupt(path, label, new Error(missing));

  let pixels: RasterImage;
  try {
    if (viaHeicDecode) {
      const heic = await decodeHeic(bytes, {
        expected: meta && { width: meta.autoOrient?.width ?? meta.width, height: meta.autoOrient?.height ?? meta.height },
        icc: meta?.icc,
        checkSize: (w, h) => checkDimensions(w, h, maxPixels, path),
        name: path,
        signal,
      });
      pixels = { width: heic.width, height: heic.height, channels: 4, bitDepth: 8, data: heic.data };
    } else if (meta) {
      pixels = await sharpPixels(bytes, meta, maxPixels, meta.depth !== 'uchar' && meta.depth !== 'char');
    } else {
      throw new Error('no header'); // unreachable: only HEIF may lack one, and it took the branch above
    }
  } catch (error) {
    if (error instanceof EngineError || isMemoryError(error)) throw error;
    throw corrupt(path, label, error);
  }
  throwIfAborted(signal);

  const { rgb, alpha } = splitAlpha(pixels);
  const grey = meta !== undefined && (meta.space === 'b-w' || meta.space === 'grey16');
  const metadata = meta ? sourceMetadata(meta, sniffed.format, bytes) : { format: 'heif', orientation: 1 };
  const decoded: DecodedImage = { rgb, highBitDepth: rgb.bitDepth === 16, grey, metadata };
  // An alpha plane that is opaque everywhere carries nothing (GIF decoders always add one); dropping
  // it spares the engine a separate alpha upscale and the output a useless channel.
  if (alpha && !isOpaque(alpha)) decoded.alpha = alpha;
  return decoded;
}
