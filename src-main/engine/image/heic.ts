// HEIC (HEVC in a HEIF container). The sharp build used here has libheif without an HEVC decoder,
// so pixels come from heic-decode (libheif + libde265 compiled to wasm). sharp still reads the
// container's header: size, EXIF, ICC and XMP, without decoding anything.
//
// heic-decode returns 8-bit RGBA after libheif has applied the container's rotation and mirroring
// (irot/imir), so pixels are upright; the HEIF spec makes the EXIF orientation informational only.
// 10-bit HEICs come out as 8 bits. An ICC profile is honoured by tagging the pixels with it and
// letting sharp convert them; colours given only as NCLX primaries (no ICC) are taken as sRGB.
import sharp from 'sharp';
import { EngineError, throwIfAborted } from '../common/errors';
import { isRgbIccProfile, rawAsTaggedPng } from './icc';

export interface HeicResult {
  width: number;
  height: number;
  /** RGBA, 8-bit, sRGB. */
  data: Uint8Array;
}

export interface HeicDecodeContext {
  /** The primary image's size as sharp read it from the header, when it could. */
  expected?: { width: number; height: number };
  /** Embedded ICC profile, from the header. */
  icc?: Uint8Array;
  /** Called with the chosen image's size before its pixels are decoded; throws to refuse. */
  checkSize: (width: number, height: number) => void;
  /** Names the file in messages. */
  name: string;
  signal?: AbortSignal;
}

// heic-decode refuses files whose *major* brand is not one of these, although libheif reads them.
const BRANDS_HEIC_DECODE_ACCEPTS = new Set(['mif1', 'msf1', 'heic', 'heix', 'hevc', 'hevx']);

function withAcceptedBrand(bytes: Uint8Array): Uint8Array {
  const major = String.fromCharCode(...bytes.subarray(8, 12));
  if (BRANDS_HEIC_DECODE_ACCEPTS.has(major)) return bytes;
  const copy = bytes.slice();
  copy.set([0x6d, 0x69, 0x66, 0x31], 8); // 'mif1': every HEIF file is compatible with it
  return copy;
}

function corrupt(name: string, error: unknown): EngineError {
  const detail = error instanceof Error ? error.message.split('\n')[0] : String(error);
  return new EngineError(
    'CORRUPT_IMAGE',
    `"${name}" is a damaged HEIC file or uses HEIC features that cannot be decoded (${detail}).`,
    'Re-export the photo as JPEG or PNG and try again.',
    { cause: error, gui: { message: `"${name}" is a damaged HEIC file or uses HEIC features that cannot be decoded.` } },
  );
}

export async function decodeHeic(bytes: Uint8Array, ctx: HeicDecodeContext): Promise<HeicResult> {
  // Loaded on first use: the wasm bundle is large and most inputs are not HEIC.
  const { default: heic } = await import('heic-decode');
  let images: Awaited<ReturnType<typeof heic.all>>;
  try {
    images = await heic.all({ buffer: withAcceptedBrand(bytes) });
  } catch (error) {
    throw corrupt(ctx.name, error);
  }
  let pixels: { width: number; height: number; data: Uint8ClampedArray };
  try {
    // heic-decode does not say which image is the primary one; sharp's header read does, by size.
    const { expected } = ctx;
    const image =
      images.find((i) => expected && i.width === expected.width && i.height === expected.height) ??
      images.find((i) => expected && i.width === expected.height && i.height === expected.width) ??
      images[0];
    if (!image) throw corrupt(ctx.name, new Error('no image in the file'));
    ctx.checkSize(image.width, image.height);
    throwIfAborted(ctx.signal);
    try {
      pixels = await image.decode();
    } catch (error) {
      throw corrupt(ctx.name, error);
    }
  } finally {
    images.dispose();
  }
  const { width, height } = pixels;
  if (pixels.data.length !== width * height * 4) throw corrupt(ctx.name, new Error('unexpected pixel buffer size'));
  let data = new Uint8Array(pixels.data.buffer, pixels.data.byteOffset, pixels.data.byteLength);
  if (isRgbIccProfile(ctx.icc)) {
    throwIfAborted(ctx.signal);
    const tagged = await rawAsTaggedPng({ width, height, channels: 4, bitDepth: 8, data }, ctx.icc);
    const srgb = await sharp(tagged, { limitInputPixels: false }).toColourspace('srgb').raw().toBuffer();
    data = new Uint8Array(srgb.buffer, srgb.byteOffset, srgb.byteLength);
  }
  return { width, height, data };
}
