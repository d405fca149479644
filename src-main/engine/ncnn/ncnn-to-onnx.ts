// ncnn (.param + .bin) -> ONNX, for the Real-ESRGAN family of models: the project's own
// converter, so that the app can ship the upstream ncnn weights and run them on ONNX Runtime.
//
// ncnn blobs are (C, H, W) for batch 1; the ONNX graph is NCHW with N = 1, so an ncnn channel axis
// is ONNX axis 1. Along the way we track, per blob, its channel count and its spatial scale
// relative to the input; this checks the weights against the graph and yields the model's
// upscale factor without trusting file names. Pure TypeScript: no Node built-ins.

import { EngineError } from '../common/errors';
import { GraphBuilder, attr, encodeModel, float32Tensor } from '../onnx/onnx-builder';
import type { AttributeValue } from '../onnx/onnx-builder';
import { formatError, paramArray, paramFloat, paramInt, parseNcnnParam } from './ncnn-param';
import type { NcnnLayer, NcnnModelParam } from './ncnn-param';
import { countParameters, readNcnnWeights } from './ncnn-weights';
import type { LayerWeights } from './ncnn-weights';

export interface NcnnToOnnxResult {
  onnx: Uint8Array;
  inputName: 'input';
  outputName: 'output';
  /** Output size / input size, e.g. 4 for the x4 models. */
  scale: number;
  parameterCount: number;
}

/** What we know of an ncnn blob once it has an ONNX tensor. */
interface BlobInfo {
  /** Its ONNX tensor; '' for a channel concatenation not made yet (`concat`). */
  name: string;
  channels: number;
  scaleH: number;
  scaleW: number;
  /**
   * A channel concatenation of `parts`, made (a Concat node, `name` set) only when a layer other
   * than a convolution reads it: a convolution reads the parts themselves (Converter.convolution).
   */
  concat?: { blob: string; layer: NcnnLayer; parts: BlobInfo[] };
}

export function convertNcnnToOnnx(paramText: string, bin: Uint8Array, options: { modelName?: string } = {}): NcnnToOnnxResult {
  const model = parseNcnnParam(paramText);
  const weights = readNcnnWeights(model, bin); // refuses unknown layer types, naming them all
  const graph = new GraphBuilder(options.modelName ?? 'ncnn-model');
  graph.addInput({ name: 'input', elementType: 'float32', shape: [1, 3, 'height', 'width'] });
  graph.claim('output');
  const converter = new Converter(graph, findOutputBlob(model));
  model.layers.forEach((layer, i) => converter.layer(layer, weights[i]));

  const out = converter.blob(converter.outputBlob);
  converter.materialize(out);
  if (out.name !== 'output') graph.addNode({ opType: 'Identity', inputs: [out.name], outputs: ['output'] });
  graph.addOutput({ name: 'output', elementType: 'float32', shape: [1, 3, 'out_height', 'out_width'] });
  if (out.channels !== 3) throw unsupported(`an output with ${out.channels} channels (only RGB models are)`);
  if (!sameScale(out.scaleH, out.scaleW)) throw formatError(`The model scales height by ${out.scaleH} but width by ${out.scaleW}.`);

  const onnx = encodeModel({
    graph,
    producerName: 'PURE Studio ncnn-to-onnx',
    docString: `Converted from the ncnn model ${options.modelName ?? ''}`.trim(),
    metadata: { source_format: 'ncnn', scale: String(out.scaleH) },
  });
  return { onnx, inputName: 'input', outputName: 'output', scale: out.scaleH, parameterCount: countParameters(weights) };
}

/** The one blob no layer consumes (Split fan-outs left unused do not count). */
function findOutputBlob(model: NcnnModelParam): string {
  const consumed = new Set(model.layers.flatMap((l) => l.inputs));
  const dangling = (skipSplit: boolean) =>
    model.layers.filter((l) => !(skipSplit && l.type === 'Split')).flatMap((l) => l.outputs.filter((b) => !consumed.has(b)));
  const candidates = dangling(true).length > 0 ? dangling(true) : dangling(false);
  if (candidates.length !== 1) {
    throw unsupported(`a graph with ${candidates.length} outputs (${candidates.join(', ')}); exactly one is needed`);
  }
  return candidates[0];
}

