// A deliberately plain interpreter of the ncnn layers the converter supports, for tests: it runs
// the parsed .param/.bin directly with obvious loops, sharing nothing with the ONNX path, so that
// a disagreement with ONNX Runtime points at the converter. Slow by design; batch 1 only.
// It reads layer parameters itself (not through the converter) so a misread there shows up.

import { paramArray, paramFloat, paramInt } from './ncnn-param';
import type { NcnnLayer, NcnnModelParam } from './ncnn-param';
import type { LayerWeights } from './ncnn-weights';

/** A blob: (C, H, W) fp32, row-major. */
export interface Tensor3 {
  c: number;
  h: number;
  w: number;
  data: Float32Array;
}

export function tensor3(c: number, h: number, w: number, data: Float32Array = new Float32Array(c * h * w)): Tensor3 {
  if (data.length !== c * h * w) throw new Error(`tensor3: ${data.length} values for ${c}x${h}x${w}`);
  return { c, h, w, data };
}

/** Runs the network on one image; returns the blob that no layer consumes. */
export function runNcnnReference(model: NcnnModelParam, weights: readonly (LayerWeights | null)[], input: Tensor3): Tensor3 {
  const blobs = new Map<string, Tensor3>();
  const consumed = new Set(model.layers.flatMap((l) => l.inputs));
  let result: Tensor3 | undefined;
  model.layers.forEach((layer, i) => {
    const ins = layer.inputs.map((name) => blobs.get(name)!);
    const outs = runLayer(layer, weights[i], ins, input);
    layer.outputs.forEach((name, k) => {
      blobs.set(name, outs[k]);
      if (!consumed.has(name) && layer.type !== 'Split') result = outs[k];
    });
  });
  if (!result) throw new Error('reference: the network has no output');
  return result;
}

function runLayer(layer: NcnnLayer, weights: LayerWeights | null, ins: Tensor3[], input: Tensor3): Tensor3[] {
  switch (layer.type) {
    case 'Input':
      return [input];
    case 'Split':
      return layer.outputs.map(() => ins[0]);
    case 'Convolution':
      if (weights?.type !== 'Convolution') throw new Error('reference: convolution without weights');
      return [activate(layer, convolution(layer, ins[0], weights.weight, weights.bias))];
    case 'PReLU':
      if (weights?.type !== 'PReLU') throw new Error('reference: PReLU without slopes');
      return [mapChannels(ins[0], (v, c) => (v >= 0 ? v : v * weights.slope[weights.slope.length === 1 ? 0 : c]))];
    case 'Concat':
      return [concatChannels(ins)];
    case 'Eltwise':
      return [eltwise(layer, ins)];
    case 'BinaryOp':
      return [binaryOp(layer, ins)];
    case 'Interp':
      return [interp(layer, ins[0])];
    case 'PixelShuffle':
      return [pixelShuffle(ins[0], paramInt(layer, 0, 1), paramInt(layer, 1, 0))];
    default:
      throw new Error(`reference: no ${layer.type}`);
  }
}

/** Direct convolution; weight: (out, in, kh, kw), bias: (out). */
function convolution(layer: NcnnLayer, x: Tensor3, weight: Float32Array, bias: Float32Array | null): Tensor3 {
  const outC = paramInt(layer, 0, 0);
  const kw = paramInt(layer, 1, 0);
  const kh = paramInt(layer, 11, kw);
  const dilW = paramInt(layer, 2, 1);
  const dilH = paramInt(layer, 12, dilW);
  const strideW = paramInt(layer, 3, 1);
  const strideH = paramInt(layer, 13, strideW);
  const padLeft = paramInt(layer, 4, 0);
  const padRight = paramInt(layer, 15, padLeft);
  const padTop = paramInt(layer, 14, padLeft);
  const padBottom = paramInt(layer, 16, padTop);
  const inC = x.c;
  if (weight.length !== outC * inC * kh * kw) throw new Error(`reference: ${layer.name} weights do not fit`);
  const outH = Math.floor((x.h + padTop + padBottom - dilH * (kh - 1) - 1) / strideH) + 1;
  const outW = Math.floor((x.w + padLeft + padRight - dilW * (kw - 1) - 1) / strideW) + 1;
  const out = tensor3(outC, outH, outW);
  const acc = new Float64Array(outH * outW);
  for (let oc = 0; oc < outC; oc++) {
    acc.fill(bias ? bias[oc] : 0);
    for (let ic = 0; ic < inC; ic++) {
      const plane = ic * x.h * x.w;
      for (let ky = 0; ky < kh; ky++) {
        for (let kx = 0; kx < kw; kx++) {
          const wv = weight[((oc * inC + ic) * kh + ky) * kw + kx];
          for (let oy = 0; oy < outH; oy++) {
            const iy = oy * strideH - padTop + ky * dilH;
            if (iy < 0 || iy >= x.h) continue; // zero padding
            for (let ox = 0; ox < outW; ox++) {
              const ix = ox * strideW - padLeft + kx * dilW;
              if (ix < 0 || ix >= x.w) continue;
              acc[oy * outW + ox] += wv * x.data[plane + iy * x.w + ix];
            }
          }
        }
      }
    }
    out.data.set(acc, oc * outH * outW);
  }
  return out;
}

/** Convolution's fused activation (9=type, array 10 = its parameters). */
function activate(layer: NcnnLayer, x: Tensor3): Tensor3 {
  const type = paramInt(layer, 9, 0);
  const p = paramArray(layer, 10) ?? [];
  switch (type) {
    case 0:
      return x;
    case 1:
      return mapChannels(x, (v) => Math.max(v, 0));
    case 2:
      return mapChannels(x, (v) => (v >= 0 ? v : v * p[0]));
    case 3:
      return mapChannels(x, (v) => Math.min(Math.max(v, p[0]), p[1]));
    case 4:
      return mapChannels(x, (v) => 1 / (1 + Math.exp(-v)));
    default:
      throw new Error(`reference: activation ${type}`);
  }
}

