// A small typed builder for ONNX models, written straight to protobuf (see protobuf-writer).
// Generic on purpose: the ncnn converter uses it today, transformer graphs will later.
// Field numbers are those of onnx.proto (ModelProto, GraphProto, NodeProto, TensorProto, ...).
// Pure TypeScript: no Node built-ins.

import { ProtoWriter } from './protobuf-writer';

export const IR_VERSION = 8;
export const DEFAULT_OPSET = 17;

// ---- tensors -------------------------------------------------------------------------------

/** TensorProto.DataType values for the element types we write. */
const DATA_TYPE = { float32: 1, uint8: 2, int8: 3, int32: 6, int64: 7, bool: 9, float16: 10, float64: 11 } as const;
export type ElementType = keyof typeof DATA_TYPE;

/** Tensor contents; float16 is given as raw IEEE half bits. */
export type TensorValues =
  | { type: 'float32'; data: Float32Array }
  | { type: 'float16'; data: Uint16Array }
  | { type: 'uint8'; data: Uint8Array }
  | { type: 'int8'; data: Uint8Array } // two's complement bytes (QLinearConv's s8 weights)
  | { type: 'bool'; data: Uint8Array } // 0 or 1 per element
  | { type: 'float64'; data: Float64Array }
  | { type: 'int32'; data: Int32Array }
  | { type: 'int64'; data: BigInt64Array };

/**
 * Where a tensor's bytes go: 'inline' (TensorProto.raw_data, field 9), or 'external' for models
 * over protobuf's 2 GiB limit: the bytes live in a side file (written by the caller, see
 * external-data.ts) and the TensorProto only says where: external_data (field 13, key/value
 * entries "location", "offset", "length") and data_location = EXTERNAL (field 14, value 1).
 * `location` is relative to the directory of the .onnx file, as ONNX requires.
 */
export type TensorStorage = { kind: 'inline' } | ExternalStorage;

export interface ExternalStorage {
  kind: 'external';
  location: string;
  /** Byte offset of the tensor's little-endian bytes in the side file. */
  offset: number;
  /** Byte length; must equal element count x element size. */
  length: number;
}

/** Bytes per element of each element type. */
export const ELEMENT_SIZE: Readonly<Record<ElementType, number>> = { float32: 4, uint8: 1, int8: 1, int32: 4, int64: 8, bool: 1, float16: 2, float64: 8 };

export interface TensorSpec {
  name: string;
  dims: readonly number[];
  values: TensorValues;
  storage?: TensorStorage;
}

export function float32Tensor(name: string, dims: readonly number[], data: Float32Array | readonly number[]): TensorSpec {
  return { name, dims, values: { type: 'float32', data: data instanceof Float32Array ? data : Float32Array.from(data) } };
}

/** Empty typed arrays, one per element type, for tensors whose bytes are stored elsewhere. */
function emptyValues(type: ElementType): TensorValues {
  switch (type) {
    case 'float32':
      return { type, data: new Float32Array(0) };
    case 'float16':
      return { type, data: new Uint16Array(0) };
    case 'uint8':
    case 'int8':
    case 'bool':
      return { type, data: new Uint8Array(0) };
    case 'float64':
      return { type, data: new Float64Array(0) };
    case 'int32':
      return { type, data: new Int32Array(0) };
    case 'int64':
      return { type, data: new BigInt64Array(0) };
  }
}

/**
 * A tensor whose bytes are already in an external data file: the spec holds no data (its
 * `values` array is empty and only carries the element type), so a huge model can be described
 * while its weights are streamed to disk one by one.
 */
export function externalTensor(name: string, dims: readonly number[], type: ElementType, storage: Omit<ExternalStorage, 'kind'>): TensorSpec {
  return { name, dims, values: emptyValues(type), storage: { kind: 'external', ...storage } };
}

/** The bytes ONNX stores for a tensor (little-endian); a view when the host is little-endian. */
export function tensorBytes(values: TensorValues): Uint8Array {
  return littleEndianBytes(values);
}

export function int64Tensor(name: string, dims: readonly number[], data: readonly (number | bigint)[]): TensorSpec {
  return { name, dims, values: { type: 'int64', data: BigInt64Array.from(data, (v) => BigInt(v)) } };
}

// ---- attributes ----------------------------------------------------------------------------

