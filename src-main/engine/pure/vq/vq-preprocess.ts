// LQ preprocessing for PURE (spec section 5), bit-for-bit as the reference:
// 1. RGB, transparent pixels blended onto white: ImageTokenizer._whiten_transparency
//    (nonwhy/PURE pure/model/chameleon_vae_ori/image_tokenizer.py): alpha = A / 255 (float64),
//    (1 - alpha) * 255 + alpha * rgb, truncated by `astype("uint8")`. (The reference resizes the
//    RGBA image first, PIL premultiplying alpha, then whitens; blending is linear, so whitening
//    first gives the same image up to 8-bit rounding, and keeps the resize RGB-only.)
// 2. Resize to 512x512 with PIL BICUBIC when not already that size (test_pure_jacobi.py). We use
//    pil-bicubic.ts, byte-identical to Pillow 9.4. sharp's `kernel: 'cubic'` is NOT: on photo
//    crops (pil-bicubic.test.ts) 59-83% of samples differ when upscaling x4/x2/to 512, mean |diff|
//    0.85-3 levels, max 11-73 (sharp's x2 path is the furthest off); 19% (max 2) when shrinking.
//    That would shift the VQ codes the model sees.
//    (The item processor's var_center_crop then leaves a 512x512 image unchanged: PIL returns a
//    copy for a same-size resize and the only crop offset is 0.)
// 3. np.array(img) / 255.0 * 2 - 1 in float64, then .to(float32) -> planar (1, 3, 512, 512).
// Grey is expanded to RGB; 16-bit samples are rounded to 8 bits first (PIL reads 8-bit here).
// Pure TypeScript: no Node built-ins.

import type { RasterImage } from '../../image/types';
import { resizeBicubicPil } from './pil-bicubic';

export { waveletColorFix } from './wavelet-color-fix';

export interface PreprocessedLq {
  /** The VQ encoder's `image` input: planar float32 (1, 3, size, size) in [-1, 1]. */
  input: Float32Array;
  /** The same pixels as interleaved RGB uint8 (size, size, 3): the colour fix's LQ reference. */
  rgb: Uint8Array;
  size: number;
}

/** Any RasterImage (grey, RGB, RGBA; 8 or 16 bit) -> interleaved 8-bit RGB with alpha blended onto white. */
export function toWhitenedRgb8(image: RasterImage): Uint8Array {
  const { width, height, channels, bitDepth, data } = image;
  const pixels = width * height;
  if (data.length !== pixels * channels) throw new Error(`toWhitenedRgb8: ${data.length} samples for ${width}x${height}x${channels}`);
  const to8 = bitDepth === 16 ? (v: number) => Math.round((v * 255) / 65535) : (v: number) => v;
  const out = new Uint8Array(pixels * 3);
  for (let p = 0; p < pixels; p++) {
    if (channels === 1) {
      out.fill(to8(data[p]), p * 3, p * 3 + 3);
      continue;
    }
    const s = p * channels;
    if (channels === 3) {
      for (let c = 0; c < 3; c++) out[p * 3 + c] = to8(data[s + c]);
      continue;
    }
    const alpha = to8(data[s + 3]) / 255;
    // Same operation order as the numpy expression, so the float64 result and its truncation match.
    for (let c = 0; c < 3; c++) out[p * 3 + c] = Math.trunc((1 - alpha) * 255 + alpha * to8(data[s + c]));
  }
  return out;
}

/** Interleaved RGB uint8 (H, W, 3) -> planar float32 (1, 3, H, W): x / 255 * 2 - 1 (float64, then float32). */
export function rgb8ToVqInput(rgb: Uint8Array, height: number, width: number): Float32Array {
  const plane = height * width;
  if (rgb.length !== 3 * plane) throw new Error(`rgb8ToVqInput: ${rgb.length} bytes for ${height}x${width}x3`);
  const out = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) for (let c = 0; c < 3; c++) out[c * plane + i] = (rgb[i * 3 + c] / 255) * 2 - 1;
  return out;
}

/** The LQ photo as PURE's VQ encoder sees it (size = PureConfig.imageSize, 512). */
export function preprocessLq(image: RasterImage, size = 512): PreprocessedLq {
  let rgb = toWhitenedRgb8(image);
  if (image.width !== size || image.height !== size) rgb = resizeBicubicPil(rgb, image.width, image.height, 3, size, size);
  return { input: rgb8ToVqInput(rgb, size, size), rgb, size };
}
