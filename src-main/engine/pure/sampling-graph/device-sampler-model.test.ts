// The device sampler against the host sampler on real logits of the tiny TEST MODEL decoder
// (PURE's architecture and 73728 vocabulary, seeded random weights: it restores nothing).
// A short generation in PURE's layout: text, the two grid tokens, then image codes with CFG from a
// separate unconditional sequence, a row end and the image end; each step's token comes from
// both samplers with copies of one RNG, and the host's token is fed back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TokenSampler } from '../../common/sampling/sampler';
import { cloneRng, createRng } from '../../common/sampling/rng';
import type { StepKind } from '../../common/sampling/step-tracker';
import { PURE_TINY_TEST, PURE_TOKENS } from '../config';
import { buildDecoderGraph } from '../decoder/decoder-graph';
import { DecoderSession } from '../decoder/decoder-session';
import type { KvCache } from '../decoder/decoder-session';
import { makeTestWeights, weightGetter } from '../decoder/decoder-test-weights';
import { makeTinyTokenizer } from '../fixtures/tiny-tokenizer';
import { buildImageCodeMap, vocabularyEntries } from '../tokenizer/code-map';
import { DeviceSampler } from './device-sampler';
import { shortGenerationSteps } from './step-layout';

const C = PURE_TINY_TEST.decoder;
const codeMap = buildImageCodeMap(vocabularyEntries(makeTinyTokenizer()), 16384, C.vocabSize);
const maskIds = { codeIds: codeMap.codeIds, rowEnd: PURE_TOKENS.rowEnd, imageEnd: PURE_TOKENS.imageEnd };
const W = 8; // an 8-column image: a row end after 8 codes (grid token 8806)
const H = 4; // grid token 8805

const layout = (): StepKind[] => shortGenerationSteps(H, W);

test('on the tiny test model the device sampler gives the host tokens at every step, for 3 seeds', { timeout: 300_000 }, async () => {
  const session = await DecoderSession.create(buildDecoderGraph(C, weightGetter(makeTestWeights(C)), { dtype: 'fp32' }).model, C, 'fp32', { intraOpNumThreads: 2 });
  const device = await DeviceSampler.create(C.vocabSize, {}, maskIds, { intraOpNumThreads: 2 });
  const host = new TokenSampler({}, maskIds);
  let graphAgreed = 0;
  let steps = 0;
  try {
    for (const seed of [1, 2, 3]) {
      const rng = createRng(seed);
      let cond = await session.run({ inputIds: [[0, 5, 100, 8197, 8820, 8820, 70000, 4, 9, 3, 8196, 8710 - seed]] });
      let condPast: KvCache = cond.present;
      let uncondPast: KvCache | undefined;
      let uncondLogits: Float32Array | undefined;
      const grid: number[] = [];
      for (const step of layout()) {
        const logits = { cond: cond.logits, ...(uncondLogits && { uncond: uncondLogits }) };
        const deviceRng = cloneRng(rng);
        const h = host.sample(logits, step, rng);
        const d = await device.sample(logits, step, deviceRng);
        assert.deepEqual([d.token, d.k, d.kept], [h.token, h.k, h.kept], `seed ${seed}, ${JSON.stringify(step)}`);
        assert.ok(Math.abs(d.entropy - h.entropy) <= 1e-12);
        assert.deepEqual([...deviceRng.s], [...rng.s]);
        if (!d.redone) graphAgreed++;
        steps++;
        // Feed the token on: PURE's grid tokens are fixed by the image size, whatever was sampled.
        const token = step.mode === 'grid' ? 8804 + (step.index === 0 ? H : W) / 4 : h.token;
        if (step.mode === 'grid') grid.push(token);
        cond = await session.run({ inputIds: [[token]], past: condPast });
        condPast = cond.present;
        if (step.mode === 'grid' && step.index === 1) {
          const u = await session.run({ inputIds: [[PURE_TOKENS.imageStart, ...grid]] }); // no BOS, no text
          uncondPast = u.present;
          uncondLogits = u.logits;
        } else if (step.mode === 'image' && uncondPast) {
          const u = await session.run({ inputIds: [[token]], past: uncondPast });
          uncondPast = u.present;
          uncondLogits = u.logits;
        }
      }
    }
  } finally {
    await Promise.all([session.release(), device.release()]);
  }
  assert.equal(steps, 3 * layout().length);
  assert.equal(graphAgreed, steps, 'the graph alone decided every step');
});