function unsupported(what: string): EngineError {
  return new EngineError(
    'UNSUPPORTED_LAYER',
    `The model uses a feature the converter does not support: ${what}.`,
    'Only Real-ESRGAN-style ncnn models can be converted. Choose another model.',
  );
}

function sameScale(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
}

const BINARY_OPS: readonly { op: string; swap: boolean }[] = [
  { op: 'Add', swap: false }, // 0
  { op: 'Sub', swap: false }, // 1
  { op: 'Mul', swap: false }, // 2
  { op: 'Div', swap: false }, // 3
  { op: 'Max', swap: false }, // 4
  { op: 'Min', swap: false }, // 5
  { op: 'Pow', swap: false }, // 6
  { op: 'Sub', swap: true }, // 7 rsub: b - a
  { op: 'Div', swap: true }, // 8 rdiv: b / a
];

class Converter {
  private readonly blobs = new Map<string, BlobInfo>();
  private sawInput = false;

  constructor(
    private readonly graph: GraphBuilder,
    readonly outputBlob: string,
  ) {}

  blob(name: string): BlobInfo {
    const info = this.blobs.get(name);
    if (!info) throw formatError(`Blob '${name}' is used before it is made.`);
    return info;
  }

  layer(layer: NcnnLayer, weights: LayerWeights | null): void {
    const ins = layer.inputs.map((b) => this.blob(b));
    // Only these read a concatenation's parts; every other layer needs the tensor itself.
    if (layer.type !== 'Convolution' && layer.type !== 'Concat' && layer.type !== 'Split') for (const b of ins) this.materialize(b);
    // Checks the blob counts: `minIn`..`maxIn` inputs and `nOut` outputs.
    const arity = (minIn: number, maxIn: number, nOut: number) => {
      if (ins.length < minIn || ins.length > maxIn || layer.outputs.length !== nOut) {
        const inputs = minIn === maxIn ? `${minIn}` : `${minIn} or more`;
        throw formatError(`Layer ${layer.name} (line ${layer.line}): ${layer.type} needs ${inputs} input(s) and ${nOut} output(s).`);
      }
    };
    switch (layer.type) {
      case 'Input': {
        arity(0, 0, 1);
        if (this.sawInput) throw unsupported('several Input layers');
        const channels = paramInt(layer, 2, 0); // 0=w 1=h 2=c, all optional
        if (channels !== 0 && channels !== 3) throw unsupported(`an input with ${channels} channels (only RGB models are)`);
        this.sawInput = true;
        return this.define(layer.outputs[0], { name: 'input', channels: 3, scaleH: 1, scaleW: 1 });
      }
      case 'Split':
        arity(1, 1, layer.outputs.length);
        for (const out of layer.outputs) this.define(out, ins[0]); // fan-out: same tensor, new names
        return;
      case 'Convolution':
        arity(1, 1, 1);
        return this.convolution(layer, ins[0], weights);
      case 'PReLU': {
        arity(1, 1, 1);
        if (weights?.type !== 'PReLU') throw formatError(`Layer ${layer.name}: missing slopes.`);
        const slope = weights.slope;
        if (slope.length !== 1 && slope.length !== ins[0].channels) {
          throw formatError(`Layer ${layer.name}: ${slope.length} slopes for ${ins[0].channels} channels.`);
        }
        // slope: (C, 1, 1) broadcasts over NCHW; a single slope is a scalar.
        const dims = slope.length === 1 ? [] : [slope.length, 1, 1];
        const s = this.graph.addInitializer(float32Tensor(`${layer.name}.slope`, dims, slope));
        return this.emit(layer, 'PRelu', [ins[0].name, s], ins[0]);
      }
      case 'Concat': {
        arity(1, Infinity, 1);
        const axis = paramInt(layer, 0, 0);
        if (axis !== 0 && axis !== -3) throw unsupported(`Concat along axis ${axis} (only channels)`);
        this.sameSize(layer, ins);
        const channels = ins.reduce((sum, b) => sum + b.channels, 0);
        // Not made yet: a concatenation of concatenations is one of all their parts.
        const parts = ins.flatMap((b) => (b.concat && !b.name ? b.concat.parts : [b]));
        return this.define(layer.outputs[0], { name: '', channels, scaleH: ins[0].scaleH, scaleW: ins[0].scaleW, concat: { blob: layer.outputs[0], layer, parts } });
      }
      case 'Eltwise':
        arity(2, Infinity, 1);
        return this.eltwise(layer, ins);
      case 'BinaryOp':
        return this.binaryOp(layer, ins);
      case 'Interp':
        arity(1, 1, 1);
        return this.interp(layer, ins[0]);
      case 'PixelShuffle': {
        arity(1, 1, 1);
        const r = paramInt(layer, 0, 1);
        const mode = paramInt(layer, 1, 0);
        if (r < 1 || ins[0].channels % (r * r) !== 0 || (mode !== 0 && mode !== 1)) {
          throw formatError(`Layer ${layer.name}: bad PixelShuffle (factor ${r}, mode ${mode}, ${ins[0].channels} channels).`);
        }
        // ncnn mode 0 takes channel c*r*r + dy*r + dx, as PyTorch does: DepthToSpace CRD.
        const info = { name: '', channels: ins[0].channels / (r * r), scaleH: ins[0].scaleH * r, scaleW: ins[0].scaleW * r };
        return this.emit(layer, 'DepthToSpace', [ins[0].name], info, {
          blocksize: attr.int(r),
          mode: attr.string(mode === 0 ? 'CRD' : 'DCR'),
        });
      }
      default:
        throw unsupported(`layer type ${layer.type}`); // readNcnnWeights already refused it
    }
  }

