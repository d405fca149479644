import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EngineError } from '../../common/errors';
import type { TokenIds } from '../config';
import { FakeRunner, contextHash } from './fake-runner';
import { generatePure } from './generate';
import type { GenerateOptions } from './generate';
import type { GenerationProgress } from './progress';
import { parseImage, serializeImage } from './token-layout';

// A miniature vocabulary (64 ids) with the real structure: a 4x4 latent image (one grid unit of 4),
// image codes at scattered even ids 20..50, text words at 52..63.
const IDS: TokenIds = { bos: 0, imageStart: 1, imageEnd: 2, rowEnd: 3, endOfTurn: 4, gridBase: 10 };
const GRID = 11;
const VOCAB = 64;
const codeToId = Int32Array.from({ length: 16 }, (_, c) => 20 + 2 * c);
const idToCode = new Int32Array(VOCAB).fill(-1);
codeToId.forEach((id, c) => (idToCode[id] = c));
const WORDS: Record<number, string> = { 52: 'Noise:', 53: ' medium.', 54: ' Blur:', 55: ' small.', 56: ' A', 57: ' cat', 58: ' on', 59: ' a', 60: ' mat.' };
const SCRIPT = [52, 53, 54, 55, 56, 57, 58, 59, 60];
const decodeText = (ids: readonly number[]) => ids.map((id) => WORDS[id] ?? '?').join('');
const LQ = Int32Array.from({ length: 16 }, (_, i) => 15 - i);
const PROMPT = Int32Array.from([IDS.bos, 61, 62, ...serializeImage(LQ, 4, 4, codeToId, IDS, 4), IDS.endOfTurn]);

interface ModelOptions {
  script?: number[];
  wrongGrid?: boolean;
}

/** Writes the script, opens a 4x4 image, hashes a few peaks per code, ends the turn after the image. */
function scriptedModel(opts: ModelOptions = {}) {
  const script = opts.script ?? SCRIPT;
  return (history: readonly number[], out: Float32Array): void => {
    const peakCodes = (salt: number) => {
      const h = contextHash(history, salt);
      out[codeToId[h % 16]] += 4;
      out[codeToId[(h >>> 8) % 16]] += 3;
      out[codeToId[(h >>> 16) % 16]] += 2;
    };
    if (history[0] === IDS.imageStart) return peakCodes(2); // the unconditional branch
    const gen = history.slice(history.indexOf(IDS.endOfTurn) + 1);
    const start = gen.indexOf(IDS.imageStart);
    if (start < 0) out[gen.length < script.length ? script[gen.length] : IDS.imageStart] = 10;
    else if (gen.length - start - 1 < 2) out[opts.wrongGrid ? 57 : GRID] = 10;
    else if (gen.includes(IDS.imageEnd, start)) out[IDS.endOfTurn] = 10;
    else peakCodes(1);
  };
}

function options(overrides: Partial<GenerateOptions> = {}): GenerateOptions {
  let clock = 0;
  return {
    tokens: IDS,
    codeMap: { idToCode, codeIds: codeToId.slice().sort() },
    side: 4,
    latentPerGrid: 4,
    seed: 1,
    decodeText,
    progressIntervalMs: 0,
    now: () => (clock += 1), // every reading of the clock is 1 ms later
    ...overrides,
  };
}

