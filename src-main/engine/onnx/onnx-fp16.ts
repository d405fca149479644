// An fp16 copy of an ONNX model for graphics cards: float32 initializers stored as float16 and
// every operator computing in float16, while the graph's own inputs and outputs stay float32 (a
// Cast at each edge), so whoever feeds and reads the model does not change.
//
// Only the operators the Real-ESRGAN graphs are made of (ncnn-to-onnx.ts) are converted; a graph
// with anything else is refused (it may hold an operator whose inputs must stay float32 or
// int64), and the caller keeps the float32 graph. Resize's roi and scales stay float32 (its
// scales are float32 by definition); int64 tensors (shapes, sizes) are never touched. It reads
// and writes the protobuf wire format directly, copying every field it does not change.
import { float32ToFloat16Bits } from '../checkpoint/dtype';
import { readFields } from './onnx-split';
import { ProtoWriter } from './protobuf-writer';

/** Operators whose every float input and output is the one type T (so float16 throughout). */
const FLOAT_T_OPS = new Set(['Conv', 'Relu', 'LeakyRelu', 'PRelu', 'Sigmoid', 'Clip', 'Add', 'Sub', 'Mul', 'Div', 'Max', 'Min', 'Concat', 'DepthToSpace', 'Identity', 'Resize']);
/** Inputs that keep their float32 type: op -> input positions. */
const KEEP_FLOAT32: Readonly<Record<string, readonly number[]>> = { Resize: [1, 2] };

const FLOAT = 1;
const FLOAT16 = 10;
const decoder = new TextDecoder();

