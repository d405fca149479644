// The VQ code <-> token id map, built from the tokenizer's own vocabulary (PURE-SPEC section 3):
// image tokens are named "IMGIMG" + the code's decimal digits written as letters (A=0 ... J=9) +
// "Z", e.g. code 0 = "IMGIMGAZ", code 8191 = "IMGIMGIBJBZ". This is how Chameleon's and
// Lumina-mGPT's VocabTranslation.bpe2img reads them (`name[len("IMGIMG"):-1]`, A..J -> 0..9);
// ids are taken from the file, never assumed. Pure data code: no file access here.

import { EngineError } from '../../common/errors';

export interface ImageCodeMap {
  readonly codebookSize: number;
  readonly codeToId: Int32Array; // (codebookSize,) token id of each VQ code
  /** (vocabSize,) VQ code of each token id, -1 for tokens that are not image codes. */
  readonly idToCode: Int32Array;
  /** (codebookSize,) every image-code token id, ascending: the image mask's allowed set. */
  readonly codeIds: Int32Array;
}

const PREFIX = 'IMGIMG';
const NAME = /^IMGIMG([A-J]+)Z$/;

/** The VQ code a token name stands for, or undefined when it is not an image token. */
export function imageCodeFromName(name: string): number | undefined {
  if (!name.startsWith(PREFIX)) return undefined;
  const m = NAME.exec(name);
  if (m === null) throw new RangeError(`Image token name "${name}" is not IMGIMG<letters A-J>Z.`);
  let code = 0;
  for (const ch of m[1]) code = code * 10 + (ch.charCodeAt(0) - 65);
  return code;
}

/** The token name of a VQ code ("IMGIMGAZ" for 0): the inverse, for fixtures and checks. */
export function imageTokenName(code: number): string {
  if (!Number.isInteger(code) || code < 0) throw new RangeError(`Bad VQ code ${code}.`);
  return `${PREFIX}${[...String(code)].map((d) => String.fromCharCode(65 + Number(d))).join('')}Z`;
}

/**
 * Builds the map from (name, id) pairs. Every code in [0, codebookSize) must appear exactly once;
 * a gap, a duplicate or an out-of-range code means the file is not what the model was trained with.
 */
export function buildImageCodeMap(vocab: Iterable<readonly [string, number]>, codebookSize: number, vocabSize: number): ImageCodeMap {
  const codeToId = new Int32Array(codebookSize).fill(-1);
  const idToCode = new Int32Array(vocabSize).fill(-1);
  for (const [name, id] of vocab) {
    const code = imageCodeFromName(name);
    if (code === undefined) continue;
    if (code >= codebookSize) throw new RangeError(`Image token ${name} (id ${id}) is code ${code}, outside the codebook of ${codebookSize}.`);
    if (!(Number.isInteger(id) && id >= 0 && id < vocabSize)) throw new RangeError(`Image token ${name} has id ${id}, outside the vocabulary of ${vocabSize}.`);
    if (codeToId[code] !== -1 && codeToId[code] !== id) throw new RangeError(`VQ code ${code} has two tokens (ids ${codeToId[code]} and ${id}).`);
    if (idToCode[id] !== -1 && idToCode[id] !== code) throw new RangeError(`Token id ${id} has two image names.`);
    codeToId[code] = id;
    idToCode[id] = code;
  }
  const missing = codeToId.indexOf(-1);
  if (missing !== -1) {
    const count = codeToId.reduce((n, id) => n + (id === -1 ? 1 : 0), 0);
    throw new RangeError(`The vocabulary lacks image tokens for ${count} of ${codebookSize} VQ codes (first: code ${missing}).`);
  }
  const codeIds = codeToId.slice().sort();
  return { codebookSize, codeToId, idToCode, codeIds };
}

/** Contiguous id ranges of the image codes, e.g. [[4, 8195], [65536, 73727]]: for logs and checks. */
export function idRanges(ids: Int32Array): [number, number][] {
  const ranges: [number, number][] = [];
  for (const id of ids) {
    const last = ranges.at(-1);
    if (last !== undefined && id === last[1] + 1) last[1] = id;
    else ranges.push([id, id]);
  }
  return ranges;
}

interface TokenizerJson {
  model?: { vocab?: Record<string, number> };
  added_tokens?: { id: number; content: string }[];
}

/** Every (name, id) a parsed tokenizer.json defines: the BPE vocabulary plus the added (special) tokens. */
export function vocabularyEntries(json: unknown): Map<string, number> {
  const j = json as TokenizerJson;
  if (typeof j !== 'object' || j === null || typeof j.model?.vocab !== 'object') {
    throw new EngineError('MODEL_FORMAT', 'tokenizer.json has no model.vocab.', 'The tokenizer file is damaged or not a Hugging Face tokenizer.json.');
  }
  const entries = new Map<string, number>(Object.entries(j.model.vocab));
  for (const t of j.added_tokens ?? []) entries.set(t.content, t.id);
  return entries;
}
