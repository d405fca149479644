// Encodes restored pixels to PNG, JPEG, WebP, TIFF or AVIF with the source's metadata, and writes
// the file atomically (see output-file.ts).
//
// Metadata (worked out in output-metadata.ts), by format:
//  - JPEG, PNG, WebP: the source's whole EXIF block (Orientation = 1, Software set, pixel size
//    and density updated, the stale thumbnail unlinked) and XMP are inserted into the encoded
//    bytes (metadata-inject.ts), since sharp only writes EXIF built from key/value strings. IPTC
//    goes into JPEG APP13 and PNG's "Raw profile type iptc"; PNG text chunks into PNG.
//  - TIFF: the EXIF block's IFD0 tags, Exif and GPS directories and the IPTC records are added to
//    the file's first IFD (tiff-exif.ts; libvips writes no EXIF into TIFF); XMP via withXmp.
//  - AVIF: the whole EXIF block reaches libheif through a PNG eXIf chunk that sharp keeps; XMP via
//    withXmp.
//  - WebP and AVIF have no IPTC container, and only PNG has text chunks: those fields go into the
//    XMP under their standard names (dc:title, dc:subject, dc:description, photoshop:City...).
//  - Density: the print size is kept (300 ppi at x4 becomes 1200 ppi): pHYs for PNG, the TIFF
//    resolution tags, EXIF X/YResolution elsewhere.
//  - ICC: an RGB source profile is re-applied: pixels are converted from sRGB into it and it is
//    embedded. Anything else (no profile, grey or CMYK profiles) is written as sRGB.
import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import sharp from 'sharp';
import type { Sharp } from 'sharp';
import { EngineError, throwIfAborted } from '../common/errors';
import { essentialAsciiTags, exifForOutput, parseExif, setIfd0Tags } from './exif-patch';
import { isCompleteIccProfile, isRgbIccProfile, rawAsTaggedPng, srgbProfile, withTempIccFile } from './icc';
import { exifFitsJpeg, injectJpeg, injectPng, injectWebp } from './metadata-inject';
import { checkOutputPath, writeFileAtomic } from './output-file';
import { outputMetadata } from './output-metadata';
import type { OutputMetadata } from './output-metadata';
import { addMetadataToTiff } from './tiff-exif';
import { assertRaster, to8Bit } from './raster';
import { OUTPUT_FORMATS } from './types';
import type { EncodeOptions, OutputFormat, RasterImage, SourceMetadata } from './types';

export const DEFAULT_QUALITY: Readonly<Record<'jpeg' | 'webp' | 'avif', number>> = { jpeg: 92, webp: 90, avif: 60 };

const EXTENSIONS: Record<string, OutputFormat> = {
  '.png': 'png', '.jpg': 'jpeg', '.jpeg': 'jpeg', '.webp': 'webp', '.tif': 'tiff', '.tiff': 'tiff', '.avif': 'avif',
};

/** Largest side each format can store. */
const MAX_SIDE: Partial<Record<OutputFormat, number>> = { jpeg: 65535, webp: 16383 };

/** The output format named by the path's extension. */
export function formatFromPath(path: string): OutputFormat {
  const format = EXTENSIONS[extname(path).toLowerCase()];
  if (!format) {
    throw new EngineError(
      'UNSUPPORTED_OUTPUT',
      `Cannot write "${path}": unknown output type "${extname(path) || '(no extension)'}".`,
      `Use one of ${Object.keys(EXTENSIONS).join(' ')}.`,
    );
  }
  return format;
}

