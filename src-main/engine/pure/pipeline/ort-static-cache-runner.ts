// The generation loop's DecoderRunner over the static-cache decoder graph (decoder-graph.ts with
// cache 'static'): the KV cache lives in JavaScript-owned buffers (static-kv-slab.ts) that every
// call reads in place, and a call returns only the logits and the new tokens' K/V, which are
// written into the buffers here. A decode step thus moves kilobytes whatever the context length,
// where the concat runners copy the whole cache out of onnxruntime every step.
// CFG's two branches can share one batch-2 call (maxBatch 2): each branch owns a row of the same
// buffers and the rows may be at any lengths (past_lengths masks each row's unused tail), so there
// is no left padding and no merge or split copy. A long prompt is fed in chunks of prefillChunk
// tokens, which caps the (heads, chunk, capacity) attention scores of a prefill call.

import * as ort from 'onnxruntime-node';
import { EngineError } from '../../common/errors';
import { DECODER_IO, STATIC_DECODER_IO } from '../decoder/decoder-graph';
import type { DecoderSession } from '../decoder/decoder-session';
import type { DecoderRunner, DecoderStep, SequenceId } from '../generation/runner';
import type { HostTraffic } from '../../runtime/host-traffic';
import { PREFILL_CHUNK } from '../preflight/memory-estimate';
import { StaticKvSlab } from './static-kv-slab';

export interface StaticCacheRunnerOptions {
  /** 2: both CFG branches in one call, as two rows of one buffer; 1: one call per sequence. Default 2. */
  maxBatch?: 1 | 2;
  /** New tokens per decoder call while prefilling; default 512. */
  prefillChunk?: number;
  /** Capacity growth in slots; default 256 (the unused tail is attended over, masked). */
  growBy?: number;
}

export const STATIC_CACHE_DEFAULTS = { maxBatch: 2, prefillChunk: PREFILL_CHUNK, growBy: 256 } as const;

interface Place {
  slab: StaticKvSlab;
  row: number;
}

/** One sequence's part of a call: its step, where its cache is, and its index in the call's batch. */
interface Entry {
  step: DecoderStep;
  place: Place;
  b: number;
}

export class OrtStaticCacheRunner implements DecoderRunner {
  readonly vocabSize: number;
  readonly maxBatch: 1 | 2;
  private readonly prefillChunk: number;
  private readonly growBy: number;
  private readonly slabs: StaticKvSlab[] = [];
  private readonly places = new Map<SequenceId, Place>();
  private nextId = 1;
  /**
   * Host <-> device bytes of the decoder calls. On a GPU provider every call uploads the whole
   * JS-owned cache (the rows it reads, at their capacity) and downloads logits + new K/V; on the
   * CPU nothing crosses and these are the bytes a call reads and writes in host memory.
   */
  get traffic(): HostTraffic {
    return this.session.traffic;
  }

  constructor(
    private readonly session: DecoderSession,
    options: StaticCacheRunnerOptions = {},
  ) {
    if (!session.session.inputNames.includes(STATIC_DECODER_IO.pastLengths)) {
      throw new EngineError('MODEL_FORMAT', 'This PURE decoder graph has no static KV cache inputs.', 'Convert the model again, or use a concat-cache runner (cfgBatching batched / one-by-one).');
    }
    this.vocabSize = session.config.vocabSize;
    this.maxBatch = options.maxBatch ?? STATIC_CACHE_DEFAULTS.maxBatch;
    this.prefillChunk = options.prefillChunk ?? STATIC_CACHE_DEFAULTS.prefillChunk;
    this.growBy = options.growBy ?? STATIC_CACHE_DEFAULTS.growBy;
  }

  /** Bytes held by all KV buffers now. */
  get cacheBytes(): number {
    return this.slabs.reduce((a, s) => a + s.bytes, 0);
  }

  /** Bytes copied by capacity growth so far. */
  get grownBytes(): number {
    return this.slabs.reduce((a, s) => a + s.grownBytes, 0);
  }

  openSequence(): Promise<SequenceId> {
    const id = this.nextId++;
    const taken = new Set([...this.places.values()].map((p) => `${this.slabs.indexOf(p.slab)}:${p.row}`));
    let place: Place | undefined;
    for (const [si, slab] of this.slabs.entries()) {
      for (let row = 0; row < slab.rows && !place; row++) if (!taken.has(`${si}:${row}`)) place = { slab, row };
      if (place) break;
    }
    if (!place) {
      const c = this.session.config;
      const slab = new StaticKvSlab({ layers: c.numLayers, kvHeads: c.numKvHeads, headDim: c.headDim, type: this.session.dtype === 'fp32' ? 'float32' : 'float16' }, this.maxBatch, this.growBy);
      this.slabs.push(slab);
      place = { slab, row: 0 };
    }
    place.slab.clearRow(place.row);
    this.places.set(id, place);
    return Promise.resolve(id);
  }

