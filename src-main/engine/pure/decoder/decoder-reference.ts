// An independent, deliberately plain forward pass of the Chameleon decoder: loops over tokens,
// heads and dimensions with Float64 accumulation, straight from the HF weights. It shares no
// code with the graph builder (only the weight names), so that agreement between the two means
// something. Slow by design; for tests on tiny models.
// Pure TypeScript: no Node built-ins.
//
// Maths, as HF ChameleonModel / Lumina-mGPT modeling_chameleon.py compute it:
//   x = embed[token]
//   per layer: h = rms(x) * w_in
//     q, k, v = W h;  q, k per head: layernorm over head_dim (no affine), * w[head] + b[head]
//     q, k = rope_rotate_half(q, k, position);  attn = softmax(q.k / sqrt(hd), causal) v
//     x += W_o attn;  h = rms(x) * w_post;  x += W_down (silu(W_gate h) * W_up h)
//   logits = W_head (rms(x) * w_norm)

import type { DecoderConfig } from '../config';
import { decoderNames, expectLength } from './decoder-weight-names';
import type { GetWeight } from './decoder-weight-names';

export interface ReferenceOptions {
  /** RoPE positions, default 0..n-1. */
  positions?: readonly number[];
  /**
   * For tests that prove the comparison has teeth: 'interleaved' rotates pairs (2i, 2i+1)
   * (Meta's original complex form) instead of halves. The real checkpoints need 'rotate-half'.
   */
  rope?: 'rotate-half' | 'interleaved';
}

/** Logits for every position: (seq, vocab), row-major. */
export function referenceForward(c: DecoderConfig, getWeight: GetWeight, tokens: readonly number[], options: ReferenceOptions = {}): Float64Array {
  const n = tokens.length;
  const H = c.hiddenSize;
  const hd = c.headDim;
  const positions = options.positions ?? tokens.map((_, t) => t);
  const embedTable = expectLength(decoderNames.embed, getWeight(decoderNames.embed), c.vocabSize * H);
  let x: Float64Array[] = tokens.map((tok) => Float64Array.from(embedTable.subarray(tok * H, (tok + 1) * H)));

  for (let l = 0; l < c.numLayers; l++) {
    const names = decoderNames.layer(l);
    const w = (name: string, count: number) => expectLength(name, getWeight(name), count);
    const qW = w(names.q, c.numHeads * hd * H);
    const kW = w(names.k, c.numKvHeads * hd * H);
    const vW = w(names.v, c.numKvHeads * hd * H);
    const oW = w(names.o, H * c.numHeads * hd);
    const qNorm = headRows(getWeight(names.qNormWeight), getWeight(names.qNormBias), c.numHeads, hd);
    const kNorm = headRows(getWeight(names.kNormWeight), getWeight(names.kNormBias), c.numKvHeads, hd);

    const qs: Float64Array[] = [];
    const ks: Float64Array[] = [];
    const vs: Float64Array[] = [];
    for (let t = 0; t < n; t++) {
      const h = rms(x[t], w(names.inputNorm, H), c.rmsNormEps);
      const q = matVec(qW, h, c.numHeads * hd);
      const k = matVec(kW, h, c.numKvHeads * hd);
      headLayerNorm(q, qNorm, c.numHeads, hd, c.qkNormEps);
      headLayerNorm(k, kNorm, c.numKvHeads, hd, c.qkNormEps);
      ropeInPlace(q, c.numHeads, hd, positions[t], c.ropeTheta, options.rope ?? 'rotate-half');
      ropeInPlace(k, c.numKvHeads, hd, positions[t], c.ropeTheta, options.rope ?? 'rotate-half');
      qs.push(q);
      ks.push(k);
      vs.push(matVec(vW, h, c.numKvHeads * hd));
    }

    const next: Float64Array[] = [];
    const group = c.numHeads / c.numKvHeads;
    for (let t = 0; t < n; t++) {
      const attn = new Float64Array(c.numHeads * hd);
      for (let head = 0; head < c.numHeads; head++) {
        const kvHead = Math.floor(head / group); // HF repeat_kv: consecutive query heads share one K/V head
        const scores = new Float64Array(t + 1);
        for (let j = 0; j <= t; j++) {
          let dot = 0;
          for (let d = 0; d < hd; d++) dot += qs[t][head * hd + d] * ks[j][kvHead * hd + d];
          scores[j] = dot / Math.sqrt(hd);
        }
        const p = softmax(scores);
        for (let j = 0; j <= t; j++) {
          for (let d = 0; d < hd; d++) attn[head * hd + d] += p[j] * vs[j][kvHead * hd + d];
        }
      }
      const x1 = add(x[t], matVec(oW, attn, H));
      const h2 = rms(x1, w(names.postNorm, H), c.rmsNormEps);
      const gate = matVec(w(names.gate, c.intermediateSize * H), h2, c.intermediateSize);
      const up = matVec(w(names.up, c.intermediateSize * H), h2, c.intermediateSize);
      const act = gate.map((g, i) => (g / (1 + Math.exp(-g))) * up[i]);
      next.push(add(x1, matVec(w(names.down, H * c.intermediateSize), act, H)));
    }
    x = next;
  }

  const normW = expectLength(decoderNames.finalNorm, getWeight(decoderNames.finalNorm), H);
  const head = expectLength(decoderNames.lmHead, getWeight(decoderNames.lmHead), c.vocabSize * H);
  const logits = new Float64Array(n * c.vocabSize);
  for (let t = 0; t < n; t++) logits.set(matVec(head, rms(x[t], normW, c.rmsNormEps), c.vocabSize), t * c.vocabSize);
  return logits;
}

