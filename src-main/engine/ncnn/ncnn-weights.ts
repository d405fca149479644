// Reader for ncnn's .bin: the weights of each layer, one after another in .param order, with no
// index. So a layer we do not understand makes the rest unreadable, and the file must be used up
// exactly: a byte too many or too few means the .bin does not belong to the .param.
//
// Convolution: tagged weights (see below), then, with bias_term, num_output raw fp32.
// PReLU:       num_slope raw fp32.
// A tagged array starts with a 4-byte little-endian tag: 0x01306B47 = fp16 (padded to 4 bytes),
// 0x00000000 = fp32. ncnn's int8 and 256-entry-table formats are refused.
// Pure TypeScript: no Node built-ins.

import { EngineError } from '../common/errors';
import { assertSupportedLayers, formatError, paramInt } from './ncnn-param';
import type { NcnnLayer, NcnnModelParam } from './ncnn-param';

export const TAG_FP16 = 0x01306b47;
export const TAG_FP32 = 0x00000000;

export interface ConvolutionWeights {
  type: 'Convolution';
  /** (out, in, kh, kw) fp32, as stored: in = weight_data_size / (out * kh * kw). */
  weight: Float32Array;
  /** (out) fp32, or null when the layer has no bias. */
  bias: Float32Array | null;
}

export interface PReLUWeights {
  type: 'PReLU';
  /** (num_slope) fp32: one per channel, or a single shared slope. */
  slope: Float32Array;
}

export type LayerWeights = ConvolutionWeights | PReLUWeights;

/** Reads the weights of every layer; entry i belongs to model.layers[i] (null: no weights). */
export function readNcnnWeights(model: NcnnModelParam, bin: Uint8Array): (LayerWeights | null)[] {
  assertSupportedLayers(model);
  const reader = new BinReader(bin);
  const weights = model.layers.map((layer) => readLayer(layer, reader));
  if (reader.remaining !== 0) {
    throw formatError(
      `The weights file has ${reader.remaining} bytes left over after the last layer: it does not belong to this .param file.`,
    );
  }
  return weights;
}

/** Total number of weight values (the model's parameter count). */
export function countParameters(weights: readonly (LayerWeights | null)[]): number {
  let total = 0;
  for (const w of weights) {
    if (w?.type === 'Convolution') total += w.weight.length + (w.bias?.length ?? 0);
    else if (w?.type === 'PReLU') total += w.slope.length;
  }
  return total;
}

function readLayer(layer: NcnnLayer, reader: BinReader): LayerWeights | null {
  switch (layer.type) {
    case 'Convolution': {
      const numOutput = paramInt(layer, 0, 0);
      const biasTerm = paramInt(layer, 5, 0);
      const weightDataSize = paramInt(layer, 6, 0);
      // These change what follows the weights in the file; without them we would misread it.
      if (paramInt(layer, 8, 0) !== 0 || paramInt(layer, 19, 0) !== 0) {
        throw new EngineError(
          'UNSUPPORTED_LAYER',
          `The model uses layer types the converter does not support: Convolution with int8 or dynamic weights (${layer.name})`,
        );
      }
      if (numOutput <= 0 || weightDataSize <= 0 || weightDataSize % numOutput !== 0) {
        throw formatError(`Layer ${layer.name} (line ${layer.line}): bad num_output ${numOutput} / weight_data_size ${weightDataSize}.`);
      }
      const weight = reader.tagged(weightDataSize, layer);
      const bias = biasTerm ? reader.float32(numOutput, layer) : null;
      return { type: 'Convolution', weight, bias };
    }
    case 'PReLU': {
      const numSlope = paramInt(layer, 0, 0);
      if (numSlope <= 0) throw formatError(`Layer ${layer.name} (line ${layer.line}): bad num_slope ${numSlope}.`);
      return { type: 'PReLU', slope: reader.float32(numSlope, layer) };
    }
    default:
      return null; // Input, Split, Concat, Eltwise, BinaryOp, Interp, PixelShuffle: no weights
  }
}

class BinReader {
  private offset = 0;
  private readonly view: DataView;

  constructor(private readonly bin: Uint8Array) {
    this.view = new DataView(bin.buffer, bin.byteOffset, bin.byteLength);
  }

  get remaining(): number {
    return this.bin.length - this.offset;
  }

  /** `count` raw little-endian fp32 values, no tag. */
  float32(count: number, layer: NcnnLayer): Float32Array {
    const start = this.take(count * 4, layer);
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = this.view.getFloat32(start + i * 4, true);
    return out;
  }

  /** A tag, then `count` values in the format the tag names. */
  tagged(count: number, layer: NcnnLayer): Float32Array {
    const tag = this.view.getUint32(this.take(4, layer), true);
    if (tag === TAG_FP32) return this.float32(count, layer);
    if (tag !== TAG_FP16) {
      throw formatError(
        `Layer ${layer.name} (line ${layer.line}): weight storage tag 0x${tag.toString(16).padStart(8, '0')} is not supported (only fp16 and fp32 are).`,
      );
    }
    // fp16 arrays are padded so that what follows stays 4-byte aligned.
    const start = this.take(alignTo4(count * 2), layer);
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = float16ToFloat32(this.view.getUint16(start + i * 2, true));
    return out;
  }

  /** Claims `n` bytes and returns where they start. */
  private take(n: number, layer: NcnnLayer): number {
    if (n > this.remaining) {
      throw formatError(
        `The weights file is too short: layer ${layer.name} (line ${layer.line}) needs ${n} bytes at offset ${this.offset}, but only ${this.remaining} are left.`,
      );
    }
    const start = this.offset;
    this.offset += n;
    return start;
  }
}

function alignTo4(n: number): number {
  return (n + 3) & ~3;
}

// ---- IEEE 754 half precision ---------------------------------------------------------------

let halfTable: Float32Array | undefined;

/** Decodes one IEEE half (given as its 16 bits) to a number; exact, including subnormals. */
export function float16ToFloat32(bits: number): number {
  halfTable ??= buildHalfTable();
  return halfTable[bits & 0xffff];
}

function buildHalfTable(): Float32Array {
  const table = new Float32Array(65536);
  for (let bits = 0; bits < 65536; bits++) {
    const sign = bits & 0x8000 ? -1 : 1;
    const exponent = (bits >> 10) & 0x1f;
    const fraction = bits & 0x3ff;
    if (exponent === 0) table[bits] = sign * fraction * 2 ** -24; // zero / subnormal
    else if (exponent === 31) table[bits] = fraction ? NaN : sign * Infinity;
    else table[bits] = sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
  }
  return table;
}