  async forward(steps: readonly DecoderStep[]): Promise<Float32Array[]> {
    if (steps.length > this.maxBatch) throw new Error(`batch ${steps.length} > maxBatch ${this.maxBatch}`);
    const entries = steps.map((step) => {
      const place = this.places.get(step.sequence);
      if (!place) throw new Error(`sequence ${step.sequence} is not open`);
      const at = place.slab.lengths[place.row];
      if (at !== step.position) throw new Error(`sequence ${step.sequence} is at ${at}, step says ${step.position}`);
      return { step, place, b: 0 };
    });
    if (entries.length === 2 && entries[0].step.sequence === entries[1].step.sequence) throw new Error(`sequence ${steps[0].sequence} twice in one call`);
    // Two sequences filling the two rows of one buffer run as one batch-2 call over the whole
    // buffer (batch index = row); anything else runs one sequence per call over its row's view.
    const [a, b] = entries;
    if (b && a.place.slab === b.place.slab && a.place.slab.rows === 2) {
      a.b = a.place.row;
      b.b = b.place.row;
      return this.run(entries, false);
    }
    const out: Float32Array[] = [];
    for (const e of entries) out.push(...(await this.run([e], true)));
    return out;
  }

  closeSequence(sequence: SequenceId): Promise<void> {
    this.places.delete(sequence);
    return Promise.resolve();
  }

  /** All of the entries' tokens, in chunks; the logits at each entry's last token. */
  private async run(entries: Entry[], rowView: boolean): Promise<Float32Array[]> {
    const n = entries[0].step.tokens.length;
    if (entries.some((e) => e.step.tokens.length !== n)) throw new Error('steps of one call differ in length');
    let logits: Float32Array[] = [];
    for (let from = 0; from < n; from += this.prefillChunk) {
      logits = await this.call(entries, from, Math.min(this.prefillChunk, n - from), rowView);
    }
    return logits;
  }

  /** One decoder call for tokens [from, from + count) of every entry. */
  private async call(entries: Entry[], from: number, count: number, rowView: boolean): Promise<Float32Array[]> {
    const slab = entries[0].place.slab;
    slab.reserve(Math.max(...entries.map((e) => slab.lengths[e.place.row])) + count);
    // Rows in batch order: a batch-2 call covers rows 0 and 1 in that order.
    const byBatch = [...entries].sort((x, y) => x.b - y.b);
    const batch = byBatch.length;
    const ids = new BigInt64Array(batch * count); // (batch, count)
    const positions = new BigInt64Array(batch * count); // (batch, count)
    const lengths = new BigInt64Array(batch); // (batch)
    byBatch.forEach((e, r) => {
      const at = slab.lengths[e.place.row];
      lengths[r] = BigInt(at);
      for (let j = 0; j < count; j++) {
        ids[r * count + j] = BigInt(e.step.tokens[from + j]);
        positions[r * count + j] = BigInt(at + j);
      }
    });
    const feeds: Record<string, ort.Tensor> = {
      [DECODER_IO.inputIds]: new ort.Tensor('int64', ids, [batch, count]),
      [DECODER_IO.positionIds]: new ort.Tensor('int64', positions, [batch, count]),
      [STATIC_DECODER_IO.pastLengths]: new ort.Tensor('int64', lengths, [batch]),
      [DECODER_IO.logitsPositions]: new ort.Tensor('int64', new BigInt64Array(batch).fill(BigInt(count - 1)), [batch, 1]), // (batch, 1)
    };
    const row = rowView ? entries[0].place.row : undefined;
    const layers = this.session.config.numLayers;
    for (let i = 0; i < layers; i++) {
      feeds[STATIC_DECODER_IO.bufferKey(i)] = slab.tensor('key', i, row);
      feeds[STATIC_DECODER_IO.bufferValue(i)] = slab.tensor('value', i, row);
    }
    const out = await this.session.traffic.run(this.session.session, feeds);
    for (let i = 0; i < layers; i++) {
      for (const [r, e] of byBatch.entries()) {
        slab.write('key', i, e.place.row, out[STATIC_DECODER_IO.newKey(i)], r);
        slab.write('value', i, e.place.row, out[STATIC_DECODER_IO.newValue(i)], r);
      }
    }
    for (const e of byBatch) slab.advance(e.place.row, count);
    const V = this.vocabSize;
    const all = out[DECODER_IO.logits].data as Float32Array; // (batch, 1, vocab)
    return entries.map((e) => all.subarray(byBatch.indexOf(e) * V, (byBatch.indexOf(e) + 1) * V)); // (vocab,) per entry, in step order
  }
}
