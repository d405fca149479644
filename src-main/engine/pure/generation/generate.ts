// The PURE generation loop (PURE-SPEC sections 4 and 6) against any DecoderRunner: prefill the
// conditional prompt, write the text greedily until the model opens an image, sample the two grid
// tokens, then the image with CFG (an unconditional branch from [image start, h, w]) and the
// layout mask, until the image end / end of turn / the token budget. A user-supplied text replaces
// the model's: it is fed after the prompt, followed by the image start.

import { EngineError, throwIfAborted } from '../../common/errors';
import { TokenSampler } from '../../common/sampling/sampler';
import type { SamplingSettings } from '../../common/sampling/settings';
import { createRng } from '../../common/sampling/rng';
import { StepTracker } from '../../common/sampling/step-tracker';
import type { TokenIds } from '../config';
import type { ImageCodeMap } from '../tokenizer/code-map';
import { Branches } from './branches';
import { hostLogitsSampler } from './logits-sampler';
import type { LogitsSampler } from './logits-sampler';
import { ImageRecord } from './image-record';
import { parsePerception, perceptionDone } from './perception';
import type { Perception } from './perception';
import { ProgressReporter } from './progress';
import type { GenerationProgress } from './progress';
import type { DecoderRunner } from './runner';
import { gridToken, imageSequenceLength } from './token-layout';

export interface GenerationPreview {
  codes: Int32Array; // (side * side,) generated codes so far, LQ codes for the rest
  rowsDone: number;
}

export interface GenerateInput {
  prompt: Int32Array; // (P,) from buildPrompt
  lqCodes: Int32Array; // (side * side,) stand-ins for previews and for an unfinished image
  /** Token ids replacing the model's text (degradation + description); undefined = let it write. */
  forcedText?: readonly number[];
}

export interface GenerateOptions {
  tokens: TokenIds;
  codeMap: Pick<ImageCodeMap, 'idToCode' | 'codeIds'>;
  side: number; // latent tokens per side: 64 at 512 px
  latentPerGrid: number; // 4
  seed: number;
  sampling?: Partial<SamplingSettings>;
  maxNewTokens?: number; // 8192
  /** The cond sequence never grows past this (the model's max_position_embeddings). */
  maxPositions?: number;
  /** Our guard against endless text: after this many text tokens the image start is forced. */
  maxTextTokens?: number; // 1024
  /** Stop once the image ends instead of running one more step for end of turn. */
  stopAtImageEnd?: boolean; // true
  decodeText?: (ids: readonly number[]) => string;
  signal?: AbortSignal;
  onProgress?: (p: GenerationProgress) => void;
  progressIntervalMs?: number; // 250
  onPreview?: (p: GenerationPreview) => void;
  previewEveryRows?: number; // 8; 0 = never
  now?: () => number;
}

export interface GenerationResult {
  textIds: number[];
  text: string; // '' without decodeText
  textForced: boolean;
  perception: Perception;
  codes: Int32Array; // (side * side,) row-major VQ codes; LQ codes where the image is unfinished
  entropy: Float32Array; // (side * side,) nats before temperature; NaN where not generated
  topK: Uint16Array; // (side * side,)
  imageComplete: boolean;
  stopReason: 'imageEnd' | 'endOfTurn' | 'maxNewTokens';
  tokens: Int32Array; // (new,) every token after the prompt, forced ones included
  warnings: string[];
  timings: GenerationTimings;
}

export interface GenerationTimings {
  prefillMs: number;
  textMs: number;
  imageMs: number;
  totalMs: number;
  decoderMs: number; // inside runner.forward, prefill included
  samplingMs: number; // host-side sampling
  imageTokensPerSecond: number;
}

/**
 * With the host sampler over host logits; or, given a `sampler` for the runner's logits form, with
 * that one (e.g. sampling on the device). The sampler must follow `options.sampling`.
 */
