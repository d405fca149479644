// A small stand-in for the PURE tokenizer.json, for tests only: the real file's layout (Chameleon
// byte-level BPE, its pre-tokenizer splits, special tokens at their real ids, image codes named
// IMGIMG...Z at 4..8195 and 65536..73727, 73728 ids in all) but only a handful of merges, so its
// text ids are NOT the real model's. Pure data: no file access.

import { imageTokenName } from './code-map';

/** GPT-2's byte -> printable character table that byte-level BPE vocabularies are written in. */
export function byteLevelAlphabet(): string[] {
  const printable: number[] = [];
  for (let b = 33; b <= 126; b++) printable.push(b);
  for (let b = 161; b <= 172; b++) printable.push(b);
  for (let b = 174; b <= 255; b++) printable.push(b);
  const table = new Array<string>(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) table[b] = printable.includes(b) ? String.fromCharCode(b) : String.fromCharCode(256 + extra++);
  return table;
}

/** Merges chosen so that a few words of the PURE instruction become single tokens. */
export const FIXTURE_MERGES = ['t h', 'th e', 'Ġ i', 'Ġi m', 'Ġim a', 'Ġima g', 'Ġimag e', 'Ġ th', 'Ġth e', 'Ġ a', 'Ġa n', 'Ġan d'];

/** First id of the byte alphabet; merged tokens follow it (256 + i for merge i). */
export const FIXTURE_BYTE_BASE = 9000;

export interface FixtureOptions {
  /** Image codes as (code, id) pairs; defaults to the layout PURE-SPEC section 3 infers. */
  imageIds?: (code: number) => number;
  codebookSize?: number;
}

/** The reference layout: codes 0..8191 at ids 4..8195, codes 8192..16383 at 65536..73727. */
export const referenceImageId = (code: number): number => (code < 8192 ? 4 + code : 65536 + code - 8192);

export function fixtureTokenizerJson(options: FixtureOptions = {}): Record<string, unknown> {
  const imageId = options.imageIds ?? referenceImageId;
  const codebook = options.codebookSize ?? 16384;
  const vocab: Record<string, number> = {};
  const added: Record<string, unknown>[] = [];
  const special = (id: number, content: string) => {
    vocab[content] = id;
    added.push({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  };
  ['<s>', '<pad>', '</s>', '<unk>'].forEach((name, id) => special(id, name));
  for (let code = 0; code < codebook; code++) vocab[imageTokenName(code)] = imageId(code);
  special(8196, '<eoss>');
  special(8197, '<racm3:break>');
  // <reservedNNNNN> sits at id NNNNN + 4 in Chameleon's vocabulary (8706 -> 8710, 8799 -> 8803).
  for (let id = 8198; id < FIXTURE_BYTE_BASE; id++) special(id, `<reserved${String(id - 4).padStart(5, '0')}>`);
  let next = FIXTURE_BYTE_BASE;
  for (const ch of byteLevelAlphabet()) vocab[ch] = next++;
  for (const merge of FIXTURE_MERGES) vocab[merge.replace(' ', '')] = next++;
  // Fill the rest of the text range so the vocabulary is dense like the real one.
  const taken = new Set(Object.values(vocab));
  for (let id = next; id < 73728; id++) if (!taken.has(id)) vocab[`<fixture${id}>`] = id;
  const split = (regex: string) => ({ type: 'Split', pattern: { Regex: regex }, behavior: 'Isolated', invert: false });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: null,
    // Chameleon's pre-tokenizer (as llama.cpp and Meta's tokenizer scripts record it).
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [
        split('<sentinel:[0-9]+>'),
        split('(IMGIMG)((A|B|C|D|E|F|G|H|I){1,4})Z'),
        split('([\\t\\n]|    |  )'),
        split('\\p{N}'),
        split('[\\p{P}!-/:-@\\[-`{-~]'),
        { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
      ],
    },
    post_processor: null,
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      vocab,
      merges: FIXTURE_MERGES,
    },
  };
}
