// Parser for ncnn's .param text: the network's layers, their blobs and their typed parameters.
//
//   7767517                      magic
//   <layer_count> <blob_count>
//   <Type> <name> <n_in> <n_out> <in blobs...> <out blobs...> <key=value...>   one layer a line
//
// A key <= -23300 holds an array: `-23310=2,0.1,0.2` is array id 10 with 2 values. A value is a
// float when it contains '.' or 'e', as ncnn decides. Pure TypeScript: no Node built-ins.

import { EngineError } from '../common/errors';

export const NCNN_PARAM_MAGIC = 7767517;
const ARRAY_KEY_BASE = -23300;

export type NcnnParam =
  | { kind: 'scalar'; value: number; isFloat: boolean }
  | { kind: 'array'; values: number[]; isFloat: boolean };

export interface NcnnLayer {
  type: string;
  name: string;
  inputs: string[];
  outputs: string[];
  /** Keyed by parameter id; array ids are stored without the -23300 offset (-23310 -> 10). */
  params: ReadonlyMap<number, NcnnParam>;
  /** 1-based line in the .param text, for messages. */
  line: number;
}

export interface NcnnModelParam {
  blobCount: number;
  layers: NcnnLayer[];
}

/** Layer types the weights reader and the converter understand. */
export const SUPPORTED_LAYER_TYPES: ReadonlySet<string> = new Set([
  'Input',
  'Convolution',
  'Split',
  'Concat',
  'Eltwise',
  'BinaryOp',
  'Interp',
  'PReLU',
  'PixelShuffle',
]);

export function formatError(message: string, cause?: unknown): EngineError {
  return new EngineError('MODEL_FORMAT', message, 'The model files are damaged or not an ncnn model: reinstall the model.', {
    cause,
  });
}

export function parseNcnnParam(text: string): NcnnModelParam {
  const lines = text.split(/\r?\n/);
  let next = 0;
  // Returns the next non-blank line as tokens, with its 1-based line number.
  const nextLine = (): { tokens: string[]; line: number } | undefined => {
    while (next < lines.length) {
      const tokens = lines[next++].trim().split(/\s+/).filter(Boolean);
      if (tokens.length > 0) return { tokens, line: next };
    }
    return undefined;
  };

  const magic = nextLine();
  if (!magic || magic.tokens.length !== 1 || Number(magic.tokens[0]) !== NCNN_PARAM_MAGIC) {
    throw formatError(`Not an ncnn .param file: the first line must be ${NCNN_PARAM_MAGIC}.`);
  }
  const counts = nextLine();
  const layerCount = counts?.tokens.length === 2 ? parseCount(counts.tokens[0]) : undefined;
  const blobCount = counts?.tokens.length === 2 ? parseCount(counts.tokens[1]) : undefined;
  if (layerCount === undefined || blobCount === undefined) {
    throw formatError('Malformed ncnn .param file: the second line must be "<layer count> <blob count>".');
  }

  const layers: NcnnLayer[] = [];
  for (let entry = nextLine(); entry; entry = nextLine()) layers.push(parseLayer(entry.tokens, entry.line));
  if (layers.length !== layerCount) {
    throw formatError(`Malformed ncnn .param file: it declares ${layerCount} layers but has ${layers.length}.`);
  }
  checkBlobs(layers, blobCount);
  return { blobCount, layers };
}

function parseLayer(tokens: string[], line: number): NcnnLayer {
  const fail = (why: string) => formatError(`Malformed ncnn .param file, line ${line}: ${why}.`);
  if (tokens.length < 4) throw fail('a layer needs a type, a name and blob counts');
  const [type, name] = tokens;
  const nIn = parseCount(tokens[2]);
  const nOut = parseCount(tokens[3]);
  if (nIn === undefined || nOut === undefined) throw fail('bad blob counts');
  const inputs = tokens.slice(4, 4 + nIn);
  const outputs = tokens.slice(4 + nIn, 4 + nIn + nOut);
  // A key=value where a blob name should be means the counts and the names disagree.
  if (inputs.length + outputs.length < nIn + nOut || [...inputs, ...outputs].some((b) => b.includes('='))) {
    throw fail(`expected ${nIn} input and ${nOut} output blob names`);
  }

  const params = new Map<number, NcnnParam>();
  for (const token of tokens.slice(4 + nIn + nOut)) {
    const match = /^(-?\d+)=(.+)$/.exec(token);
    if (!match) throw fail(`'${token}' is not key=value`);
    const key = Number(match[1]);
    const isArray = key <= ARRAY_KEY_BASE;
    const id = isArray ? ARRAY_KEY_BASE - key : key;
    if (params.has(id)) throw fail(`parameter ${id} is given twice`);
    params.set(id, isArray ? parseArray(match[2], fail) : parseScalar(match[2], fail));
  }
  return { type, name, inputs, outputs, params, line };
}

