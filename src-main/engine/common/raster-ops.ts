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