  private convolution(layer: NcnnLayer, input: BlobInfo, weights: LayerWeights | null): void {
    if (weights?.type !== 'Convolution') throw formatError(`Layer ${layer.name}: missing weights.`);
    const out = paramInt(layer, 0, 0);
    const kw = paramInt(layer, 1, 0);
    const kh = paramInt(layer, 11, kw);
    const dw = paramInt(layer, 2, 1);
    const dh = paramInt(layer, 12, dw);
    const sw = paramInt(layer, 3, 1);
    const sh = paramInt(layer, 13, sw);
    const padLeft = paramInt(layer, 4, 0);
    const padRight = paramInt(layer, 15, padLeft);
    const padTop = paramInt(layer, 14, padLeft);
    const padBottom = paramInt(layer, 16, padTop);
    if ([padLeft, padRight, padTop, padBottom].some((p) => p < 0)) throw unsupported(`Convolution with automatic padding (${layer.name})`);
    if (paramFloat(layer, 18, 0) !== 0) throw unsupported(`Convolution with a non-zero pad value (${layer.name})`);
    if (kw < 1 || kh < 1 || dw < 1 || dh < 1 || sw < 1 || sh < 1) throw formatError(`Layer ${layer.name}: bad kernel, dilation or stride.`);
    const inChannels = weights.weight.length / (out * kh * kw);
    if (inChannels !== input.channels) {
      throw formatError(`Layer ${layer.name}: its weights expect ${inChannels} input channels, the blob has ${input.channels}.`);
    }

    const info = { name: '', channels: out, scaleH: input.scaleH / sh, scaleW: input.scaleW / sw };
    const attributes = {
      kernel_shape: attr.ints([kh, kw]),
      strides: attr.ints([sh, sw]),
      pads: attr.ints([padTop, padLeft, padBottom, padRight]),
      dilations: attr.ints([dh, dw]),
    };
    const activation = paramInt(layer, 9, 0);
    const params = paramArray(layer, 10) ?? [];

    // A convolution over a channel concatenation is the sum of convolutions over its parts, each
    // with its slice of the weights: the concatenated copy is never made. In x4plus's dense blocks
    // (64 + 4 x 32 channels into 96-192-channel copies) that is ~20% less memory per pixel held
    // at once, and no slower (scripts/concat-free-rrdb.experiment.ts, docs/tiling.md).
    const parts = input.concat && !input.name ? input.concat.parts : [input];
    const bias = weights.bias && this.graph.addInitializer(float32Tensor(`${layer.name}.bias`, [out], weights.bias));
    let offset = 0;
    const termInputs = parts.map((part, i) => {
      // weights: (out, in, kh, kw) fp32, the layout ONNX Conv wants too; a part takes in[offset, offset + its channels)
      const slice = parts.length === 1 ? weights.weight : sliceInputChannels(weights.weight, out, inChannels, kh * kw, offset, part.channels);
      offset += part.channels;
      const name = parts.length === 1 ? `${layer.name}.weight` : `${layer.name}.weight.part${i}`;
      const w = this.graph.addInitializer(float32Tensor(name, [out, part.channels, kh, kw], slice));
      return i === 0 && bias ? [part.name, w, bias] : [part.name, w];
    });
    const last = parts.length - 1;
    let conv: string | undefined;
    for (const [i, inputs] of termInputs.entries()) {
      const op = i === 0 ? { type: 'Conv', inputs, attributes } : { type: 'Add', inputs: [conv!, this.temp(layer, 'Conv', inputs, `conv${i}`, attributes)], attributes: {} };
      if (i === last && activation === 0) return this.emit(layer, op.type, op.inputs, info, op.attributes);
      conv = this.temp(layer, op.type, op.inputs, i === 0 ? (last === 0 ? 'conv' : 'conv0') : `sum${i}`, op.attributes);
    }
    if (conv === undefined) throw formatError(`Layer ${layer.name}: nothing to convolve.`);
    if (activation === 1) return this.emit(layer, 'Relu', [conv], info);
    if (activation === 2) return this.emit(layer, 'LeakyRelu', [conv], info, { alpha: attr.float(params[0] ?? 0) });
    if (activation === 3) {
      const min = this.graph.addInitializer(float32Tensor(`${layer.name}.min`, [], [params[0] ?? -Infinity]));
      const max = this.graph.addInitializer(float32Tensor(`${layer.name}.max`, [], [params[1] ?? Infinity]));
      return this.emit(layer, 'Clip', [conv, min, max], info);
    }
    if (activation === 4) return this.emit(layer, 'Sigmoid', [conv], info);
    throw unsupported(`Convolution activation type ${activation} (${layer.name})`);
  }

