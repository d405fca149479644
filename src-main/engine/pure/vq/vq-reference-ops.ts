// Plain-loop float64 versions of the VQ's layers, for the reference in vq-reference.ts. Written
// independently of the ONNX builders (nothing shared but the weights) so that the two can check each
// other: a mistake would have to be made twice, in two different forms, to go unnoticed.
// Pure TypeScript: no Node built-ins.

/** A (C, H, W) feature map, planar, float64. */
export interface Map3 {
  c: number;
  h: number;
  w: number;
  d: Float64Array;
}

export const map3 = (c: number, h: number, w: number): Map3 => ({ c, h, w, d: new Float64Array(c * h * w) });

/**
 * Cross-correlation as torch.nn.Conv2d: weight (outC, inC, k, k), bias (outC), zero padding
 * [top, left, bottom, right] (asymmetric allowed), output size floor((H + top + bottom - k) / s) + 1.
 */
export function conv2d(x: Map3, weight: Float32Array, bias: Float32Array, outC: number, k: number, stride: number, pads: readonly number[]): Map3 {
  const [top, left, bottom, right] = pads;
  const oh = Math.floor((x.h + top + bottom - k) / stride) + 1;
  const ow = Math.floor((x.w + left + right - k) / stride) + 1;
  if (weight.length !== outC * x.c * k * k || bias.length !== outC) throw new Error('conv2d: weight/bias size mismatch');
  const y = map3(outC, oh, ow);
  for (let o = 0; o < outC; o++) {
    const out = y.d.subarray(o * oh * ow, (o + 1) * oh * ow);
    out.fill(bias[o]);
    for (let i = 0; i < x.c; i++) {
      const plane = x.d.subarray(i * x.h * x.w, (i + 1) * x.h * x.w);
      for (let ky = 0; ky < k; ky++) {
        for (let kx = 0; kx < k; kx++) {
          const wv = weight[((o * x.c + i) * k + ky) * k + kx];
          for (let oy = 0; oy < oh; oy++) {
            const iy = oy * stride - top + ky;
            if (iy < 0 || iy >= x.h) continue; // zero padding
            for (let ox = 0; ox < ow; ox++) {
              const ix = ox * stride - left + kx;
              if (ix >= 0 && ix < x.w) out[oy * ow + ox] += wv * plane[iy * x.w + ix];
            }
          }
        }
      }
    }
  }
  return y;
}

/** torch.nn.GroupNorm: per group of C/G channels, (x - mean) / sqrt(biased var + eps), then gamma, beta. */
export function groupNorm(x: Map3, gamma: Float32Array, beta: Float32Array, groups: number, eps: number): Map3 {
  const y = map3(x.c, x.h, x.w);
  const perGroup = (x.c / groups) * x.h * x.w;
  const hw = x.h * x.w;
  for (let g = 0; g < groups; g++) {
    const start = g * perGroup;
    let mean = 0;
    for (let i = 0; i < perGroup; i++) mean += x.d[start + i];
    mean /= perGroup;
    let variance = 0;
    for (let i = 0; i < perGroup; i++) variance += (x.d[start + i] - mean) ** 2;
    variance /= perGroup;
    const inv = 1 / Math.sqrt(variance + eps);
    for (let i = 0; i < perGroup; i++) {
      const ch = Math.floor((start + i) / hw);
      y.d[start + i] = (x.d[start + i] - mean) * inv * gamma[ch] + beta[ch];
    }
  }
  return y;
}

export function swish(x: Map3): Map3 {
  const y = map3(x.c, x.h, x.w);
  for (let i = 0; i < x.d.length; i++) y.d[i] = x.d[i] / (1 + Math.exp(-x.d[i]));
  return y;
}

export function add(a: Map3, b: Map3): Map3 {
  if (a.c !== b.c || a.h !== b.h || a.w !== b.w) throw new Error('add: shape mismatch');
  const y = map3(a.c, a.h, a.w);
  for (let i = 0; i < a.d.length; i++) y.d[i] = a.d[i] + b.d[i];
  return y;
}

/** F.interpolate(scale_factor=2, mode="nearest"): out[y][x] = in[floor(y/2)][floor(x/2)]. */
export function upsampleNearest2(x: Map3): Map3 {
  const y = map3(x.c, x.h * 2, x.w * 2);
  for (let c = 0; c < x.c; c++) {
    for (let oy = 0; oy < y.h; oy++) {
      for (let ox = 0; ox < y.w; ox++) y.d[(c * y.h + oy) * y.w + ox] = x.d[(c * x.h + (oy >> 1)) * x.w + (ox >> 1)];
    }
  }
  return y;
}

/**
 * The attention core of AttnBlock on already projected q, k, v (C, H, W):
 * out[c][i] = sum_j softmax_j(sum_c' q[c'][i] k[c'][j] / sqrt(C)) v[c][j].
 */
export function attention(q: Map3, k: Map3, v: Map3): Map3 {
  const n = q.h * q.w;
  const C = q.c;
  const out = map3(C, q.h, q.w);
  const scale = 1 / Math.sqrt(C);
  const row = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let max = -Infinity;
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let c = 0; c < C; c++) s += q.d[c * n + i] * k.d[c * n + j];
      row[j] = s * scale;
      if (row[j] > max) max = row[j];
    }
    let sum = 0;
    for (let j = 0; j < n; j++) {
      row[j] = Math.exp(row[j] - max);
      sum += row[j];
    }
    for (let c = 0; c < C; c++) {
      let acc = 0;
      for (let j = 0; j < n; j++) acc += row[j] * v.d[c * n + j];
      out.d[c * n + i] = acc / sum;
    }
  }
  return out;
}
