// PIL's `Image.resize(size, Image.BICUBIC)` for 8-bit images, reimplemented from its documented
// algorithm so PURE's LQ preprocessing (test_pure_jacobi.py: `image.resize((512, 512), Image.BICUBIC)`)
// can be matched bit for bit: the tokens the model sees depend on these exact bytes.
// Pillow (libImaging/Resample.c) resamples separably, horizontal pass first into an 8-bit
// intermediate, then vertical; the cubic kernel has a = -0.5 and support 2, widened by the scale
// factor when shrinking (antialiasing); per-output coefficients are normalised to sum 1, then
// stored as fixed point with 22 fractional bits and rounded away from zero; each output is
// (sum + 2^21) >> 22 clamped to [0, 255].
// Checked against Pillow 9.4 (Debian bookworm python3-pil) on photo crops: identical bytes.
// Pure TypeScript: no Node built-ins.

const PRECISION_BITS = 32 - 8 - 2;
const SUPPORT = 2;

function cubic(x: number): number {
  const a = -0.5;
  const t = Math.abs(x);
  if (t < 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
  if (t < 2) return (((t - 5) * t + 8) * t - 4) * a;
  return 0;
}

interface Coefficients {
  /** First input index of each output sample. */
  start: Int32Array;
  /** Number of taps of each output sample. */
  count: Int32Array;
  /** `ksize` fixed-point weights per output sample. */
  weights: Int32Array;
  ksize: number;
}

/** Pillow's precompute_coeffs + normalize_coeffs_8bpc for one axis (box = whole input). */
function coefficients(inSize: number, outSize: number): Coefficients {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = SUPPORT * filterScale;
  const ksize = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Int32Array(outSize * ksize);
  const k = new Float64Array(ksize);
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const ss = 1 / filterScale;
    // C's (int) cast truncates toward zero (Math.trunc), before the clamp to the image.
    const xmin = Math.max(0, Math.trunc(center - support + 0.5));
    const xmax = Math.min(inSize, Math.trunc(center + support + 0.5)) - xmin;
    let sum = 0;
    for (let x = 0; x < xmax; x++) {
      k[x] = cubic((x + xmin - center + 0.5) * ss);
      sum += k[x];
    }
    for (let x = 0; x < ksize; x++) {
      const w = x < xmax && sum !== 0 ? k[x] / sum : 0;
      weights[xx * ksize + x] = w < 0 ? Math.trunc(-0.5 + w * (1 << PRECISION_BITS)) : Math.trunc(0.5 + w * (1 << PRECISION_BITS));
    }
    start[xx] = xmin;
    count[xx] = xmax;
  }
  return { start, count, weights, ksize };
}

/** (sum + 2^21) >> 22, clamped to a byte; the sum can exceed 32 bits only in theory, so use floor division. */
function clip8(acc: number): number {
  const v = Math.floor(acc / (1 << PRECISION_BITS));
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/**
 * Resizes interleaved 8-bit pixels (H, W, channels) to (outH, outW, channels) like PIL BICUBIC.
 * An axis whose size does not change is not resampled (as in Pillow).
 */
export function resizeBicubicPil(src: Uint8Array, width: number, height: number, channels: number, outWidth: number, outHeight: number): Uint8Array {
  if (src.length !== width * height * channels) throw new Error(`resizeBicubicPil: ${src.length} bytes for ${width}x${height}x${channels}`);
  const horizontal = outWidth !== width;
  const vertical = outHeight !== height;
  const cy = coefficients(height, outHeight);
  // Pillow's horizontal pass only produces the rows the vertical pass will read.
  const firstRow = vertical ? cy.start[0] : 0;
  const lastRow = vertical ? cy.start[outHeight - 1] + cy.count[outHeight - 1] : height;
  let rows = src;
  let rowsWidth = width;
  let rowOffset = 0;
  if (horizontal) {
    const cx = coefficients(width, outWidth);
    const tempHeight = lastRow - firstRow;
    rows = new Uint8Array(tempHeight * outWidth * channels);
    for (let y = 0; y < tempHeight; y++) {
      const inRow = (y + firstRow) * width * channels;
      for (let xx = 0; xx < outWidth; xx++) {
        const base = xx * cx.ksize;
        for (let c = 0; c < channels; c++) {
          let acc = 1 << (PRECISION_BITS - 1);
          for (let t = 0; t < cx.count[xx]; t++) acc += src[inRow + (cx.start[xx] + t) * channels + c] * cx.weights[base + t];
          rows[(y * outWidth + xx) * channels + c] = clip8(acc);
        }
      }
    }
    rowsWidth = outWidth;
    rowOffset = firstRow;
  }
  if (!vertical) return horizontal ? rows : src.slice();
  const out = new Uint8Array(outHeight * outWidth * channels);
  for (let yy = 0; yy < outHeight; yy++) {
    const base = yy * cy.ksize;
    const y0 = cy.start[yy] - rowOffset;
    for (let x = 0; x < rowsWidth; x++) {
      for (let c = 0; c < channels; c++) {
        let acc = 1 << (PRECISION_BITS - 1);
        for (let t = 0; t < cy.count[yy]; t++) acc += rows[((y0 + t) * rowsWidth + x) * channels + c] * cy.weights[base + t];
        out[(yy * outWidth + x) * channels + c] = clip8(acc);
      }
    }
  }
  return out;
}