  private eltwise(layer: NcnnLayer, ins: BlobInfo[]): void {
    this.sameShape(layer, ins);
    const op = paramInt(layer, 0, 0); // 0 prod, 1 sum, 2 max
    if (op === 2) return this.emit(layer, 'Max', ins.map((b) => b.name), ins[0]);
    if (op !== 0 && op !== 1) throw unsupported(`Eltwise operation ${op} (${layer.name})`);
    const coeffs = op === 1 ? (paramArray(layer, 1) ?? []) : [];
    if (coeffs.length !== 0 && coeffs.length !== ins.length) throw formatError(`Layer ${layer.name}: ${coeffs.length} coefficients for ${ins.length} inputs.`);
    // sum with coefficients: out = sum(coeff[i] * in[i]); a coefficient of 1 needs no Mul.
    const terms = ins.map((b, i) => {
      if (coeffs.length === 0 || coeffs[i] === 1) return b.name;
      const c = this.graph.addInitializer(float32Tensor(`${layer.name}.coeff${i}`, [], [coeffs[i]]));
      return this.temp(layer, 'Mul', [b.name, c], `term${i}`);
    });
    const pairOp = op === 1 ? 'Add' : 'Mul';
    let acc = terms[0];
    for (let i = 1; i < terms.length - 1; i++) acc = this.temp(layer, pairOp, [acc, terms[i]], `acc${i}`);
    this.emit(layer, pairOp, [acc, terms[terms.length - 1]], ins[0]);
  }

  private binaryOp(layer: NcnnLayer, ins: BlobInfo[]): void {
    const op = paramInt(layer, 0, 0);
    const withScalar = paramInt(layer, 1, 0) !== 0;
    const spec = BINARY_OPS[op];
    if (!spec) throw unsupported(`BinaryOp operation ${op} (${layer.name})`);
    if (layer.outputs.length !== 1 || ins.length !== (withScalar ? 1 : 2)) {
      throw formatError(`Layer ${layer.name} (line ${layer.line}): BinaryOp needs ${withScalar ? 1 : 2} input(s) and 1 output.`);
    }
    // ncnn broadcasting rules differ from ONNX's; only equal shapes are converted.
    this.sameShape(layer, ins);
    const b = withScalar ? this.graph.addInitializer(float32Tensor(`${layer.name}.b`, [], [paramFloat(layer, 2, 0)])) : ins[1].name;
    const operands = spec.swap ? [b, ins[0].name] : [ins[0].name, b];
    this.emit(layer, spec.op, operands, ins[0]);
  }

