// Pixel conversions around the VQ decoder and the colour fix, bit-for-bit as PURE's reference does
// them (nonwhy/PURE pure/model/chameleon_vae_ori/image_tokenizer.py `_pil_from_chw_tensor`,
// pure/utils/wavelet_color_fix.py via torchvision ToTensor / ToPILImage). The reference works in
// float32 (torch) and truncates to uint8 (numpy `astype(np.uint8)`, torch `.byte()`), so every
// step here is rounded to float32 with Math.fround in the same order before truncating.
// Pure TypeScript: no Node built-ins.

/**
 * The decoder's raw (1, 3, H, W) output -> interleaved RGB uint8 (H, W, 3):
 * clamp to [-1, 1], (x + 1) / 2, * 255, truncated (not rounded) as `(hwc_array * 255).astype(np.uint8)`.
 */
export function vqOutputToRgb8(image: Float32Array, height: number, width: number): Uint8Array {
  const plane = height * width;
  if (image.length !== 3 * plane) throw new Error(`vqOutputToRgb8: ${image.length} values for 3x${height}x${width}`);
  const out = new Uint8Array(3 * plane);
  const f = Math.fround;
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < plane; i++) {
      const clamped = Math.min(1, Math.max(-1, image[c * plane + i]));
      const unit = f(f(clamped + 1) / 2);
      out[i * 3 + c] = Math.trunc(f(unit * 255)); // in [0, 255]: unit <= 1
    }
  }
  return out;
}

/** torchvision ToTensor: interleaved RGB uint8 (H, W, 3) -> planar float32 (3, H, W) in [0, 1] (x / 255). */
export function rgb8ToUnitPlanar(rgb: Uint8Array, height: number, width: number): Float32Array {
  const plane = height * width;
  if (rgb.length !== 3 * plane) throw new Error(`rgb8ToUnitPlanar: ${rgb.length} bytes for ${height}x${width}x3`);
  const out = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) for (let c = 0; c < 3; c++) out[c * plane + i] = rgb[i * 3 + c] / 255;
  return out;
}

/**
 * torchvision ToPILImage on a float tensor already clamped to [0, 1]: `pic.mul(255).byte()`, i.e.
 * truncation. Planar (3, H, W) -> interleaved RGB uint8 (H, W, 3). Values are clamped defensively.
 */
export function unitPlanarToRgb8(planar: Float32Array, height: number, width: number): Uint8Array {
  const plane = height * width;
  if (planar.length !== 3 * plane) throw new Error(`unitPlanarToRgb8: ${planar.length} values for 3x${height}x${width}`);
  const out = new Uint8Array(3 * plane);
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < plane; i++) {
      const v = Math.min(1, Math.max(0, planar[c * plane + i]));
      out[i * 3 + c] = Math.trunc(Math.fround(v * 255));
    }
  }
  return out;
}