/** Why `model` cannot become fp16, or undefined when fp16Model can convert it. */
export function fp16Refusal(model: Uint8Array): string | undefined {
  try {
    fp16Model(model);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** The float32 initializer, rewritten as float16 (raw_data); other tensors are returned as they are. */
function tensorToFp16(raw: Uint8Array): Uint8Array {
  const fields = readFields(raw);
  if (fields.find((f) => f.field === 2)?.varint !== FLOAT) return raw;
  if (fields.some((f) => f.field === 14 && f.varint === 1)) throw new Error('external tensor data is not converted');
  const rawData = fields.find((f) => f.field === 9)?.value;
  let values: Float32Array;
  if (rawData) {
    values = new Float32Array(rawData.length / 4);
    const view = new DataView(rawData.buffer, rawData.byteOffset, rawData.byteLength);
    for (let i = 0; i < values.length; i++) values[i] = view.getFloat32(i * 4, true);
  } else {
    // float_data (4): packed (one length-delimited field) or not.
    const floats: number[] = [];
    for (const f of fields.filter((g) => g.field === 4)) {
      if (f.value) {
        const view = new DataView(f.value.buffer, f.value.byteOffset, f.value.byteLength);
        for (let i = 0; i + 4 <= f.value.length; i += 4) floats.push(view.getFloat32(i, true));
      } else {
        floats.push(new DataView(f.raw.buffer, f.raw.byteOffset + f.raw.length - 4, 4).getFloat32(0, true));
      }
    }
    values = new Float32Array(floats);
  }
  const half = float32ToFloat16Bits(values);
  const bytes = new Uint8Array(half.length * 2);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < half.length; i++) view.setUint16(i * 2, half[i], true);
  const w = new ProtoWriter();
  for (const f of fields) {
    if (f.field === 2) w.int64(2, FLOAT16);
    else if (f.field !== 4 && f.field !== 9) w.rawBytes(f.raw);
  }
  return w.bytes(9, bytes).finish();
}

function castNode(input: string, output: string, to: number): ProtoWriter {
  const attribute = new ProtoWriter().string(1, 'to').int64(3, to).int64(20, 2); // name, i, type INT
  return new ProtoWriter().string(1, input).string(2, output).string(3, `fp16-edge/${output}`).string(4, 'Cast').message(5, attribute);
}

/** NodeProto with inputs and outputs renamed through `rename`. */
function renameNode(raw: Uint8Array, rename: (name: string) => string): Uint8Array {
  const w = new ProtoWriter();
  for (const f of readFields(raw)) {
    if ((f.field === 1 || f.field === 2) && f.value) w.string(f.field, rename(decoder.decode(f.value)));
    else w.rawBytes(f.raw);
  }
  return w.finish();
}

function elemType(valueInfo: Uint8Array): number | undefined {
  const type = readFields(valueInfo).find((f) => f.field === 2)?.value;
  const tensor = type && readFields(type).find((f) => f.field === 1)?.value;
  return tensor && readFields(tensor).find((f) => f.field === 1)?.varint;
}

/**
 * The fp16 copy of `model` (a serialized ModelProto with inline weights). Throws for a graph it
 * does not know how to convert safely.
 */
export function fp16Model(model: Uint8Array): Uint8Array {
  const fields = readFields(model);
  const graphField = fields.find((f) => f.field === 7);
  if (!graphField?.value) throw new Error('not an ONNX model: no graph');
  const graph = readFields(graphField.value);
  const nodes = graph.filter((f) => f.field === 1 && f.value).map((f) => {
    const n = readFields(f.value!);
    const strings = (k: number): string[] => n.filter((g) => g.field === k && g.value).map((g) => decoder.decode(g.value));
    return { raw: f.value!, inputs: strings(1), outputs: strings(2), opType: strings(4)[0] ?? '', domain: strings(7)[0] ?? '' };
  });
  const keep32 = new Set<string>();
  const convert = new Set<string>();
  for (const n of nodes) {
    if (n.domain !== '' || !FLOAT_T_OPS.has(n.opType)) throw new Error(`operator ${n.domain ? `${n.domain}.` : ''}${n.opType} is not converted to fp16`);
    n.inputs.forEach((name, i) => (KEEP_FLOAT32[n.opType]?.includes(i) ? keep32 : convert).add(name));
  }
  for (const name of keep32) if (name !== '' && convert.has(name)) throw new Error(`'${name}' is needed both as float32 and as float16`);
  const initializerName = (raw: Uint8Array): string => decoder.decode(readFields(raw).find((f) => f.field === 8)?.value ?? new Uint8Array());
  const initializers = new Set(graph.filter((f) => f.field === 5 && f.value).map((f) => initializerName(f.value!)));
  const inputs = graph.filter((f) => f.field === 11 && f.value && !initializers.has(decoder.decode(readFields(f.value).find((g) => g.field === 1)?.value)));
  const outputs = graph.filter((f) => f.field === 12 && f.value);
  const renamed = new Map<string, string>();
  const edges: { from: string; to: string; type: number }[] = [];
  for (const f of inputs) {
    const name = decoder.decode(readFields(f.value!).find((g) => g.field === 1)?.value);
    if (elemType(f.value!) !== FLOAT) continue;
    if (keep32.has(name)) throw new Error(`the input '${name}' feeds a float32-only operand`);
    renamed.set(name, `${name}/fp16`);
    edges.push({ from: name, to: `${name}/fp16`, type: FLOAT16 });
  }
  const tail: { from: string; to: string; type: number }[] = [];
  for (const f of outputs) {
    const name = decoder.decode(readFields(f.value!).find((g) => g.field === 1)?.value);
    if (elemType(f.value!) !== FLOAT) continue;
    if (renamed.has(name)) throw new Error(`'${name}' is both an input and an output`);
    renamed.set(name, `${name}/fp16`);
    tail.push({ from: `${name}/fp16`, to: name, type: FLOAT });
  }
  const rename = (name: string): string => renamed.get(name) ?? name;
  const w = new ProtoWriter();
  for (const e of edges) w.message(1, castNode(e.from, e.to, e.type));
  for (const n of nodes) w.bytes(1, renameNode(n.raw, rename));
  for (const e of tail) w.message(1, castNode(e.from, e.to, e.type));
  for (const f of graph) {
    if (f.field === 1 || f.field === 13) continue; // nodes written above; value_info dropped (its types are float32): shapes are re-inferred
    if (f.field === 5 && f.value) w.bytes(5, keep32.has(initializerName(f.value)) ? f.value : tensorToFp16(f.value));
    else w.rawBytes(f.raw);
  }
  const out = new ProtoWriter();
  for (const f of fields) {
    if (f.field === 7) out.bytes(7, w.finish());
    else out.rawBytes(f.raw);
  }
  return out.finish();
}
