// Splits an ONNX model in two at one tensor: a "body" graph (the model's input -> that tensor)
// and a "head" graph (that tensor -> the model's output), each a complete model. Used to tile the
// two halves of an upscaler differently (realesrgan-split.ts): the deep part that runs at input
// resolution on big tiles, the cheap upsampling tail, whose tensors are 16x larger, on small ones.
//
// It reads just enough of the protobuf wire format to pick nodes and initializers, and copies
// everything it keeps byte for byte (weights included), so the halves compute exactly what the
// whole did. Pure TypeScript: no Node built-ins.
import { ProtoWriter, WireType } from './protobuf-writer';

/** One field of a protobuf message, with where its bytes are. */
interface Field {
  field: number;
  wire: number;
  /** The whole field, key included: [start, end) of the message's bytes. */
  raw: Uint8Array;
  /** Length-delimited fields: the value's bytes. */
  value?: Uint8Array;
  /** Varint fields. */
  varint?: number;
}

function readVarint(bytes: Uint8Array, pos: number): { value: number; pos: number } {
  let value = 0;
  let mul = 1;
  for (;;) {
    if (pos >= bytes.length) throw new Error('truncated protobuf varint');
    const b = bytes[pos++];
    value += (b & 0x7f) * mul;
    if (b < 0x80) return { value, pos };
    mul *= 128;
    if (mul > 2 ** 70) throw new Error('bad protobuf varint');
  }
}

/** The fields of one message, in order (no nesting: a sub-message is a length-delimited value). */
export function readFields(bytes: Uint8Array): Field[] {
  const fields: Field[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const start = pos;
    const key = readVarint(bytes, pos);
    pos = key.pos;
    const field = Math.floor(key.value / 8);
    const wire = key.value % 8;
    let value: Uint8Array | undefined;
    let varint: number | undefined;
    if (wire === WireType.Varint) {
      const v = readVarint(bytes, pos);
      varint = v.value;
      pos = v.pos;
    } else if (wire === WireType.Fixed64) pos += 8;
    else if (wire === WireType.Fixed32) pos += 4;
    else if (wire === WireType.LengthDelimited) {
      const len = readVarint(bytes, pos);
      value = bytes.subarray(len.pos, len.pos + len.value);
      pos = len.pos + len.value;
    } else throw new Error(`unsupported protobuf wire type ${wire}`);
    if (pos > bytes.length) throw new Error('truncated protobuf message');
    fields.push({ field, wire, raw: bytes.subarray(start, pos), value, varint });
  }
  return fields;
}

const decoder = new TextDecoder();
const strings = (fields: Field[], n: number): string[] => fields.filter((f) => f.field === n && f.value).map((f) => decoder.decode(f.value));

interface NodeInfo {
  raw: Uint8Array;
  inputs: string[];
  outputs: string[];
  opType: string;
}

interface ParsedModel {
  /** ModelProto fields other than the graph, kept as they are. */
  modelFields: Field[];
  /** GraphProto fields other than nodes, initializers, inputs, outputs and value_info. */
  graphFields: Field[];
  nodes: NodeInfo[];
  initializers: Map<string, Uint8Array>;
  inputs: { name: string; raw: Uint8Array }[];
  outputs: { name: string; raw: Uint8Array }[];
}

function parseModel(model: Uint8Array): ParsedModel {
  const fields = readFields(model);
  const graphs = fields.filter((f) => f.field === 7);
  if (graphs.length !== 1 || !graphs[0].value) throw new Error('not an ONNX model: no graph');
  const parsed: ParsedModel = { modelFields: fields.filter((f) => f.field !== 7), graphFields: [], nodes: [], initializers: new Map(), inputs: [], outputs: [] };
  for (const f of readFields(graphs[0].value)) {
    if (f.field === 1 && f.value) {
      const node = readFields(f.value);
      parsed.nodes.push({ raw: f.raw, inputs: strings(node, 1), outputs: strings(node, 2), opType: strings(node, 4)[0] ?? '' });
    } else if (f.field === 5 && f.value) {
      const name = strings(readFields(f.value), 8)[0];
      if (name === undefined) throw new Error('an initializer without a name');
      parsed.initializers.set(name, f.raw);
    } else if ((f.field === 11 || f.field === 12) && f.value) {
      const entry = { name: strings(readFields(f.value), 1)[0] ?? '', raw: f.raw };
      (f.field === 11 ? parsed.inputs : parsed.outputs).push(entry);
    } else if (f.field !== 13) {
      parsed.graphFields.push(f); // name, doc string...; value_info (13) is dropped: shapes are re-inferred
    }
  }
  // An initializer may also be listed as a graph input (older exporters): not a real input.
  parsed.inputs = parsed.inputs.filter((i) => !parsed.initializers.has(i.name));
  return parsed;
}

