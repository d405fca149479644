import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineError } from '../../common/errors';
import { PURE_TOKENS } from '../config';
import { HF_TOKENIZERS_REFERENCE, INSTRUCTION, makeTinyTokenizer } from '../fixtures/tiny-tokenizer';
import { PureTokenizer, loadPureTokenizer } from './text-tokenizer';

test('encodes like HF tokenizers (golden ids recorded from tokenizers 0.22.2) and decodes back', () => {
  const tok = new PureTokenizer(makeTinyTokenizer());
  for (const { text, ids } of HF_TOKENIZERS_REFERENCE) {
    assert.deepEqual(tok.encode(text), ids, text);
    assert.equal(tok.decode(ids), text);
  }
  const ids = tok.encode(INSTRUCTION);
  assert.ok(!ids.includes(PURE_TOKENS.bos), 'no BOS from encode');
  // Special tokens in text stay whole.
  const the = tok.encode('the');
  assert.deepEqual(tok.encode('the<reserved08706>'), [...the, 8710]);
});

test('the code map and the special-token check come from the same file', () => {
  const tok = new PureTokenizer(makeTinyTokenizer());
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
    writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(makeTinyTokenizer()));
    // tokenizer_config.json is optional; when present it steers decoding (space clean-up here).
    writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ clean_up_tokenization_spaces: false }));
    const tok = await loadPureTokenizer(dir);
    assert.equal(tok.decode(tok.encode('the image .')), 'the image .');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a vocabulary without image codes is a MODEL_FORMAT error', () => {
  const json = makeTinyTokenizer({ codebookSize: 100 });
  assert.throws(() => new PureTokenizer(json), (e: unknown) => e instanceof EngineError && e.code === 'MODEL_FORMAT');
  assert.throws(() => new PureTokenizer({ nope: 1 }), (e: unknown) => e instanceof EngineError && e.code === 'MODEL_FORMAT');
});
