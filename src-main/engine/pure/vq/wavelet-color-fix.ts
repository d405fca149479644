// PURE's wavelet colour fix: keep the generated image's high frequencies, take the low frequencies
// (colour, illumination) from the bicubic-upsampled LQ input. Transcribed from nonwhy/PURE
// pure/utils/wavelet_color_fix.py (itself from StableSR / sd-webui-stablesr `colorfix.py`):
// - wavelet_blur(image, radius): F.pad(radius, mode='replicate'), then a depthwise conv with the
//   3x3 kernel [[1,2,1],[2,4,2],[1,2,1]] / 16 and dilation = radius;
// - wavelet_decomposition(image, levels=5): for i in 0..4, radius = 2**i (1, 2, 4, 8, 16):
//   low = blur(image, radius); high += image - low; image = low. Returns (high, last low);
// - wavelet_reconstruction(content, style) = content_high + style_low, then `.clamp_(0, 1)`.
// test_pure_jacobi.py calls wavelet_color_fix(generated, lq) with the LQ resized to 512 by PIL
// bicubic; both go through ToTensor ([0, 1], float32). We compute in float64.
// Pure TypeScript: no Node built-ins.

const LEVELS = 5;

/**
 * One level on a single (H, W) plane: replicate padding of `radius` then the dilated 3x3 kernel
 * is exactly "read neighbours at +-radius, clamping coordinates to the image".
 */
export function waveletBlur(plane: Float64Array, height: number, width: number, radius: number): Float64Array {
  const out = new Float64Array(height * width);
  const weights = [1, 2, 1];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let dy = -1; dy <= 1; dy++) {
        const sy = Math.min(height - 1, Math.max(0, y + dy * radius));
        for (let dx = -1; dx <= 1; dx++) {
          const sx = Math.min(width - 1, Math.max(0, x + dx * radius));
          sum += weights[dy + 1] * weights[dx + 1] * plane[sy * width + sx];
        }
      }
      out[y * width + x] = sum / 16;
    }
  }
  return out;
}

/** wavelet_decomposition on one plane: the summed high frequencies and the last low frequency. */
export function waveletDecomposition(plane: Float64Array, height: number, width: number): { high: Float64Array; low: Float64Array } {
  const high = new Float64Array(height * width);
  let image = plane;
  for (let i = 0; i < LEVELS; i++) {
    const low = waveletBlur(image, height, width, 2 ** i);
    for (let p = 0; p < high.length; p++) high[p] += image[p] - low[p];
    image = low;
  }
  return { high, low: image };
}

/**
 * generated, lqUpsampled: planar (3, H, W) in [0, 1] (ToTensor of the decoded image and of the
 * 512x512 bicubic LQ). Returns planar (3, H, W): generated's high + LQ's low, clamped to [0, 1].
 */
export function waveletColorFix(generated: Float32Array, lqUpsampled: Float32Array, height: number, width: number): Float32Array {
  const plane = height * width;
  if (generated.length !== 3 * plane || lqUpsampled.length !== 3 * plane) {
    throw new Error(`waveletColorFix: expected two 3x${height}x${width} images, got ${generated.length} and ${lqUpsampled.length} values`);
  }
  const out = new Float32Array(3 * plane);
  for (let c = 0; c < 3; c++) {
    const { high } = waveletDecomposition(Float64Array.from(generated.subarray(c * plane, (c + 1) * plane)), height, width);
    const { low } = waveletDecomposition(Float64Array.from(lqUpsampled.subarray(c * plane, (c + 1) * plane)), height, width);
    for (let p = 0; p < plane; p++) out[c * plane + p] = Math.min(1, Math.max(0, high[p] + low[p]));
  }
  return out;
}