/** A float32 NCHW value with symbolic dimensions (ValueInfoProto). */
function valueInfo(name: string): ProtoWriter {
  const shape = new ProtoWriter();
  for (const dim of ['batch', 'channels', 'height', 'width']) shape.message(1, new ProtoWriter().string(2, dim));
  const tensorType = new ProtoWriter().int64(1, 1).message(2, shape); // elem_type FLOAT
  return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensorType));
}

export interface SplitModels {
  /** The split tensor: the body's output and the head's input. */
  tensor: string;
  body: Uint8Array;
  head: Uint8Array;
}

/**
 * Where an upscaler splits into body and head: the input of its first Resize (the first
 * upsampling), when everything after it depends on the model's input through that tensor alone.
 * undefined for a model that does not split so (x4fast's tail adds an upsampled copy of the
 * input itself).
 */
export function findUpsampleSplit(model: Uint8Array): string | undefined {
  const parsed = parseModel(model);
  const first = parsed.nodes.find((n) => n.opType === 'Resize');
  if (!first) return undefined;
  const tensor = first.inputs[0];
  if (parsed.inputs.some((i) => i.name === tensor)) return undefined;
  return partition(parsed, tensor) ? tensor : undefined;
}

/** Body nodes (what `tensor` needs) and head nodes (the rest), or undefined if the head needs more than `tensor` from the body. */
function partition(parsed: ParsedModel, tensor: string): { body: NodeInfo[]; head: NodeInfo[] } | undefined {
  if (parsed.inputs.length !== 1 || parsed.outputs.length !== 1) return undefined;
  const producer = new Map<string, NodeInfo>();
  for (const n of parsed.nodes) for (const o of n.outputs) producer.set(o, n);
  if (!producer.has(tensor)) return undefined;
  const inBody = new Set<NodeInfo>();
  const stack = [tensor];
  while (stack.length > 0) {
    const node = producer.get(stack.pop()!);
    if (!node || inBody.has(node)) continue;
    inBody.add(node);
    stack.push(...node.inputs.filter((i) => i !== ''));
  }
  const body = parsed.nodes.filter((n) => inBody.has(n));
  const head = parsed.nodes.filter((n) => !inBody.has(n));
  const headMade = new Set(head.flatMap((n) => n.outputs));
  for (const n of head) {
    for (const i of n.inputs) {
      if (i !== '' && i !== tensor && !headMade.has(i) && !parsed.initializers.has(i)) return undefined; // needs another body tensor or the input
    }
  }
  if (!headMade.has(parsed.outputs[0].name)) return undefined;
  return { body, head };
}

/** The two halves of `model` around `tensor` (findUpsampleSplit's choice by default). */
export function splitOnnxModel(model: Uint8Array, tensor = findUpsampleSplit(model)): SplitModels {
  if (tensor === undefined) throw new Error('the model has no body/head split');
  const parsed = parseModel(model);
  const parts = partition(parsed, tensor);
  if (!parts) throw new Error(`the model cannot be split at '${tensor}'`);
  const encode = (nodes: NodeInfo[], input: ProtoWriter | Uint8Array, output: ProtoWriter | Uint8Array, suffix: string): Uint8Array => {
    const graph = new ProtoWriter();
    for (const n of nodes) graph.rawBytes(n.raw);
    for (const f of parsed.graphFields) {
      if (f.field === 2 && f.value) graph.string(2, `${decoder.decode(f.value)}-${suffix}`);
      else graph.rawBytes(f.raw);
    }
    const used = new Set(nodes.flatMap((n) => n.inputs));
    for (const [name, raw] of parsed.initializers) if (used.has(name)) graph.rawBytes(raw);
    if (input instanceof ProtoWriter) graph.message(11, input);
    else graph.rawBytes(input);
    if (output instanceof ProtoWriter) graph.message(12, output);
    else graph.rawBytes(output);
    const out = new ProtoWriter();
    for (const f of parsed.modelFields) out.rawBytes(f.raw);
    out.message(7, graph);
    return out.finish();
  };
  return {
    tensor,
    body: encode(parts.body, parsed.inputs[0].raw, valueInfo(tensor), 'body'),
    head: encode(parts.head, valueInfo(tensor), parsed.outputs[0].raw, 'head'),
  };
}