function checkOptions(image: RasterImage, options: EncodeOptions): void {
  if (!(OUTPUT_FORMATS as readonly string[]).includes(options.format)) {
    throw new EngineError('UNSUPPORTED_OUTPUT', `Unknown output format "${options.format}".`, `Use one of ${OUTPUT_FORMATS.join(', ')}.`);
  }
  const { quality } = options;
  if (quality !== undefined && !(Number.isInteger(quality) && quality >= 1 && quality <= 100)) {
    throw new EngineError('INVALID_OPTION', `Quality must be a whole number from 1 to 100, got ${quality}.`);
  }
  const maxSide = MAX_SIDE[options.format];
  if (maxSide !== undefined && Math.max(image.width, image.height) > maxSide) {
    throw new EngineError(
      'UNSUPPORTED_OUTPUT',
      `${options.format.toUpperCase()} cannot store ${image.width}x${image.height}: at most ${maxSide} pixels per side.`,
      'Write PNG or TIFF instead, or use a smaller scale.',
    );
  }
}

function applyFormat(pipeline: Sharp, format: OutputFormat, quality: number | undefined): Sharp {
  switch (format) {
    case 'png':
      return pipeline.png({ compressionLevel: 6 });
    case 'jpeg':
      // 4:4:4 keeps restored fine colour detail that 4:2:0 would halve; plain libjpeg output is
      // what every reader handles, and the restored image is worth the few extra bytes.
      return pipeline.jpeg({ quality: quality ?? DEFAULT_QUALITY.jpeg, chromaSubsampling: '4:4:4', mozjpeg: false });
    case 'webp':
      return pipeline.webp({ quality: quality ?? DEFAULT_QUALITY.webp });
    case 'tiff':
      // sharp's default TIFF compression is JPEG, which would drop alpha and 16-bit depth.
      return pipeline.tiff({ compression: 'deflate', predictor: 'horizontal' });
    case 'avif':
      return pipeline.avif({ quality: quality ?? DEFAULT_QUALITY.avif, effort: 4 });
  }
}

function outputSpace(image: RasterImage): 'b-w' | 'grey16' | 'srgb' | 'rgb16' {
  if (image.channels === 1) return image.bitDepth === 16 ? 'grey16' : 'b-w';
  return image.bitDepth === 16 ? 'rgb16' : 'srgb';
}

interface PixelJob {
  format: OutputFormat;
  quality: number | undefined;
  meta: OutputMetadata;
  /** Target ICC profile as a file, for RGB output. */
  iccPath: string | undefined;
}

/** Pixels -> encoded file bytes, with pixel-level metadata (ICC, density, XMP for TIFF/AVIF). */
async function encodePixels(image: RasterImage, job: PixelJob): Promise<Buffer> {
  const { format, meta, iccPath } = job;
  let pipeline: Sharp;
  if (iccPath && image.bitDepth === 16) {
    // sharp converts raw 16-bit RGB as if it were Display P3; declaring the pixels sRGB through
    // an embedded profile makes the conversion into the target profile start from the right place.
    const tagged = await rawAsTaggedPng(image, await srgbProfile());
    pipeline = sharp(tagged, { limitInputPixels: false }).toColourspace('rgb16');
  } else if (format === 'avif') {
    // sharp writes EXIF only from key/value strings, but keeps an input's whole EXIF block: the
    // pixels travel as a fast uncompressed PNG carrying the block in an eXIf chunk.
    const png = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels }, limitInputPixels: false })
      .toColourspace(outputSpace(image))
      .png({ compressionLevel: 0, adaptiveFiltering: false })
      .toBuffer();
    pipeline = sharp(injectPng(png, { exif: meta.exif }), { limitInputPixels: false }).keepExif();
  } else {
    pipeline = sharp(image.data, {
      raw: { width: image.width, height: image.height, channels: image.channels },
      limitInputPixels: false, // these are pixels the app made, often far past sharp's default limit
    }).toColourspace(outputSpace(image));
  }
  if (iccPath) pipeline = pipeline.withIccProfile(iccPath);
  // PNG (pHYs) and TIFF hold density natively; JPEG and WebP get it through the EXIF written
  // afterwards; for AVIF libvips rewrites the EXIF resolution from the image's own density.
  if (meta.density && format !== 'jpeg' && format !== 'webp') pipeline = pipeline.withDensity(meta.density);
  if (meta.xmp && (format === 'tiff' || format === 'avif')) pipeline = pipeline.withXmp(new TextDecoder().decode(meta.xmp));
  return applyFormat(pipeline, format, job.quality).toBuffer();
}

