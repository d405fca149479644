import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PURE_TOKENS } from '../config';
import { buildImageCodeMap, vocabularyEntries } from '../tokenizer/code-map';
import { makeTinyTokenizer } from '../fixtures/tiny-tokenizer';
import { buildPrompt } from './prompt';
import { gridToken, imageSequenceLength, latentPerGrid, parseImage, serializeImage } from './token-layout';

const map = buildImageCodeMap(vocabularyEntries(makeTinyTokenizer()), 16384, 73728);
const PER_GRID = latentPerGrid(8); // 32 px grid / 8 px VQ = 4

test('a 64x64 image is 4164 tokens: start, 8820, 8820, 64 x (64 codes + 8803), 8196', () => {
  assert.equal(PER_GRID, 4);
  assert.equal(gridToken(PURE_TOKENS, 64, PER_GRID), 8820);
  assert.equal(imageSequenceLength(64, 64), 4164);
  const codes = Int32Array.from({ length: 4096 }, (_, i) => (i * 7919) % 16384);
  const seq = serializeImage(codes, 64, 64, map.codeToId, PURE_TOKENS, PER_GRID);
  assert.equal(seq.length, 4164);
  assert.deepEqual([...seq.subarray(0, 3)], [8197, 8820, 8820]);
  assert.equal(seq[4163], 8196);
  const rowEnds = [...seq.keys()].filter((i) => seq[i] === 8803);
  assert.deepEqual(rowEnds, Array.from({ length: 64 }, (_, r) => 3 + 65 * r + 64));
  // Code 0 is token 4, code 8192 is token 65536 (the fixture's reference layout).
  codes[0] = 0;
  codes[1] = 8192;
  const seq2 = serializeImage(codes, 64, 64, map.codeToId, PURE_TOKENS, PER_GRID);
  assert.deepEqual([seq2[3], seq2[4]], [4, 65536]);
  const back = parseImage(seq2, map.idToCode, PURE_TOKENS, PER_GRID);
  assert.deepEqual(back, { codes, height: 64, width: 64 });
});

test('parsing names what breaks the layout', () => {
  const seq = serializeImage(new Int32Array(16), 4, 4, map.codeToId, PURE_TOKENS, PER_GRID);
  assert.equal(seq.length, 3 + 4 * 5 + 1);
  const broken = (i: number, v: number) => {
    const s = seq.slice();
    s[i] = v;
    return s;
  };
  assert.throws(() => parseImage(broken(0, 5), map.idToCode, PURE_TOKENS, PER_GRID), /image start/);
  assert.throws(() => parseImage(broken(3 + 4, 100), map.idToCode, PURE_TOKENS, PER_GRID), /row 0 does not end/);
  assert.throws(() => parseImage(broken(3, 8803), map.idToCode, PURE_TOKENS, PER_GRID), /not an image code/);
  assert.throws(() => parseImage(seq.subarray(0, seq.length - 1), map.idToCode, PURE_TOKENS, PER_GRID), /tokens for 4x4/);
  assert.throws(() => serializeImage(Int32Array.of(16384), 1, 1, map.codeToId, PURE_TOKENS, 1), /outside the codebook/);
});

test('the prompt: BOS, instruction, LQ image, end of turn', () => {
  const lq = serializeImage(new Int32Array(4096), 64, 64, map.codeToId, PURE_TOKENS, PER_GRID);
  const prompt = buildPrompt(PURE_TOKENS, [500, 501, 502], lq);
  assert.equal(prompt.length, 1 + 3 + 4164 + 1);
  assert.deepEqual([...prompt.subarray(0, 7)], [0, 500, 501, 502, 8197, 8820, 8820]);
  assert.deepEqual([...prompt.subarray(-2)], [8196, 8710]);
  assert.throws(() => buildPrompt(PURE_TOKENS, [], Int32Array.of(1, 2)), /serialized image/);
});
