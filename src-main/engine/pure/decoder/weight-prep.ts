// Build-time weight transforms for the decoder graph: transpose torch Linear weights into MatMul
// layout, round to fp16, and expand the QK-norm parameters over the heads. Runs once per weight
// while the model is written, so it is written for speed on 100M-element arrays.
// Pure TypeScript: no Node built-ins.

/** (rows, cols) row-major -> (cols, rows): torch Linear (out, in) -> MatMul (in, out). */
export function transpose(src: Float32Array, rows: number, cols: number): Float32Array {
  if (src.length !== rows * cols) throw new Error(`transpose: ${src.length} values is not ${rows} x ${cols}`);
  const out = new Float32Array(src.length);
  // Tiles keep both the reads and the writes within a few cache lines.
  const T = 64;
  for (let r0 = 0; r0 < rows; r0 += T) {
    const r1 = Math.min(rows, r0 + T);
    for (let c0 = 0; c0 < cols; c0 += T) {
      const c1 = Math.min(cols, c0 + T);
      for (let r = r0; r < r1; r++) {
        const rowBase = r * cols;
        for (let c = c0; c < c1; c++) out[c * rows + r] = src[rowBase + c];
      }
    }
  }
  return out;
}

/** IEEE fp16 bits of each value (round to nearest even): one implementation for the whole engine. */
export { float32ToFloat16Bits as toFloat16Bits } from '../../checkpoint/dtype';

/**
 * QK-norm weight or bias -> one row per head, (heads, head_dim).
 * Checkpoints store (rows, head_dim) with rows = model_parallel_size, each row shared by
 * heads / rows consecutive heads (torch `repeat_interleave(heads / rows, dim=0)`, Lumina-mGPT
 * ChameleonLayerNorm); HF stores rows = heads, Lumina-mGPT/PURE rows = 1, or a bare (head_dim).
 */
export function expandPerHead(name: string, data: Float32Array, heads: number, headDim: number): Float32Array {
  const rows = data.length / headDim;
  if (!Number.isInteger(rows) || rows < 1 || heads % rows !== 0) {
    throw new Error(`decoder weight '${name}': ${data.length} values is not (rows, ${headDim}) with rows dividing ${heads} heads`);
  }
  const perRow = heads / rows;
  const out = new Float32Array(heads * headDim);
  for (let h = 0; h < heads; h++) {
    const row = Math.floor(h / perRow);
    out.set(data.subarray(row * headDim, (row + 1) * headDim), h * headDim);
  }
  return out;
}