/** Adds the file-level metadata that sharp cannot write (see the header comment). */
function addFileMetadata(bytes: Uint8Array, image: RasterImage, format: OutputFormat, meta: OutputMetadata, source: SourceMetadata | undefined, software: string): Uint8Array {
  if (format === 'avif') return bytes; // done through sharp in encodePixels
  if (format === 'tiff') {
    return addMetadataToTiff(bytes, meta.exif, meta.iptc) ?? setIfd0Tags(bytes, essentialAsciiTags(parseExif(source?.exif), software)) ?? bytes;
  }
  let { exif } = meta;
  if (format === 'jpeg' && !exifFitsJpeg(exif)) {
    // Over one APP1 segment (64 KiB), usually through a large maker note: keep the essentials.
    const facts = { software, density: meta.density, width: image.width, height: image.height };
    exif = exifForOutput(undefined, facts);
    exif = setIfd0Tags(exif, essentialAsciiTags(parseExif(source?.exif), software)) ?? exif;
  }
  const inject = { exif, xmp: meta.xmp, iptc: meta.iptc, texts: meta.texts };
  if (format === 'jpeg') return injectJpeg(bytes, inject);
  if (format === 'png') return injectPng(bytes, inject);
  return injectWebp(bytes, inject);
}

/** The file's modification time, or undefined when it cannot be read (the output then gets "now"). */
async function modifiedTimeOf(path: string): Promise<Date | undefined> {
  return stat(path).then((info) => info.mtime, () => undefined);
}

/**
 * Encodes `image` (grey, RGB or RGBA; 8 or 16 bits) as `options.format` and writes it to `path`
 * atomically. Refuses to touch protectedPaths, and existing files unless `overwrite`.
 */
export async function writeImage(path: string, image: RasterImage, options: EncodeOptions): Promise<void> {
  const { format, signal, metadata } = options;
  throwIfAborted(signal);
  assertRaster(image);
  checkOptions(image, options);
  await checkOutputPath(path, options);
  throwIfAborted(signal);

  // 16 bits only where the format stores them; JPEG, WebP and AVIF are written from 8.
  const pixels = format === 'png' || format === 'tiff' ? image : to8Bit(image);
  let icc = isRgbIccProfile(metadata?.icc) && pixels.channels !== 1 ? metadata?.icc : undefined;
  if (icc && !isCompleteIccProfile(icc)) {
    options.onWarning?.(`The colour profile of the original was cut short when read (${icc.length} bytes); the output is written in sRGB instead.`);
    icc = undefined;
  }
  const meta = outputMetadata(metadata, format, pixels, options.software);
  const job = { format, quality: options.quality, meta };
  let encoded: Uint8Array;
  try {
    encoded = icc
      ? await withTempIccFile(icc, (iccPath) => encodePixels(pixels, { ...job, iccPath }))
      : await encodePixels(pixels, { ...job, iccPath: undefined });
  } catch (error) {
    // Allocation failures stay plain errors, which toErrorPayload reports as OUT_OF_MEMORY.
    if (error instanceof EngineError || /memory|bad_alloc|allocation failed/i.test(String(error))) throw error;
    const detail = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new EngineError('INTERNAL', `Could not encode ${format.toUpperCase()}: ${detail}.`, 'Try another output format.', { cause: error });
  }
  throwIfAborted(signal);
  encoded = addFileMetadata(encoded, pixels, format, meta, metadata, options.software);
  const modifiedTime = options.keepModifiedTimeOf === undefined ? undefined : await modifiedTimeOf(options.keepModifiedTimeOf);
  await writeFileAtomic(path, encoded, { overwrite: options.overwrite, signal, modifiedTime });
}
