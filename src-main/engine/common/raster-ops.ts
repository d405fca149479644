// Pixel layout conversions between decoded rasters and model tensors. Pure TypeScript.
import type { RasterImage } from '../image/types';

/**
 * Copies a rectangle of an interleaved RGB raster into a (1, 3, h, w) float tensor in [0, 1],
 * the layout and range Real-ESRGAN expects.
 */
export function rasterRectToNCHW(image: RasterImage, x0: number, y0: number, w: number, h: number): Float32Array {
  if (image.channels !== 3) throw new Error(`expected RGB, got ${image.channels} channels`);
  const out = new Float32Array(3 * w * h); // (3, h, w)
  const plane = w * h;
  const max = image.bitDepth === 16 ? 65535 : 255;
  const src = image.data;
  for (let y = 0; y < h; y++) {
    let s = ((y0 + y) * image.width + x0) * 3;
    const row = y * w;
    for (let x = 0; x < w; x++, s += 3) {
      out[row + x] = src[s] / max;
      out[plane + row + x] = src[s + 1] / max;
      out[2 * plane + row + x] = src[s + 2] / max;
    }
  }
  return out;
}

/** RGB -> one grey channel with BT.601 luma weights (what most decoders use for B&W). */
export function rgbToGrey(image: RasterImage): RasterImage & { channels: 1 } {
  const n = image.width * image.height;
  const out = image.bitDepth === 16 ? new Uint16Array(n) : new Uint8Array(n);
  const d = image.data;
  for (let i = 0, s = 0; i < n; i++, s += 3) out[i] = Math.round(0.299 * d[s] + 0.587 * d[s + 1] + 0.114 * d[s + 2]);
  return { width: image.width, height: image.height, channels: 1, bitDepth: image.bitDepth, data: out };
}

/** Interleaves RGB and a same-size alpha channel into RGBA. */
export function attachAlpha(rgb: RasterImage, alpha: RasterImage): RasterImage & { channels: 4 } {
  if (rgb.width !== alpha.width || rgb.height !== alpha.height) throw new Error('alpha size differs from RGB');
  const n = rgb.width * rgb.height;
  const out = rgb.bitDepth === 16 ? new Uint16Array(n * 4) : new Uint8Array(n * 4);
  const scaleAlpha = rgb.bitDepth === alpha.bitDepth ? 1 : rgb.bitDepth === 16 ? 257 : 1 / 257;
  for (let i = 0; i < n; i++) {
    out[i * 4] = rgb.data[i * 3];
    out[i * 4 + 1] = rgb.data[i * 3 + 1];
    out[i * 4 + 2] = rgb.data[i * 3 + 2];
    out[i * 4 + 3] = Math.round(alpha.data[i] * scaleAlpha);
  }
  return { width: rgb.width, height: rgb.height, channels: 4, bitDepth: rgb.bitDepth, data: out };
}