/** y = W x for a torch Linear weight W (rows, x.length). */
function matVec(W: Float32Array, x: Float64Array, rows: number): Float64Array {
  const cols = x.length;
  const y = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let i = 0; i < cols; i++) s += W[r * cols + i] * x[i];
    y[r] = s;
  }
  return y;
}

function rms(x: Float64Array, weight: Float32Array, eps: number): Float64Array {
  let ss = 0;
  for (const v of x) ss += v * v;
  const inv = 1 / Math.sqrt(ss / x.length + eps);
  return x.map((v, i) => v * inv * weight[i]);
}

function add(a: Float64Array, b: Float64Array): Float64Array {
  return a.map((v, i) => v + b[i]);
}

function softmax(s: Float64Array): Float64Array {
  const max = Math.max(...s);
  const e = s.map((v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

/** Per-head affine rows: stored rows r (of heads/rows heads each), like torch repeat_interleave. */
function headRows(weight: Float32Array, bias: Float32Array, heads: number, hd: number): { w: Float64Array[]; b: Float64Array[] } {
  const rowsOf = (p: Float32Array): Float64Array[] => {
    const rows = p.length / hd;
    if (!Number.isInteger(rows) || heads % rows !== 0) throw new Error(`qk-norm parameter of ${p.length} values does not fit ${heads} heads of ${hd}`);
    const out: Float64Array[] = [];
    for (let h = 0; h < heads; h++) {
      const r = Math.floor(h / (heads / rows));
      out.push(Float64Array.from(p.subarray(r * hd, (r + 1) * hd)));
    }
    return out;
  };
  return { w: rowsOf(weight), b: rowsOf(bias) };
}

/** LayerNorm statistics over each head's hd values (biased variance), then that head's affine. */
function headLayerNorm(v: Float64Array, p: { w: Float64Array[]; b: Float64Array[] }, heads: number, hd: number, eps: number): void {
  for (let h = 0; h < heads; h++) {
    const o = h * hd;
    let mean = 0;
    for (let d = 0; d < hd; d++) mean += v[o + d];
    mean /= hd;
    let variance = 0;
    for (let d = 0; d < hd; d++) variance += (v[o + d] - mean) ** 2;
    variance /= hd;
    const inv = 1 / Math.sqrt(variance + eps);
    for (let d = 0; d < hd; d++) v[o + d] = (v[o + d] - mean) * inv * p.w[h][d] + p.b[h][d];
  }
}

/** RoPE on every head of v, at one position. Frequency i = theta^(-2i/hd), i < hd/2. */
function ropeInPlace(v: Float64Array, heads: number, hd: number, position: number, theta: number, mode: 'rotate-half' | 'interleaved'): void {
  const half = hd / 2;
  for (let h = 0; h < heads; h++) {
    const o = h * hd;
    for (let i = 0; i < half; i++) {
      const angle = position * Math.pow(theta, (-2 * i) / hd);
      const cos = Math.cos(angle);
      const sin = Math.sin(angle);
      // rotate-half pairs dims (i, i + hd/2); interleaved pairs (2i, 2i + 1)
      const a = mode === 'rotate-half' ? o + i : o + 2 * i;
      const b = mode === 'rotate-half' ? o + i + half : o + 2 * i + 1;
      const x1 = v[a];
      const x2 = v[b];
      v[a] = x1 * cos - x2 * sin;
      v[b] = x2 * cos + x1 * sin;
    }
  }
}