test('text greedily, then grid tokens, then a 4x4 image with CFG, stopping at the image end', async () => {
  const runner = new FakeRunner(VOCAB, 2, scriptedModel());
  const r = await generatePure(runner, { prompt: PROMPT, lqCodes: LQ }, options());
  assert.deepEqual(r.textIds, SCRIPT);
  assert.equal(r.text, 'Noise: medium. Blur: small. A cat on a mat.');
  assert.deepEqual(r.perception, { noise: 'medium', blur: 'small', caption: 'A cat on a mat.', raw: r.text, parsed: true });
  assert.equal(r.stopReason, 'imageEnd');
  assert.equal(r.imageComplete, true);
  assert.deepEqual(r.warnings, []);
  // The image tokens are exactly the layout: start, grid, grid, 4 x (4 codes + row end), end.
  const image = r.tokens.subarray(SCRIPT.length);
  assert.equal(image.length, 3 + 4 * 5 + 1);
  assert.deepEqual(parseImage(image, idToCode, IDS, 4).codes, r.codes);
  assert.ok(r.entropy.every((h) => Number.isFinite(h) && h >= 0));
  assert.ok(r.topK.every((k) => k >= 14 && k <= 2000));

  // Calls: the prompt, 9 text tokens + the image start + the height token (cond only), then the
  // width token to cond and [start, h, w] at 0..2 to a new uncond branch, then every image token to
  // both as one batch-2 call; the image end is fed to nobody.
  const calls = runner.calls;
  assert.deepEqual(calls[0].steps.map((s) => [s.position, s.tokens.length]), [[0, PROMPT.length]]);
  const cond = calls[0].steps[0].sequence;
  const condOnly = calls.slice(1, 12);
  assert.ok(condOnly.every((c) => c.steps.length === 1 && c.steps[0].sequence === cond));
  assert.deepEqual(calls[12].steps, [{ sequence: cond, tokens: [GRID], position: PROMPT.length + 11 }]);
  const uncond = calls[13].steps[0].sequence;
  assert.notEqual(uncond, cond);
  assert.deepEqual(calls[13].steps, [{ sequence: uncond, tokens: [IDS.imageStart, GRID, GRID], position: 0 }]);
  const both = calls.slice(14);
  assert.equal(both.length, 20); // 16 codes + 4 row ends
  both.forEach((c, i) => {
    assert.deepEqual(c.steps.map((s) => [s.sequence, s.position]), [[cond, PROMPT.length + 12 + i], [uncond, 3 + i]]);
    assert.equal(c.steps[0].tokens[0], c.steps[1].tokens[0]);
  });
  assert.equal(runner.openCount, 0);
  assert.deepEqual(new Set(runner.closed), new Set([cond, uncond]));
});

test('batching is an optimization only: one branch per call gives the same tokens', async () => {
  const batched = await generatePure(new FakeRunner(VOCAB, 2, scriptedModel()), { prompt: PROMPT, lqCodes: LQ }, options({ seed: 9 }));
  const single = new FakeRunner(VOCAB, 1, scriptedModel());
  const unbatched = await generatePure(single, { prompt: PROMPT, lqCodes: LQ }, options({ seed: 9 }));
  assert.deepEqual(unbatched.tokens, batched.tokens);
  assert.ok(single.calls.every((c) => c.steps.length === 1));
});

test('same seed, same image; another seed, another image; g = 1 runs no unconditional branch', async () => {
  const run = async (seed: number, guidanceScale?: number) => {
    const runner = new FakeRunner(VOCAB, 2, scriptedModel());
    const sampling = guidanceScale === undefined ? {} : { guidanceScale };
    const r = await generatePure(runner, { prompt: PROMPT, lqCodes: LQ }, options({ seed, sampling }));
    return { codes: [...r.codes], sequences: new Set(runner.calls.flatMap((c) => c.steps.map((s) => s.sequence))).size };
  };
  const a = await run(5);
  assert.deepEqual(await run(5), a);
  assert.notDeepEqual((await run(6)).codes, a.codes);
  assert.equal(a.sequences, 2);
  const noCfg = await run(5, 1);
  assert.equal(noCfg.sequences, 1);
  assert.notDeepEqual(noCfg.codes, a.codes); // the unconditional logits did change the image
});

test('a user text replaces the generated one: fed with the prompt, then the image start', async () => {
  const runner = new FakeRunner(VOCAB, 2, scriptedModel());
  const r = await generatePure(runner, { prompt: PROMPT, lqCodes: LQ, forcedText: [56, 57] }, options());
  assert.deepEqual(runner.calls[0].steps[0].tokens, [...PROMPT, 56, 57, IDS.imageStart]);
  assert.equal(r.textForced, true);
  assert.equal(r.text, ' A cat');
  assert.deepEqual([...r.tokens.subarray(0, 5)], [56, 57, IDS.imageStart, GRID, GRID]);
  assert.equal(r.imageComplete, true);
});

