import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildImageCodeMap, idRanges, imageCodeFromName, imageTokenName, vocabularyEntries } from './code-map';
import { makeTinyTokenizer } from '../fixtures/tiny-tokenizer';

test('image token names: IMGIMG + digits as letters A..J + Z', () => {
  assert.equal(imageTokenName(0), 'IMGIMGAZ');
  assert.equal(imageTokenName(8191), 'IMGIMGIBJBZ');
  assert.equal(imageTokenName(16383), 'IMGIMGBGDIDZ');
  assert.equal(imageCodeFromName('IMGIMGBCZ'), 12);
  assert.equal(imageCodeFromName('IMGIMGJJZ'), 99);
  assert.equal(imageCodeFromName('<racm3:break>'), undefined);
  assert.equal(imageCodeFromName('hello'), undefined);
  assert.throws(() => imageCodeFromName('IMGIMGK1Z'), /not IMGIMG/);
  for (const code of [0, 7, 10, 4096, 8191, 8192, 16383]) assert.equal(imageCodeFromName(imageTokenName(code)), code);
});

test('on a Chameleon-layout vocabulary the codes land at ids 4..8195 and 65536..73727 (spec [I])', () => {
  const map = buildImageCodeMap(vocabularyEntries(makeTinyTokenizer()), 16384, 73728);
  assert.deepEqual(idRanges(map.codeIds), [[4, 8195], [65536, 73727]]);
  assert.equal(map.codeIds.length, 16384);
  assert.equal(map.codeToId[0], 4);
  assert.equal(map.codeToId[8191], 8195);
  assert.equal(map.codeToId[8192], 65536);
  assert.equal(map.codeToId[16383], 73727);
  assert.equal(map.idToCode[4], 0);
  assert.equal(map.idToCode[73727], 16383);
  for (const notCode of [0, 3, 8196, 8197, 8803, 8710, 65535]) assert.equal(map.idToCode[notCode], -1);
});

test('the map follows the names, not an assumed id order', () => {
  // Codes laid out backwards over the same ids: code 0 at 73727, code 16383 at 4.
  const ids = Array.from({ length: 16384 }, (_, c) => (c < 8192 ? 4 + c : 65536 + c - 8192));
  const json = makeTinyTokenizer({ imageIds: (code) => ids[16383 - code] });
  const map = buildImageCodeMap(vocabularyEntries(json), 16384, 73728);
  assert.equal(map.codeToId[0], 73727);
  assert.equal(map.codeToId[16383], 4);
  assert.equal(map.idToCode[4], 16383);
  assert.deepEqual(idRanges(map.codeIds), [[4, 8195], [65536, 73727]]); // the allowed set is the same
});

test('gaps, duplicates and out-of-range codes are refused', () => {
  const entries = (n: number) => Array.from({ length: n }, (_, c): [string, number] => [imageTokenName(c), 100 + c]);
  assert.throws(() => buildImageCodeMap(entries(9), 10, 200), /lacks image tokens for 1 of 10/);
  assert.throws(() => buildImageCodeMap([...entries(10), [imageTokenName(3), 150]], 10, 200), /two tokens/);
  assert.throws(() => buildImageCodeMap(entries(11), 10, 200), /outside the codebook/);
  assert.throws(() => buildImageCodeMap(entries(10), 10, 105), /outside the vocabulary/);
});
