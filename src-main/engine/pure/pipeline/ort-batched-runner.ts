// The generation loop's DecoderRunner with CFG batched: when one forward() carries the
// conditional and the unconditional step, both run in ONE decoder call over a batch-2 KV cache.
// The branches differ in length (the unconditional one lacks the prompt and the text), so the
// shorter row is left-padded and its pad slots are hidden by the attention mask; position ids are
// given per row. The pair's cache is built from the two batch-1 caches the first time they are
// batched, and kept as one batch-2 cache from then on; a sequence used alone again is taken back
// out (a copy). Padding costs the pad slots (the prompt's length) in every batched step: attention
// over them, their copies into and out of the call, and that many more KV slots in memory.
// bench/pure-tiny.bench.ts measures the trade; decoder-runner-choice.ts picks the default.

import type { DecoderSession, KvCache } from '../decoder/decoder-session';
import type { DecoderRunner, DecoderStep, SequenceId } from '../generation/runner';
import { stackLeftPadded, takeRow } from './kv-rows';
import type { PaddedCache } from './kv-rows';
import { appendTokens } from './concat-prefill';
import { stepTensors } from './step-tensors';

/** Two sequences sharing a batch-2 cache; a closed member leaves its row behind (undefined). */
interface Pair {
  padded: PaddedCache; // rows 0 and 1
  members: [SequenceId | undefined, SequenceId | undefined];
}

type Slot = { kind: 'solo'; cache: KvCache } | { kind: 'paired'; pair: Pair; row: 0 | 1 };

export class OrtBatchedRunner implements DecoderRunner {
  readonly vocabSize: number;
  readonly maxBatch = 2;
  private readonly slots = new Map<SequenceId, Slot>();
  private nextId = 1;
  /** Pad slots attended over, summed over batched calls: the padding's cost, for benches. */
  padSlotSteps = 0;
  /** Caches copied to form or to leave a pair: for tests and benches. */
  merges = 0;
  splits = 0;

  constructor(private readonly session: DecoderSession) {
    this.vocabSize = session.config.vocabSize;
  }

  openSequence(): Promise<SequenceId> {
    const id = this.nextId++;
    this.slots.set(id, { kind: 'solo', cache: this.session.emptyCache(1) });
    return Promise.resolve(id);
  }

  async forward(steps: readonly DecoderStep[]): Promise<Float32Array[]> {
    if (steps.length === 1) return [await this.forwardSolo(steps[0])];
    if (steps.length === 2) return this.forwardPair(steps[0], steps[1]);
    throw new Error(`batch ${steps.length} > maxBatch ${this.maxBatch}`);
  }

  closeSequence(sequence: SequenceId): Promise<void> {
    const slot = this.slots.get(sequence);
    this.slots.delete(sequence);
    // The partner keeps the pair's cache: it is taken out only if the partner runs alone again
    // (after an image end the loop usually stops, and the copy would be wasted).
    if (slot?.kind === 'paired') slot.pair.members[slot.row] = undefined;
    return Promise.resolve();
  }

  private async forwardSolo(step: DecoderStep): Promise<Float32Array> {
    const past = this.soloCache(step.sequence);
    if (past.length !== step.position) throw new Error(`sequence ${step.sequence} is at ${past.length}, step says ${step.position}`);
    const { cache, logits } = await appendTokens(this.session, past, step.tokens);
    this.slots.set(step.sequence, { kind: 'solo', cache });
    return logits; // (vocab,): the last token's logits
  }

  private async forwardPair(a: DecoderStep, b: DecoderStep): Promise<Float32Array[]> {
    if (a.sequence === b.sequence) throw new Error(`sequence ${a.sequence} twice in one call`);
    const pair = this.pairOf(a.sequence, b.sequence);
    const { cache, pads } = pair.padded;
    const length = cache.length;
    // Step order need not be row order: rowOf[i] is the row of steps[i].
    const steps = [a, b];
    const rowOf = steps.map((s) => (pair.members[0] === s.sequence ? 0 : 1));
    const byRow = rowOf[0] === 0 ? steps : [b, a];
    byRow.forEach((s, r) => {
      if (length - pads[r] !== s.position) throw new Error(`sequence ${s.sequence} is at ${length - pads[r]}, step says ${s.position}`);
    });

    const feeds = stepTensors(byRow.map((s, r) => ({ tokens: s.tokens, position: s.position, pad: pads[r] })), length);
    const result = await this.session.runTensors({ ...feeds, past: cache });
    pair.padded = { cache: result.present, pads };
    this.padSlotSteps += a.tokens.length * (pads[0] + pads[1]);
    const V = this.vocabSize;
    return rowOf.map((r) => result.logits.subarray(r * V, (r + 1) * V)); // (vocab,) per step
  }

  /** The pair holding exactly these two sequences, made from their own caches if need be. */
  private pairOf(x: SequenceId, y: SequenceId): Pair {
    const sx = this.slot(x);
    const sy = this.slot(y);
    if (sx.kind === 'paired' && sy.kind === 'paired' && sx.pair === sy.pair) return sx.pair;
    const pair: Pair = { padded: stackLeftPadded([this.soloCache(x), this.soloCache(y)]), members: [x, y] };
    this.merges++;
    this.slots.set(x, { kind: 'paired', pair, row: 0 });
    this.slots.set(y, { kind: 'paired', pair, row: 1 });
    return pair;
  }

  /** The sequence's own batch-1 cache, taking it out of its pair first if it is in one. */
  private soloCache(sequence: SequenceId): KvCache {
    const slot = this.slot(sequence);
    if (slot.kind === 'solo') return slot.cache;
    const cache = takeRow(slot.pair.padded, slot.row);
    this.splits++;
    this.slots.set(sequence, { kind: 'solo', cache });
    slot.pair.members[slot.row] = undefined;
    return cache;
  }

  private slot(sequence: SequenceId): Slot {
    const slot = this.slots.get(sequence);
    if (!slot) throw new Error(`sequence ${sequence} is not open`);
    return slot;
  }
}
