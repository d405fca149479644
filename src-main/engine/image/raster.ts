// Small pixel-buffer helpers shared by decode, encode and resize: splitting and joining alpha,
// changing depth, and viewing sharp's byte buffers as typed arrays.
import { EngineError } from '../common/errors';
import type { RasterImage } from './types';

export type RgbImage = RasterImage & { channels: 3 };
export type AlphaImage = RasterImage & { channels: 1 };

function allocate(bitDepth: 8 | 16, length: number): Uint8Array | Uint16Array {
  return bitDepth === 16 ? new Uint16Array(length) : new Uint8Array(length);
}

/** Throws INVALID_OPTION when the buffer does not match the declared shape: a caller bug, caught early. */
export function assertRaster(image: RasterImage): void {
  const { width, height, channels, bitDepth, data } = image;
  const ok =
    Number.isInteger(width) && width > 0 && Number.isInteger(height) && height > 0 &&
    (channels === 1 || channels === 3 || channels === 4) &&
    ((bitDepth === 8 && data instanceof Uint8Array) || (bitDepth === 16 && data instanceof Uint16Array)) &&
    data.length === width * height * channels;
  if (!ok) {
    throw new EngineError(
      'INVALID_OPTION',
      `Invalid image buffer: ${width}x${height}, ${channels} channel(s), ${bitDepth}-bit, ${data?.length} samples.`,
    );
  }
}

/**
 * Views a buffer returned by sharp as samples of the given depth. 16-bit samples are native-endian,
 * as sharp hands them; a buffer at an odd offset is copied, since Uint16Array needs alignment.
 */
export function samplesFrom(buffer: Uint8Array, bitDepth: 8 | 16): Uint8Array | Uint16Array {
  if (bitDepth === 8) return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  if (buffer.byteOffset % 2 === 0) return new Uint16Array(buffer.buffer, buffer.byteOffset, buffer.byteLength / 2);
  return new Uint16Array(buffer.slice().buffer, 0, buffer.byteLength / 2);
}

/** Splits 3- or 4-channel pixels into RGB and, for 4 channels, a separate alpha plane. */
export function splitAlpha(image: RasterImage): { rgb: RgbImage; alpha?: AlphaImage } {
  const { width, height, bitDepth, data } = image;
  if (image.channels === 3) return { rgb: { width, height, channels: 3, bitDepth, data } };
  if (image.channels !== 4) throw new EngineError('INTERNAL', `splitAlpha: expected 3 or 4 channels, got ${image.channels}.`);
  const pixels = width * height;
  const rgb = allocate(bitDepth, pixels * 3);
  const alpha = allocate(bitDepth, pixels);
  for (let p = 0, s = 0, d = 0; p < pixels; p++, s += 4, d += 3) {
    rgb[d] = data[s];
    rgb[d + 1] = data[s + 1];
    rgb[d + 2] = data[s + 2];
    alpha[p] = data[s + 3];
  }
  return {
    rgb: { width, height, channels: 3, bitDepth, data: rgb },
    alpha: { width, height, channels: 1, bitDepth, data: alpha },
  };
}

/** Interleaves RGB and alpha (same size and depth) into RGBA, for writing. */
export function joinAlpha(rgb: RasterImage, alpha: RasterImage): RasterImage & { channels: 4 } {
  const { width, height, bitDepth } = rgb;
  if (rgb.channels !== 3 || alpha.channels !== 1 || alpha.width !== width || alpha.height !== height || alpha.bitDepth !== bitDepth) {
    throw new EngineError(
      'INTERNAL',
      `joinAlpha: RGB ${width}x${height}/${bitDepth}-bit and alpha ${alpha.width}x${alpha.height}/${alpha.bitDepth}-bit do not match.`,
    );
  }
  const pixels = width * height;
  const out = allocate(bitDepth, pixels * 4);
  for (let p = 0, s = 0, d = 0; p < pixels; p++, s += 3, d += 4) {
    out[d] = rgb.data[s];
    out[d + 1] = rgb.data[s + 1];
    out[d + 2] = rgb.data[s + 2];
    out[d + 3] = alpha.data[p];
  }
  return { width, height, channels: 4, bitDepth, data: out };
}

/** True when every alpha sample is at full opacity, so the channel carries nothing. */
export function isOpaque(alpha: RasterImage): boolean {
  const max = alpha.bitDepth === 16 ? 0xffff : 0xff;
  const { data } = alpha;
  for (let i = 0; i < data.length; i++) if (data[i] !== max) return false;
  return true;
}

/** 16 -> 8 bits with rounding (65535 -> 255); 8-bit images are returned as they are. */
export function to8Bit(image: RasterImage): RasterImage {
  if (image.bitDepth === 8) return image;
  const src = image.data;
  const out = new Uint8Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = (src[i] * 255 + 32767) / 65535;
  return { ...image, bitDepth: 8, data: out };
}

/** RGB -> one grey channel (Rec. 601 luma), for writing a restored greyscale source as grey. */
export function rgbToGrey(image: RasterImage): AlphaImage {
  if (image.channels !== 3) throw new EngineError('INTERNAL', `rgbToGrey: expected 3 channels, got ${image.channels}.`);
  const { width, height, bitDepth, data } = image;
  const out = allocate(bitDepth, width * height);
  for (let p = 0, s = 0; p < out.length; p++, s += 3) {
    out[p] = Math.round(0.299 * data[s] + 0.587 * data[s + 1] + 0.114 * data[s + 2]);
  }
  return { width, height, channels: 1, bitDepth, data: out };
}