function parseScalar(text: string, fail: (why: string) => EngineError): NcnnParam {
  return { kind: 'scalar', value: parseNumber(text, fail), isFloat: looksFloat(text) };
}

function parseArray(text: string, fail: (why: string) => EngineError): NcnnParam {
  const parts = text.split(',');
  const count = parseCount(parts[0]);
  if (count === undefined || parts.length !== count + 1) throw fail(`array '${text}' does not hold the count it declares`);
  const items = parts.slice(1);
  return { kind: 'array', values: items.map((v) => parseNumber(v, fail)), isFloat: items.some(looksFloat) };
}

function parseNumber(text: string, fail: (why: string) => EngineError): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw fail(`'${text}' is not a number`);
  return value;
}

/** ncnn's own rule: a '.' or an exponent makes a value a float. */
function looksFloat(text: string): boolean {
  return /[.eE]/.test(text);
}

function parseCount(text: string): number | undefined {
  return /^\d+$/.test(text) ? Number(text) : undefined;
}

/** Every consumed blob must come from an earlier layer, and every blob from exactly one layer. */
function checkBlobs(layers: NcnnLayer[], blobCount: number): void {
  const produced = new Set<string>();
  for (const layer of layers) {
    for (const blob of layer.inputs) {
      if (!produced.has(blob)) {
        throw formatError(`Malformed ncnn .param file, line ${layer.line}: blob '${blob}' is used before any layer makes it.`);
      }
    }
    for (const blob of layer.outputs) {
      if (produced.has(blob)) throw formatError(`Malformed ncnn .param file, line ${layer.line}: blob '${blob}' is made twice.`);
      produced.add(blob);
    }
  }
  if (produced.size > blobCount) {
    throw formatError(`Malformed ncnn .param file: it declares ${blobCount} blobs but uses ${produced.size}.`);
  }
}

/** Throws UNSUPPORTED_LAYER naming every unknown type at once (in order of first use). */
export function assertSupportedLayers(model: NcnnModelParam): void {
  const unknown = [...new Set(model.layers.map((l) => l.type).filter((t) => !SUPPORTED_LAYER_TYPES.has(t)))];
  if (unknown.length > 0) {
    throw new EngineError(
      'UNSUPPORTED_LAYER',
      `The model uses layer types the converter does not support: ${unknown.join(', ')}`,
      'Only Real-ESRGAN-style ncnn models (convolutions, PReLU, pixel shuffle, upsampling) can be converted. Choose another model.',
    );
  }
}

// ---- typed parameter access ----------------------------------------------------------------

/** An integer parameter; a float that holds a whole number is accepted too. */
export function paramInt(layer: NcnnLayer, id: number, fallback: number): number {
  const p = layer.params.get(id);
  if (p === undefined) return fallback;
  if (p.kind !== 'scalar' || !Number.isInteger(p.value)) {
    throw formatError(`Layer ${layer.name} (line ${layer.line}): parameter ${id} must be an integer.`);
  }
  return p.value;
}

export function paramFloat(layer: NcnnLayer, id: number, fallback: number): number {
  const p = layer.params.get(id);
  if (p === undefined) return fallback;
  if (p.kind !== 'scalar') throw formatError(`Layer ${layer.name} (line ${layer.line}): parameter ${id} must be a number.`);
  return p.value;
}

/** An array parameter by id (10 for key -23310), or undefined when absent. */
export function paramArray(layer: NcnnLayer, id: number): number[] | undefined {
  const p = layer.params.get(id);
  if (p === undefined) return undefined;
  if (p.kind !== 'array') throw formatError(`Layer ${layer.name} (line ${layer.line}): parameter ${id} must be an array.`);
  return p.values;
}
