// Float images for the quality code: one channel (a Plane) or interleaved RGB in [0, 1] (a
// FloatImage), and the conversions from and to the engine's 8/16-bit RasterImage.
import { EngineError } from '../common/errors';
import type { RasterImage } from '../image/types';

/** One channel, row-major, float64. */
export interface Plane {
  width: number;
  height: number;
  data: Float64Array;
}

/** Interleaved RGB, row-major, values nominally in [0, 1] (may leave it between steps). */
export interface FloatImage {
  width: number;
  height: number;
  data: Float64Array; // (height, width, 3)
}

function rgbScale(image: RasterImage): number {
  if (image.channels !== 3 && image.channels !== 4) {
    throw new EngineError('INVALID_OPTION', `Expected an RGB image, got ${image.channels} channel(s).`);
  }
  return image.bitDepth === 16 ? 255 / 65535 : 1;
}

/**
 * Luma as the Real-ISR papers measure it: MATLAB's rgb2ycbcr Y (BT.601, studio range 16..235),
 * on the 0..255 scale, not rounded: Y = 16 + (65.481 R + 128.553 G + 24.966 B) / 255.
 */
export function yPlane(image: RasterImage): Plane {
  const k = rgbScale(image);
  const { width, height, channels, data } = image;
  const out = new Float64Array(width * height);
  for (let p = 0, s = 0; p < out.length; p++, s += channels) {
    out[p] = 16 + (65.481 * data[s] * k + 128.553 * data[s + 1] * k + 24.966 * data[s + 2] * k) / 255;
  }
  return { width, height, data: out };
}

/** One colour channel (0 = R) on the 0..255 scale. */
export function channelPlane(image: RasterImage, channel: 0 | 1 | 2): Plane {
  const k = rgbScale(image);
  const { width, height, channels, data } = image;
  const out = new Float64Array(width * height);
  for (let p = 0, s = channel; p < out.length; p++, s += channels) out[p] = data[s] * k;
  return { width, height, data: out };
}

/** Removes `border` pixels from every side (the Real-ISR convention crops the scale factor). */
export function cropPlane(plane: Plane, border: number): Plane {
  if (border === 0) return plane;
  const width = plane.width - 2 * border;
  const height = plane.height - 2 * border;
  if (!Number.isInteger(border) || border < 0 || width < 1 || height < 1) {
    throw new EngineError('INVALID_OPTION', `Cannot crop ${border} pixels from each side of a ${plane.width}x${plane.height} image.`);
  }
  const out = new Float64Array(width * height);
  for (let y = 0; y < height; y++) {
    out.set(plane.data.subarray((y + border) * plane.width + border, (y + border) * plane.width + border + width), y * width);
  }
  return { width, height, data: out };
}

/** 8/16-bit RGB(A) pixels -> interleaved float RGB in [0, 1] (alpha dropped). */
export function toFloatImage(image: RasterImage): FloatImage {
  const k = rgbScale(image) / 255;
  const { width, height, channels, data } = image;
  const out = new Float64Array(width * height * 3);
  for (let p = 0, s = 0, d = 0; p < width * height; p++, s += channels, d += 3) {
    out[d] = data[s] * k;
    out[d + 1] = data[s + 1] * k;
    out[d + 2] = data[s + 2] * k;
  }
  return { width, height, data: out };
}

/** Float RGB -> 8-bit RGB: clamp(round(v * 255)), as the Real-ESRGAN pipeline ends. */
export function toRaster8(image: FloatImage): RasterImage & { channels: 3 } {
  const out = new Uint8Array(image.data.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.min(255, Math.max(0, Math.round(image.data[i] * 255)));
  return { width: image.width, height: image.height, channels: 3, bitDepth: 8, data: out };
}