/** Explicitly typed attribute values: a JS number alone cannot say whether it is INT or FLOAT. */
export type AttributeValue =
  | { type: 'int'; value: number }
  | { type: 'float'; value: number }
  | { type: 'string'; value: string }
  | { type: 'ints'; value: readonly number[] }
  | { type: 'floats'; value: readonly number[] }
  | { type: 'tensor'; value: TensorSpec };

export const attr = {
  int: (value: number): AttributeValue => ({ type: 'int', value }),
  float: (value: number): AttributeValue => ({ type: 'float', value }),
  string: (value: string): AttributeValue => ({ type: 'string', value }),
  ints: (value: readonly number[]): AttributeValue => ({ type: 'ints', value }),
  floats: (value: readonly number[]): AttributeValue => ({ type: 'floats', value }),
  tensor: (value: TensorSpec): AttributeValue => ({ type: 'tensor', value }),
};

/** AttributeProto.AttributeType values. */
const ATTRIBUTE_TYPE = { float: 1, int: 2, string: 3, tensor: 4, floats: 6, ints: 7 } as const;

// ---- graph ---------------------------------------------------------------------------------

/** A dimension: a fixed size, or a symbolic name (dim_param) for dynamic sizes. */
export type Dim = number | string;

export interface ValueInfoSpec {
  name: string;
  elementType: ElementType;
  shape: readonly Dim[];
}

export interface NodeSpec {
  opType: string;
  /** '' marks an omitted optional input (e.g. Resize's roi). */
  inputs: readonly string[];
  outputs: readonly string[];
  name?: string;
  domain?: string;
  attributes?: Readonly<Record<string, AttributeValue>>;
}

export class GraphBuilder {
  readonly nodes: NodeSpec[] = [];
  readonly initializers: TensorSpec[] = [];
  readonly inputs: ValueInfoSpec[] = [];
  readonly outputs: ValueInfoSpec[] = [];
  private readonly usedNames = new Set<string>();

  constructor(readonly name: string) {}

  /** Claims `base`, or `base_1`, `base_2`... if taken, and returns the claimed name. */
  uniqueName(base: string): string {
    let name = base;
    for (let i = 1; this.usedNames.has(name); i++) name = `${base}_${i}`;
    this.usedNames.add(name);
    return name;
  }

  addInput(info: ValueInfoSpec): string {
    this.claim(info.name);
    this.inputs.push(info);
    return info.name;
  }

  /** Declares a graph output; its name must be produced by a node (or be an input). */
  addOutput(info: ValueInfoSpec): string {
    this.outputs.push(info);
    return info.name;
  }

  /** Adds a constant tensor; returns its (unique) name. */
  addInitializer(tensor: TensorSpec): string {
    const name = this.uniqueName(tensor.name);
    this.initializers.push({ ...tensor, name });
    return name;
  }

  addNode(node: NodeSpec): void {
    this.nodes.push(node);
  }

  /** Claims exactly `name` (e.g. a fixed graph output name); throws if it is taken. */
  claim(name: string): void {
    if (this.usedNames.has(name)) throw new Error(`duplicate tensor name '${name}'`);
    this.usedNames.add(name);
  }
}

export interface ModelSpec {
  graph: GraphBuilder;
  producerName?: string;
  producerVersion?: string;
  docString?: string;
  /** Operator sets; defaults to the default domain at DEFAULT_OPSET. */
  opsetImports?: readonly { domain: string; version: number }[];
  metadata?: Readonly<Record<string, string>>;
}

// ---- encoding ------------------------------------------------------------------------------

/** Serialises a model to ONNX protobuf bytes. */
export function encodeModel(model: ModelSpec): Uint8Array {
  const w = new ProtoWriter();
  w.int64(1, IR_VERSION); // ir_version
  if (model.producerName) w.string(2, model.producerName);
  if (model.producerVersion) w.string(3, model.producerVersion);
  if (model.docString) w.string(6, model.docString);
  w.message(7, encodeGraph(model.graph));
  for (const opset of model.opsetImports ?? [{ domain: '', version: DEFAULT_OPSET }]) {
    const o = new ProtoWriter();
    if (opset.domain) o.string(1, opset.domain);
    o.int64(2, opset.version);
    w.message(8, o); // opset_import
  }
  for (const [key, value] of Object.entries(model.metadata ?? {})) {
    w.message(14, new ProtoWriter().string(1, key).string(2, value)); // metadata_props
  }
  return w.finish();
}

