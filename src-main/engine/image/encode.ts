// Encodes restored pixels to PNG, JPEG, WebP, TIFF or AVIF with the source's metadata, and writes
// the file atomically (see output-file.ts).
//
// Metadata, by format:
//  - JPEG, PNG, WebP: the source's whole EXIF block (Orientation = 1, Software set, pixel size
//    updated, the stale thumbnail unlinked) and XMP are
//    inserted into the encoded bytes (metadata-inject.ts), since sharp only writes EXIF built from
//    key/value strings.
//  - TIFF: Make, Model, DateTime, Artist, Copyright and Software are added to the file's IFD0
//    (sharp's withExif is ignored for TIFF); XMP via withXmp. Other EXIF tags are not carried.
//  - AVIF: the same few tags via withExif, XMP via withXmp. Other EXIF tags and density are not
//    carried.
//  - Density: pHYs for PNG, the TIFF resolution tags, EXIF X/YResolution for JPEG and WebP.
//  - ICC: an RGB source profile is re-applied: pixels are converted from sRGB into it and it is
//    embedded. Anything else (no profile, grey or CMYK profiles) is written as sRGB.
import { extname } from 'node:path';
import sharp from 'sharp';
import type { Sharp } from 'sharp';
import { EngineError, throwIfAborted } from '../common/errors';
import { essentialAsciiTags, exifForOutput, parseExif, setIfd0Tags, TAGS } from './exif-patch';
import { isCompleteIccProfile, isRgbIccProfile, rawAsTaggedPng, srgbProfile, withTempIccFile } from './icc';
import { exifFitsJpeg, injectJpeg, injectPng, injectWebp, resetXmpOrientation } from './metadata-inject';
import { checkOutputPath, writeFileAtomic } from './output-file';
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
  meta: SourceMetadata | undefined;
  software: string;
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
  } else {
    pipeline = sharp(image.data, {
      raw: { width: image.width, height: image.height, channels: image.channels },
      limitInputPixels: false, // these are pixels the app made, often far past sharp's default limit
    }).toColourspace(outputSpace(image));
  }
  if (iccPath) pipeline = pipeline.withIccProfile(iccPath);
  const density = meta?.density;
  // PNG (pHYs) and TIFF hold density natively; JPEG and WebP get it through the EXIF written
  // afterwards. AVIF has no density that readers use, so none is written.
  if (density && (format === 'png' || format === 'tiff')) pipeline = pipeline.withDensity(density);
  if (meta?.xmp && (format === 'tiff' || format === 'avif')) {
    pipeline = pipeline.withXmp(new TextDecoder().decode(resetXmpOrientation(meta.xmp)));
  }
  if (format === 'avif') {
    const tags = essentialAsciiTags(parseExif(meta?.exif), job.software);
    const ifd0: Record<string, string> = {};
    for (const [name, tag] of Object.entries(TAGS)) {
      const value = tags.get(tag);
      // libvips drops a trailing " (...)" from EXIF strings (its own type annotation), so a
      // value ending in ")" gets a dummy annotation for it to drop instead.
      if (value?.type === 'ascii') ifd0[name] = value.value.endsWith(')') ? `${value.value} (x)` : value.value;
    }
    pipeline = pipeline.withExif({ IFD0: ifd0 });
  }
  return applyFormat(pipeline, format, job.quality).toBuffer();
}

/** Adds the file-level metadata that sharp cannot write (see the header comment). */
function addFileMetadata(bytes: Uint8Array, image: RasterImage, format: OutputFormat, meta: SourceMetadata | undefined, software: string): Uint8Array {
  if (format === 'avif') return bytes; // done through sharp in encodePixels
  const summary = parseExif(meta?.exif);
  if (format === 'tiff') {
    return setIfd0Tags(bytes, essentialAsciiTags(summary, software)) ?? bytes;
  }
  const facts = { software, density: meta?.density, width: image.width, height: image.height };
  let exif = exifForOutput(meta?.exif, facts);
  if (format === 'jpeg' && !exifFitsJpeg(exif)) {
    // Over one APP1 segment (64 KiB), usually through a large maker note: keep the essentials.
    exif = exifForOutput(undefined, facts);
    exif = setIfd0Tags(exif, essentialAsciiTags(summary, software)) ?? exif;
  }
  const xmp = meta?.xmp && resetXmpOrientation(meta.xmp);
  const inject = { exif, xmp };
  if (format === 'jpeg') return injectJpeg(bytes, inject);
  if (format === 'png') return injectPng(bytes, inject);
  return injectWebp(bytes, inject);
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
  const job = { format, quality: options.quality, meta: metadata, software: options.software };
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
  encoded = addFileMetadata(encoded, pixels, format, metadata, options.software);
  await writeFileAtomic(path, encoded, { overwrite: options.overwrite, signal });
}
