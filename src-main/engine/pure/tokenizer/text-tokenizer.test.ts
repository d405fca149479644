import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineError } from '../../common/errors';
import { PURE_TOKENS } from '../config';
import { FIXTURE_BYTE_BASE, fixtureTokenizerJson } from './fixture-tokenizer';
import { PureTokenizer, loadPureTokenizer } from './text-tokenizer';

const INSTRUCTION = 'Perceive the degradation level, understand the image content, and restore the high-quality image. ';

test('encodes without special tokens and decodes back (byte-level BPE with merges)', () => {
  const tok = new PureTokenizer(fixtureTokenizerJson());
  // Pre-tokens "the", " image", ".", " " -> byte-level "the", "Ġimage", ".", "Ġ".
  // Merged ids follow the 256 byte ids: "the" is merge 1, "Ġimage" merge 6; "." is byte 46, "Ġ" byte 32.
  const b = FIXTURE_BYTE_BASE;
  assert.deepEqual(tok.encode('the image. '), [b + 256 + 1, b + 256 + 6, b + 46, b + 32]);
  const ids = tok.encode(INSTRUCTION);
  assert.ok(!ids.includes(PURE_TOKENS.bos), 'no BOS from encode');
  assert.equal(tok.decode(ids), INSTRUCTION);
  // Special tokens in text stay whole; generated ids decode back to text.
  assert.deepEqual(tok.encode('the<reserved08706>'), [b + 257, 8710]);
  assert.equal(tok.decode([b + 257, b + 256 + 6]), 'the image');
});

test('the code map and the special-token check come from the same file', () => {
  const tok = new PureTokenizer(fixtureTokenizerJson());
  assert.equal(tok.vocabSize, 73728);
  assert.equal(tok.codeMap.codeToId[0], 4);
  assert.equal(tok.tokenId('<racm3:break>'), 8197);
  tok.checkTokenIds(PURE_TOKENS, [16]); // <reserved08816> = 8820, the 512 px grid token
  assert.throws(
    () => tok.checkTokenIds({ ...PURE_TOKENS, rowEnd: 8804 }),
    (e: unknown) => e instanceof EngineError && e.code === 'MODEL_FORMAT' && /reserved08799/.test(e.message),
  );
});

test('loads tokenizer.json from a checkpoint folder; missing or damaged files are named', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pure-tok-'));
  try {
    await assert.rejects(loadPureTokenizer(dir), (e: unknown) => e instanceof EngineError && e.code === 'MODEL_MISSING');
    writeFileSync(join(dir, 'tokenizer.json'), '{ not json');
    await assert.rejects(loadPureTokenizer(dir), (e: unknown) => e instanceof EngineError && e.code === 'MODEL_FORMAT');
    writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(fixtureTokenizerJson()));
    // tokenizer_config.json is optional; when present it steers decoding (space clean-up here).
    writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ clean_up_tokenization_spaces: false }));
    const tok = await loadPureTokenizer(dir);
    assert.equal(tok.decode(tok.encode('the image .')), 'the image .');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a vocabulary without image codes is a MODEL_FORMAT error', () => {
  const json = fixtureTokenizerJson({ codebookSize: 100 });
  assert.throws(() => new PureTokenizer(json), (e: unknown) => e instanceof EngineError && e.code === 'MODEL_FORMAT');
  assert.throws(() => new PureTokenizer({ nope: 1 }), (e: unknown) => e instanceof EngineError && e.code === 'MODEL_FORMAT');
});