function encodeGraph(graph: GraphBuilder): ProtoWriter {
  const w = new ProtoWriter();
  for (const node of graph.nodes) w.message(1, encodeNode(node));
  w.string(2, graph.name);
  for (const tensor of graph.initializers) w.message(5, encodeTensor(tensor));
  for (const input of graph.inputs) w.message(11, encodeValueInfo(input));
  for (const output of graph.outputs) w.message(12, encodeValueInfo(output));
  return w;
}

function encodeNode(node: NodeSpec): ProtoWriter {
  const w = new ProtoWriter();
  for (const input of node.inputs) w.string(1, input);
  for (const output of node.outputs) w.string(2, output);
  if (node.name) w.string(3, node.name);
  w.string(4, node.opType);
  for (const [name, value] of Object.entries(node.attributes ?? {})) w.message(5, encodeAttribute(name, value));
  if (node.domain) w.string(7, node.domain);
  return w;
}

function encodeAttribute(name: string, a: AttributeValue): ProtoWriter {
  const w = new ProtoWriter().string(1, name).uint(20, ATTRIBUTE_TYPE[a.type]);
  switch (a.type) {
    case 'float':
      return w.float(2, a.value);
    case 'int':
      return w.int64(3, a.value);
    case 'string':
      return w.string(4, a.value);
    case 'tensor':
      return w.message(5, encodeTensor(a.value));
    case 'floats':
      return w.packedFloat(7, a.value);
    case 'ints':
      return w.packedInt64(8, a.value);
  }
}

function encodeValueInfo(info: ValueInfoSpec): ProtoWriter {
  const shape = new ProtoWriter();
  for (const dim of info.shape) {
    const d = new ProtoWriter();
    if (typeof dim === 'number') d.int64(1, dim); // dim_value
    else d.string(2, dim); // dim_param
    shape.message(1, d);
  }
  const tensorType = new ProtoWriter().int64(1, DATA_TYPE[info.elementType]).message(2, shape);
  const type = new ProtoWriter().message(1, tensorType); // TypeProto.tensor_type
  return new ProtoWriter().string(1, info.name).message(2, type);
}

export function encodeTensor(tensor: TensorSpec): ProtoWriter {
  const { values } = tensor;
  const count = tensor.dims.reduce((a, b) => a * b, 1);
  const storage = tensor.storage ?? { kind: 'inline' };
  if (storage.kind === 'inline' && values.data.length !== count) {
    throw new Error(`tensor '${tensor.name}': dims [${tensor.dims.join(', ')}] need ${count} values, got ${values.data.length}`);
  }
  if (storage.kind === 'external' && storage.length !== count * ELEMENT_SIZE[values.type]) {
    throw new Error(`tensor '${tensor.name}': dims [${tensor.dims.join(', ')}] need ${count * ELEMENT_SIZE[values.type]} external bytes, got ${storage.length}`);
  }
  const w = new ProtoWriter();
  if (tensor.dims.length > 0) w.packedInt64(1, tensor.dims); // dims
  w.int64(2, DATA_TYPE[values.type]); // data_type
  w.string(8, tensor.name);
  switch (storage.kind) {
    case 'inline':
      w.bytes(9, littleEndianBytes(values)); // raw_data
      break;
    case 'external': {
      // StringStringEntryProto: key = 1, value = 2; offsets and lengths are decimal strings.
      const entries: [string, string][] = [
        ['location', storage.location],
        ['offset', String(storage.offset)],
        ['length', String(storage.length)],
      ];
      for (const [key, value] of entries) w.message(13, new ProtoWriter().string(1, key).string(2, value)); // external_data
      w.uint(14, 1); // data_location = EXTERNAL
      break;
    }
  }
  return w;
}

const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** raw_data is little-endian by definition; on LE hosts this is a view, not a copy. */
function littleEndianBytes(values: TensorValues): Uint8Array {
  const { data } = values;
  if (HOST_IS_LITTLE_ENDIAN) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(data.byteLength);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) {
    switch (values.type) {
      case 'float32':
        view.setFloat32(i * 4, values.data[i], true);
        break;
      case 'float16':
        view.setUint16(i * 2, values.data[i], true);
        break;
      case 'uint8':
    case 'int8':
      case 'bool':
        view.setUint8(i, values.data[i]);
        break;
      case 'float64':
        view.setFloat64(i * 8, values.data[i], true);
        break;
      case 'int32':
        view.setInt32(i * 4, values.data[i], true);
        break;
      case 'int64':
        view.setBigInt64(i * 8, values.data[i], true);
        break;
    }
  }
  return out;
}