function mapChannels(x: Tensor3, f: (v: number, c: number) => number): Tensor3 {
  const out = tensor3(x.c, x.h, x.w);
  const plane = x.h * x.w;
  for (let i = 0; i < out.data.length; i++) out.data[i] = f(x.data[i], Math.floor(i / plane));
  return out;
}

function concatChannels(ins: Tensor3[]): Tensor3 {
  const out = tensor3(
    ins.reduce((sum, t) => sum + t.c, 0),
    ins[0].h,
    ins[0].w,
  );
  let offset = 0;
  for (const t of ins) {
    out.data.set(t.data, offset);
    offset += t.data.length;
  }
  return out;
}

function eltwise(layer: NcnnLayer, ins: Tensor3[]): Tensor3 {
  const op = paramInt(layer, 0, 0); // 0 prod, 1 sum, 2 max
  const coeffs = paramArray(layer, 1);
  const out = tensor3(ins[0].c, ins[0].h, ins[0].w);
  for (let i = 0; i < out.data.length; i++) {
    let v = op === 1 ? 0 : op === 0 ? 1 : -Infinity;
    ins.forEach((t, k) => {
      if (op === 0) v *= t.data[i];
      else if (op === 1) v += (coeffs ? coeffs[k] : 1) * t.data[i];
      else v = Math.max(v, t.data[i]);
    });
    out.data[i] = v;
  }
  return out;
}

function binaryOp(layer: NcnnLayer, ins: Tensor3[]): Tensor3 {
  const op = paramInt(layer, 0, 0);
  const scalar = paramInt(layer, 1, 0) !== 0 ? paramFloat(layer, 2, 0) : undefined;
  const f = [
    (a: number, b: number) => a + b,
    (a: number, b: number) => a - b,
    (a: number, b: number) => a * b,
    (a: number, b: number) => a / b,
    (a: number, b: number) => Math.max(a, b),
    (a: number, b: number) => Math.min(a, b),
    (a: number, b: number) => a ** b,
    (a: number, b: number) => b - a,
    (a: number, b: number) => b / a,
  ][op];
  const a = ins[0];
  const out = tensor3(a.c, a.h, a.w);
  for (let i = 0; i < out.data.length; i++) out.data[i] = f(a.data[i], scalar ?? ins[1].data[i]);
  return out;
}

/** ncnn Interp by scale factors: 1 = nearest, 2 = bilinear (optionally align_corner). */
function interp(layer: NcnnLayer, x: Tensor3): Tensor3 {
  const type = paramInt(layer, 0, 0);
  const hs = paramFloat(layer, 1, 1);
  const ws = paramFloat(layer, 2, 1);
  const alignCorner = paramInt(layer, 6, 0) !== 0;
  if (type !== 1 && type !== 2) throw new Error(`reference: Interp type ${type}`);
  const outH = Math.floor(x.h * hs);
  const outW = Math.floor(x.w * ws);
  const out = tensor3(x.c, outH, outW);
  // Source coordinate along one axis (ncnn: nearest takes floor(o / scale), clamped).
  const nearest = (o: number, scale: number, size: number) => Math.min(Math.floor(o / scale), size - 1);
  const linear = (o: number, outSize: number, size: number) => {
    const src = alignCorner ? (outSize > 1 ? (o * (size - 1)) / (outSize - 1) : 0) : ((o + 0.5) * size) / outSize - 0.5;
    const s = Math.min(Math.max(src, 0), size - 1);
    const i0 = Math.floor(s);
    return { i0, i1: Math.min(i0 + 1, size - 1), f: s - i0 };
  };
  for (let c = 0; c < x.c; c++) {
    const at = (y: number, xx: number) => x.data[(c * x.h + y) * x.w + xx];
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        let v: number;
        if (type === 1) v = at(nearest(oy, hs, x.h), nearest(ox, ws, x.w));
        else {
          const ly = linear(oy, outH, x.h);
          const lx = linear(ox, outW, x.w);
          const top = at(ly.i0, lx.i0) * (1 - lx.f) + at(ly.i0, lx.i1) * lx.f;
          const bottom = at(ly.i1, lx.i0) * (1 - lx.f) + at(ly.i1, lx.i1) * lx.f;
          v = top * (1 - ly.f) + bottom * ly.f;
        }
        out.data[(c * outH + oy) * outW + ox] = v;
      }
    }
  }
  return out;
}

/** mode 0: out[c][y*r+dy][x*r+dx] = in[c*r*r + dy*r + dx][y][x]; mode 1: in[(dy*r+dx)*C + c]. */
function pixelShuffle(x: Tensor3, r: number, mode: number): Tensor3 {
  const outC = x.c / (r * r);
  const out = tensor3(outC, x.h * r, x.w * r);
  for (let c = 0; c < outC; c++) {
    for (let dy = 0; dy < r; dy++) {
      for (let dx = 0; dx < r; dx++) {
        const src = mode === 0 ? c * r * r + dy * r + dx : (dy * r + dx) * outC + c;
        for (let y = 0; y < x.h; y++) {
          for (let xx = 0; xx < x.w; xx++) {
            out.data[(c * out.h + y * r + dy) * out.w + xx * r + dx] = x.data[(src * x.h + y) * x.w + xx];
          }
        }
      }
    }
  }
  return out;
}
