// Test-only: image pairs made by plain integer formulas (no library resampling), so that an
// independent implementation can be given the very same pixels. psnr-ssim.test.ts holds the
// values scikit-image computed for them.
import { decodeImage } from '../image/decode';
import type { RasterImage } from '../image/types';
import { photo } from '../../testing/fixtures';

/** A w x h RGB crop of chelsea.png at (x0, y0). */
export async function chelseaCrop(x0: number, y0: number, w: number, h: number): Promise<RasterImage & { channels: 3 }> {
  const { rgb } = await decodeImage(photo('chelsea.png'), { maxPixels: 1e7 });
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) data.set(rgb.data.subarray(((y0 + y) * rgb.width + x0) * 3, ((y0 + y) * rgb.width + x0 + w) * 3), y * w * 3);
  return { width: w, height: h, channels: 3, bitDepth: 8, data };
}

/** Adds a fixed pattern in [-10, 10] to every sample, clamped to 0..255. */
export function patterned(image: RasterImage): RasterImage {
  const data = new Uint8Array(image.data.length);
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      for (let c = 0; c < 3; c++) {
        const i = (y * image.width + x) * 3 + c;
        data[i] = Math.min(255, Math.max(0, image.data[i] + ((x * 7 + y * 13 + c * 5) % 21) - 10));
      }
    }
  }
  return { ...image, data };
}

/** 3x3 box blur with edge replication, integer-rounded: floor((sum + 4) / 9). */
export function boxBlurred(image: RasterImage): RasterImage {
  const { width: w, height: h } = image;
  const data = new Uint8Array(image.data.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < 3; c++) {
        let s = 0;
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) {
            const yy = Math.min(h - 1, Math.max(0, y + dy));
            const xx = Math.min(w - 1, Math.max(0, x + dx));
            s += image.data[(yy * w + xx) * 3 + c];
          }
        }
        data[(y * w + x) * 3 + c] = Math.floor((s + 4) / 9);
      }
    }
  }
  return { ...image, data };
}