test('stops at end of turn, at the token budget, and forces the image after too much text', async () => {
  const eot = await generatePure(new FakeRunner(VOCAB, 2, scriptedModel()), { prompt: PROMPT, lqCodes: LQ }, options({ stopAtImageEnd: false }));
  assert.equal(eot.stopReason, 'endOfTurn');
  assert.deepEqual([...eot.tokens.subarray(-2)], [IDS.imageEnd, IDS.endOfTurn]);

  const noImage = await generatePure(new FakeRunner(VOCAB, 2, scriptedModel({ script: [52, IDS.endOfTurn] })), { prompt: PROMPT, lqCodes: LQ }, options());
  assert.equal(noImage.stopReason, 'endOfTurn');
  assert.equal(noImage.imageComplete, false);
  assert.deepEqual(noImage.textIds, [52]);

  const runner = new FakeRunner(VOCAB, 2, scriptedModel());
  const cut = await generatePure(runner, { prompt: PROMPT, lqCodes: LQ }, options({ maxNewTokens: SCRIPT.length + 3 + 6 }));
  assert.equal(cut.stopReason, 'maxNewTokens');
  assert.equal(cut.imageComplete, false);
  assert.match(cut.warnings.join(), /unfinished/);
  // Row 0 (4 codes) and the first code of row 1 were generated; the rest is still the LQ image.
  assert.deepEqual([...cut.codes.subarray(5)], [...LQ.subarray(5)]);
  assert.ok(Number.isNaN(cut.entropy[5]) && Number.isFinite(cut.entropy[4]));
  assert.equal(runner.openCount, 0);

  const capped = await generatePure(new FakeRunner(VOCAB, 2, scriptedModel()), { prompt: PROMPT, lqCodes: LQ }, options({ maxTextTokens: 3 }));
  assert.deepEqual(capped.textIds, SCRIPT.slice(0, 3));
  assert.match(capped.warnings.join(), /image start was forced/);
  assert.equal(capped.imageComplete, true);
});

test('a grid token other than the 512 px one is replaced, with a warning', async () => {
  const r = await generatePure(new FakeRunner(VOCAB, 2, scriptedModel({ wrongGrid: true })), { prompt: PROMPT, lqCodes: LQ }, options());
  assert.deepEqual([...r.tokens.subarray(SCRIPT.length, SCRIPT.length + 3)], [IDS.imageStart, GRID, GRID]);
  assert.equal(r.warnings.filter((w) => /grid token 57/.test(w)).length, 2);
  assert.equal(r.imageComplete, true);
});

test('progress: perceive -> understand -> restore, rows, ETA; previews with LQ codes for the rest', async () => {
  const events: GenerationProgress[] = [];
  const previews: { codes: Int32Array; rowsDone: number }[] = [];
  const r = await generatePure(
    new FakeRunner(VOCAB, 2, scriptedModel()),
    { prompt: PROMPT, lqCodes: LQ },
    options({ onProgress: (p) => events.push(p), onPreview: (p) => previews.push(p), previewEveryRows: 1 }),
  );
  const phases = events.map((e) => e.phase).filter((p, i, all) => p !== all[i - 1]);
  assert.deepEqual(phases, ['perceive', 'understand', 'restore']);
  // "Noise: medium. Blur: small." is perception; the description starts with " A cat".
  const understandAt = events.find((e) => e.phase === 'understand')!.token;
  assert.equal(understandAt, 6);
  const last = events.at(-1)!;
  assert.equal(last.rowsDone, 4);
  assert.equal(last.token, r.tokens.length);
  assert.ok(events.every((e) => e.totalTokens >= e.token && e.rows === 4));
  const restore = events.filter((e) => e.phase === 'restore');
  assert.ok(restore.slice(2).every((e) => e.etaSeconds !== undefined && e.tokensPerSecond! > 0));
  assert.equal(last.etaSeconds, 0);
  assert.deepEqual(previews.map((p) => p.rowsDone), [1, 2, 3]);
  assert.deepEqual([...previews[0].codes.subarray(0, 4)], [...r.codes.subarray(0, 4)]);
  assert.deepEqual([...previews[0].codes.subarray(4)], [...LQ.subarray(4)]);
});

test('cancelling stops between steps with CANCELLED and closes every sequence', async () => {
  const runner = new FakeRunner(VOCAB, 2, scriptedModel());
  const controller = new AbortController();
  let seen = 0;
  await assert.rejects(
    generatePure(runner, { prompt: PROMPT, lqCodes: LQ }, options({ signal: controller.signal, onProgress: () => ++seen === 15 && controller.abort() })),
    (e: unknown) => e instanceof EngineError && e.code === 'CANCELLED',
  );
  assert.equal(seen, 15);
  assert.equal(runner.openCount, 0);
  assert.equal(runner.closed.length, 2); // cond and the uncond branch opened at token 12
});