  private interp(layer: NcnnLayer, input: BlobInfo): void {
    const type = paramInt(layer, 0, 0); // 1 nearest, 2 bilinear, 3 bicubic
    const hs = paramFloat(layer, 1, 1);
    const ws = paramFloat(layer, 2, 1);
    const alignCorner = paramInt(layer, 6, 0) !== 0;
    if (paramInt(layer, 3, 0) || paramInt(layer, 4, 0) || paramInt(layer, 5, 0)) throw unsupported(`Interp to a fixed size (${layer.name})`);
    if (type !== 1 && type !== 2) throw unsupported(`Interp mode ${type} (${layer.name})`);
    if (!(hs > 0 && ws > 0)) throw formatError(`Layer ${layer.name}: bad Interp scales ${hs}, ${ws}.`);
    // scales: (4) over NCHW
    const scales = this.graph.addInitializer(float32Tensor(`${layer.name}.scales`, [4], [1, 1, hs, ws]));
    const attributes: Record<string, AttributeValue> =
      type === 1
        ? // ncnn nearest reads source pixel floor(x / scale)
          { mode: attr.string('nearest'), coordinate_transformation_mode: attr.string('asymmetric'), nearest_mode: attr.string('floor') }
        : { mode: attr.string('linear'), coordinate_transformation_mode: attr.string(alignCorner ? 'align_corners' : 'half_pixel') };
    const info = { ...input, scaleH: input.scaleH * hs, scaleW: input.scaleW * ws };
    this.emit(layer, 'Resize', [input.name, '', scales], info, attributes);
  }

  /** Makes a channel concatenation's Concat node, once, for a reader that needs the tensor itself. */
  materialize(info: BlobInfo): void {
    if (info.name || !info.concat) return;
    const { blob, layer, parts } = info.concat;
    info.name = blob === this.outputBlob ? 'output' : this.graph.uniqueName(blob);
    this.addNode(layer, 'Concat', parts.map((p) => p.name), info.name, { axis: attr.int(1) });
  }

  /** Emits the node that makes the layer's output blob. */
  private emit(layer: NcnnLayer, opType: string, inputs: string[], info: BlobInfo, attributes: Record<string, AttributeValue> = {}): void {
    const blob = layer.outputs[0];
    const name = blob === this.outputBlob ? 'output' : this.graph.uniqueName(blob);
    this.addNode(layer, opType, inputs, name, attributes);
    this.define(blob, { ...info, name });
  }

  /** Emits a node whose output is an intermediate tensor of the layer; returns its name. */
  private temp(layer: NcnnLayer, opType: string, inputs: string[], suffix: string, attributes: Record<string, AttributeValue> = {}): string {
    const name = this.graph.uniqueName(`${layer.outputs[0]}_${suffix}`);
    this.addNode(layer, opType, inputs, name, attributes);
    return name;
  }

  private addNode(layer: NcnnLayer, opType: string, inputs: string[], output: string, attributes: Record<string, AttributeValue>): void {
    this.graph.addNode({ opType, inputs, outputs: [output], name: this.graph.uniqueName(`${layer.name}/${opType}`), attributes });
  }

  private define(blob: string, info: BlobInfo): void {
    this.blobs.set(blob, info); // a Split defines several blobs with the same tensor
  }

  private sameSize(layer: NcnnLayer, ins: BlobInfo[]): void {
    for (const b of ins) {
      if (!sameScale(b.scaleH, ins[0].scaleH) || !sameScale(b.scaleW, ins[0].scaleW)) {
        throw formatError(`Layer ${layer.name} (line ${layer.line}): its inputs have different sizes.`);
      }
    }
  }

  private sameShape(layer: NcnnLayer, ins: BlobInfo[]): void {
    this.sameSize(layer, ins);
    if (ins.some((b) => b.channels !== ins[0].channels)) {
      throw formatError(`Layer ${layer.name} (line ${layer.line}): its inputs have different channel counts.`);
    }
  }
}

/** (out, in, k) weights -> (out, count, k): input channels [from, from + count) of each output channel. */
function sliceInputChannels(weight: Float32Array, out: number, inChannels: number, k: number, from: number, count: number): Float32Array {
  const slice = new Float32Array(out * count * k);
  for (let o = 0; o < out; o++) slice.set(weight.subarray((o * inChannels + from) * k, (o * inChannels + from + count) * k), o * count * k);
  return slice;
}
