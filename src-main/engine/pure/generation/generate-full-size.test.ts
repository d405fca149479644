// The loop at the real size: PURE's token ids, the 73728-token vocabulary, a 64x64 image (4164
// tokens), the code map from a Chameleon-layout tokenizer.json. The decoder is the deterministic
// fake (the real decoder graph is tested by its own suite).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PURE_TINY_TEST, PURE_TOKENS, gridSide } from '../config';
import { idRanges } from '../tokenizer/code-map';
import { makeTinyTokenizer } from '../fixtures/tiny-tokenizer';
import { PureTokenizer } from '../tokenizer/text-tokenizer';
import { FakeRunner, contextHash } from './fake-runner';
import { generatePure } from './generate';
import { PURE_INSTRUCTION, buildPrompt } from './prompt';
import { latentPerGrid, parseImage, serializeImage } from './token-layout';

test('a full 512 px generation: 4164 image tokens in the layout, every code from the vocabulary map', async () => {
  const tok = new PureTokenizer(makeTinyTokenizer());
  const { codeMap } = tok;
  const side = gridSide(PURE_TINY_TEST);
  const perGrid = latentPerGrid(PURE_TINY_TEST.vq.downsample);
  const lq = Int32Array.from({ length: side * side }, (_, i) => (i * 31) % 16384);
  const prompt = buildPrompt(PURE_TOKENS, tok.encode(PURE_INSTRUCTION), serializeImage(lq, side, side, codeMap.codeToId, PURE_TOKENS, perGrid));
  const script = tok.encode('Noise: small. Blur: large. the image');
  const model = (history: readonly number[], out: Float32Array) => {
    if (history[0] !== PURE_TOKENS.bos) {
      const h = contextHash(history, 7);
      for (let j = 0; j < 1 + (h % 40); j++) out[codeMap.codeIds[contextHash(history, j) % 16384]] += 3 + (j % 5);
      return;
    }
    const gen = history.length - prompt.length;
    if (gen < script.length) out[script[gen]] = 20;
    else if (gen === script.length) out[PURE_TOKENS.imageStart] = 20;
    else if (gen <= script.length + 2) out[PURE_TOKENS.gridBase + 16] = 20;
    else {
      const h = contextHash(history, 3);
      for (let j = 0; j < 1 + (h % 20); j++) out[codeMap.codeIds[contextHash(history, 100 + j) % 16384]] += 2 + (j % 7);
      out[5000] = 30; // a text token the mask must keep out of the image
    }
  };
  const runner = new FakeRunner(tok.vocabSize, 2, model);
  const r = await generatePure(runner, { prompt, lqCodes: lq }, {
    tokens: PURE_TOKENS,
    codeMap,
    side,
    latentPerGrid: perGrid,
    seed: 2025,
    decodeText: (ids) => tok.decode(ids),
    maxPositions: PURE_TINY_TEST.decoder.maxPositions,
  });
  assert.deepEqual(idRanges(codeMap.codeIds), [[4, 8195], [65536, 73727]]);
  assert.equal(r.text, 'Noise: small. Blur: large. the image');
  assert.equal(r.perception.noise, 'small');
  assert.equal(r.perception.blur, 'large');
  assert.equal(r.stopReason, 'imageEnd');
  const image = r.tokens.subarray(script.length);
  assert.equal(image.length, 4164);
  assert.deepEqual(parseImage(image, codeMap.idToCode, PURE_TOKENS, perGrid).codes, r.codes);
  assert.ok(r.topK.every((k) => k >= 14 && k <= 2000));
  assert.ok(r.entropy.every((h) => h >= 0 && h <= Math.log(16384) + 1e-6));
  assert.equal(runner.openCount, 0);
  assert.ok(r.timings.samplingMs > 0 && r.timings.imageTokensPerSecond > 0);
});