export function generatePure(runner: DecoderRunner, input: GenerateInput, options: GenerateOptions): Promise<GenerationResult>;
export function generatePure<L>(runner: DecoderRunner<L>, input: GenerateInput, options: GenerateOptions, sampler: LogitsSampler<L>): Promise<GenerationResult>;
export async function generatePure<L>(runner: DecoderRunner<L>, input: GenerateInput, options: GenerateOptions, given?: LogitsSampler<L>): Promise<GenerationResult> {
  const o = options;
  const ids = o.tokens;
  const now = o.now ?? (() => performance.now());
  const maxNew = o.maxNewTokens ?? 8192;
  const maxPositions = o.maxPositions ?? Infinity;
  const maxText = o.maxTextTokens ?? 1024;
  const stopAtImageEnd = o.stopAtImageEnd ?? true;
  const previewEvery = o.previewEveryRows ?? 8;
  // Without a sampler the runner's logits are host Float32Arrays (the first overload).
  const sampler = given ?? (hostLogitsSampler(new TokenSampler(o.sampling ?? {}, { codeIds: o.codeMap.codeIds, rowEnd: ids.rowEnd, imageEnd: ids.imageEnd })) as unknown as LogitsSampler<L>);
  const tracker = new StepTracker(ids, o.latentPerGrid);
  const rng = createRng(o.seed);
  const expectedGrid = gridToken(ids, o.side, o.latentPerGrid);
  const record = new ImageRecord(o.side, input.lqCodes);
  const progress = new ProgressReporter({
    onProgress: o.onProgress,
    now,
    intervalMs: o.progressIntervalMs ?? 250,
    rows: o.side,
    imageTokens: imageSequenceLength(o.side, o.side) + (stopAtImageEnd ? 0 : 1),
    imageStepCost: sampler.usesCfg && runner.maxBatch < 2 ? 2 : 1,
  });
  const branches = new Branches(runner, now, (logits: L) => sampler.widthOf(logits));
  const generated: number[] = [];
  const textIds: number[] = [];
  const warnings: string[] = [];
  const gridTokens: number[] = [];
  const t = { start: now(), prefill: 0, imageStart: NaN, imageEnd: NaN, sampling: 0 };
  let imageStartIndex = -1; // index of the image start in `generated`
  let imageTokenCount = 0; // image start .. image end
  let stopReason: GenerationResult['stopReason'] = 'maxNewTokens';
  let imageComplete = false;
  let uncond: L | undefined;

  try {
    throwIfAborted(o.signal);
    const forced = input.forcedText;
    const prefill = forced === undefined ? input.prompt : Int32Array.from([...input.prompt, ...forced, ids.imageStart]);
    if (prefill.length >= maxPositions) {
      throw new EngineError('INVALID_OPTION', `The prompt (${prefill.length} tokens) leaves no room under the model's ${maxPositions} positions.`, 'Use a shorter text.');
    }
    let cond: L = await branches.prefill(prefill);
    t.prefill = now() - t.start;
    if (forced !== undefined) {
      for (const token of [...forced, ids.imageStart]) tracker.push(token);
      textIds.push(...forced);
      generated.push(...forced, ids.imageStart);
      imageStartIndex = generated.length - 1;
      t.imageStart = now();
      progress.setPhase('restore', generated.length - 1); // the image start is the image's first token
    }

    // The reference's max_length counts the whole sequence: prompt + every chosen token.
    while (generated.length < maxNew && input.prompt.length + generated.length < maxPositions) {
      throwIfAborted(o.signal);
      const step = tracker.next();
      let token: number;
      let entropy = NaN;
      let k = 0;
      if (step.mode === 'text' && textIds.length >= maxText) {
        token = ids.imageStart;
        warnings.push(`The text reached ${maxText} tokens without an image; the image start was forced.`);
      } else {
        const s0 = now();
        const r = await sampler.sample({ cond, uncond: step.mode === 'image' ? uncond : undefined }, step, rng);
        t.sampling += now() - s0;
        ({ token, entropy, k } = r);
      }
      if (step.mode === 'grid') {
        if (token !== expectedGrid) {
          warnings.push(`The model chose grid token ${token} for the image ${step.index === 0 ? 'height' : 'width'}; ${expectedGrid} was used.`);
          token = expectedGrid;
        }
        gridTokens.push(token);
      }
      tracker.push(token);
      generated.push(token);

      if (step.mode === 'text') {
        if (token === ids.imageStart && imageStartIndex >= 0) {
          // stopAtImageEnd = false and the model opens a second image: PURE writes one.
          warnings.push('The model started a second image; generation stopped.');
          stopReason = 'imageEnd';
          break;
        }
        if (token === ids.imageStart) {
          imageStartIndex = generated.length - 1;
          t.imageStart = now();
          progress.setPhase('restore', generated.length - 1); // the image start is the image's first token
        } else if (token !== ids.endOfTurn) {
          textIds.push(token);
          if (progress.currentPhase === 'perceive' && o.decodeText !== undefined && perceptionDone(o.decodeText(textIds))) {
            progress.setPhase('understand', generated.length);
          }
        }
      } else if (step.mode === 'image') {
        if (step.slot === 'code') record.code(step.position, o.codeMap.idToCode[token], entropy, k);
        else if (step.slot === 'rowEnd') {
          record.rowEnd();
          if (o.onPreview !== undefined && previewEvery > 0 && record.rowsDone % previewEvery === 0 && record.rowsDone < o.side) {
            o.onPreview({ codes: record.codes.slice(), rowsDone: record.rowsDone });
          }
        }
      }
      const finishedRow = step.mode === 'image' && step.slot !== 'code';
      progress.update(generated.length, textIds.length, record.rowsDone, finishedRow);

      if (token === ids.endOfTurn && step.mode === 'text') {
        stopReason = 'endOfTurn';
        break;
      }
      if (step.mode === 'image' && step.slot === 'imageEnd') {
        imageComplete = record.complete;
        imageTokenCount = generated.length - imageStartIndex;
        t.imageEnd = now();
        uncond = undefined;
        await branches.closeUncond();
        if (stopAtImageEnd) {
          stopReason = 'imageEnd';
          break;
        }
      }
      if (step.mode === 'grid' && step.index === 1 && sampler.usesCfg) {
        [cond, uncond] = await branches.startUncond(token, Int32Array.of(ids.imageStart, gridTokens[0], gridTokens[1]));
      } else if (step.mode === 'image' && uncond !== undefined) {
        [cond, uncond] = await branches.feedBoth(token);
      } else {
        cond = await branches.feedCond(token);
      }
    }
  } catch (error) {
    await branches.closeAll().catch(() => undefined); // keep the first error, not a cleanup one
    throw error;
  }
  await branches.closeAll();

  const end = now();
  if (Number.isNaN(t.imageEnd)) t.imageEnd = end;
  const imageMs = Number.isNaN(t.imageStart) ? 0 : t.imageEnd - t.imageStart;
  if (imageStartIndex >= 0 && imageTokenCount === 0) imageTokenCount = generated.length - imageStartIndex;
  if (!imageComplete) warnings.push('The image is unfinished: LQ codes stand in for the missing part.');
  const text = o.decodeText?.(textIds) ?? '';
  return {
    textIds,
    text,
    textForced: input.forcedText !== undefined,
    perception: parsePerception(text),
    codes: record.codes,
    entropy: record.entropy,
    topK: record.topK,
    imageComplete,
    stopReason,
    tokens: Int32Array.from(generated),
    warnings,
    timings: {
      prefillMs: t.prefill,
      textMs: (Number.isNaN(t.imageStart) ? end : t.imageStart) - t.start - t.prefill,
      imageMs,
      totalMs: end - t.start,
      decoderMs: branches.decoderMs,
      samplingMs: t.sampling,
      imageTokensPerSecond: imageMs > 0 ? (imageTokenCount / imageMs) * 1000 : 0,
    },
  };
}
