// Runs a decoder graph (decoder-graph.ts) in ONNX Runtime: builds the feeds from plain arrays,
// threads the KV cache from one call to the next, and returns the logits. Used by the tests and
// the perf probe; the generation loop can use it as it is.

import * as ort from 'onnxruntime-node';
import type { DecoderConfig } from '../config';
import { DECODER_IO, STATIC_DECODER_IO } from './decoder-graph';
import type { DecoderCacheKind, DecoderDtype } from './decoder-graph';
import { toFloat16Bits } from './weight-prep';
import { HostTraffic } from '../../runtime/host-traffic';

/** The cache after some tokens: per layer (batch, kv_heads, length, head_dim) tensors. */
export interface KvCache {
  length: number;
  keys: ort.Tensor[];
  values: ort.Tensor[];
}

export interface DecoderStep {
  /** (batch, seq) new tokens. */
  inputIds: readonly (readonly number[])[];
  /** (batch, seq); default: past length + 0..seq-1 (right for unpadded rows). */
  positionIds?: readonly (readonly number[])[];
  /** (batch, past + seq), 1 = real token; default: all ones. */
  attentionMask?: readonly (readonly number[])[];
  /** (batch, n_select) indices into the new tokens; default: the last one. */
  logitsPositions?: readonly (readonly number[])[];
  /** default: empty. */
  past?: KvCache;
}

/** One step's feeds as ready int64 tensors, for callers that build them without per-value BigInts. */
export interface DecoderTensorStep {
  inputIds: ort.Tensor; // (batch, seq)
  positionIds: ort.Tensor; // (batch, seq)
  attentionMask: ort.Tensor; // (batch, past + seq)
  logitsPositions: ort.Tensor; // (batch, n_select)
  past: KvCache;
}

export interface DecoderResult {
  /** (batch, n_select, vocab), row-major. */
  logits: Float32Array;
  dims: readonly number[];
  present: KvCache;
}

export class DecoderSession {
  /** Host <-> device bytes of every run of this session (what crosses on a GPU provider). */
  readonly traffic = new HostTraffic();

  private constructor(
    readonly session: ort.InferenceSession,
    readonly config: DecoderConfig,
    readonly dtype: DecoderDtype,
  ) {}

  /** `model`: .onnx bytes, or a file path (required when the weights are external data). */
  static async create(model: Uint8Array | string, config: DecoderConfig, dtype: DecoderDtype, options: ort.InferenceSession.SessionOptions = {}): Promise<DecoderSession> {
    const session = typeof model === 'string' ? await ort.InferenceSession.create(model, options) : await ort.InferenceSession.create(model, options);
    return new DecoderSession(session, config, dtype);
  }

  /** Which cache design the loaded graph has: its inputs say (run() and runTensors() need 'concat'). */
  get cacheKind(): DecoderCacheKind {
    return this.session.inputNames.includes(STATIC_DECODER_IO.pastLengths) ? 'static' : 'concat';
  }

  /** A zero-length cache for `batch` rows. */
  emptyCache(batch: number): KvCache {
    const c = this.config;
    const empty = () => this.kvTensor(new Float32Array(0), [batch, c.numKvHeads, 0, c.headDim]);
    return { length: 0, keys: Array.from({ length: c.numLayers }, empty), values: Array.from({ length: c.numLayers }, empty) };
  }

  /** A cache tensor from f32 values (rounded to fp16 for an fp16 model). */
  kvTensor(data: Float32Array, dims: number[]): ort.Tensor {
    if (this.dtype === 'fp32') return new ort.Tensor('float32', data, dims);
    return new ort.Tensor('float16', toFloat16Bits(data), dims);
  }

  async run(step: DecoderStep): Promise<DecoderResult> {
    const batch = step.inputIds.length;
    const seq = step.inputIds[0].length;
    if (this.cacheKind === 'static') return this.runStaticFromEmpty(step);
    const past = step.past ?? this.emptyCache(batch);
    const positions = step.positionIds ?? step.inputIds.map((row) => row.map((_, j) => past.length + j));
    const mask = step.attentionMask ?? step.inputIds.map(() => new Array<number>(past.length + seq).fill(1));
    const select = step.logitsPositions ?? step.inputIds.map(() => [seq - 1]);
    return this.runTensors({
      inputIds: int64(step.inputIds, seq),
      positionIds: int64(positions, seq),
      attentionMask: int64(mask, past.length + seq),
      logitsPositions: int64(select, select[0].length),
      past,
    });
  }

  async runTensors(step: DecoderTensorStep): Promise<DecoderResult> {
    const c = this.config;
    const { past } = step;
    const feeds: Record<string, ort.Tensor> = {
      [DECODER_IO.inputIds]: step.inputIds,
      [DECODER_IO.positionIds]: step.positionIds,
      [DECODER_IO.attentionMask]: step.attentionMask,
      [DECODER_IO.logitsPositions]: step.logitsPositions,
    };
    for (let i = 0; i < c.numLayers; i++) {
      feeds[DECODER_IO.pastKey(i)] = past.keys[i];
      feeds[DECODER_IO.pastValue(i)] = past.values[i];
    }
    const out = await this.traffic.run(this.session, feeds);
    const logits = out[DECODER_IO.logits];
    const present: KvCache = { length: past.length + step.inputIds.dims[1], keys: [], values: [] };
    for (let i = 0; i < c.numLayers; i++) {
      present.keys.push(out[DECODER_IO.presentKey(i)]);
      present.values.push(out[DECODER_IO.presentValue(i)]);
    }
    return { logits: logits.data as Float32Array, dims: logits.dims, present };
  }

  /**
   * run() on a static-cache graph, for callers that want logits of whole sequences (checks and
   * tests): an empty cache only (the generation loop uses OrtStaticCacheRunner, which owns the
   * buffers). `present` is the sequence's K/V, as the concat graph would return it.
   */
  private async runStaticFromEmpty(step: DecoderStep): Promise<DecoderResult> {
    const c = this.config;
    if (step.past && step.past.length > 0) throw new Error('run() with a past cache needs a concat graph: use OrtStaticCacheRunner for a static one');
    if (step.attentionMask?.some((row) => row.includes(0))) throw new Error('a static-cache graph takes no padding mask');
    const batch = step.inputIds.length;
    const seq = step.inputIds[0].length;
    const positions = step.positionIds ?? step.inputIds.map((row) => row.map((_, j) => j));
    const select = step.logitsPositions ?? step.inputIds.map(() => [seq - 1]);
    // One masked slot of zeros: past_lengths 0 hides it, and the graph needs a buffer to read.
    const buffer = () => this.kvTensor(new Float32Array(batch * c.numKvHeads * c.headDim), [batch, c.numKvHeads, 1, c.headDim]);
    const feeds: Record<string, ort.Tensor> = {
      [DECODER_IO.inputIds]: int64(step.inputIds, seq),
      [DECODER_IO.positionIds]: int64(positions, seq),
      [STATIC_DECODER_IO.pastLengths]: new ort.Tensor('int64', new BigInt64Array(batch), [batch]),
      [DECODER_IO.logitsPositions]: int64(select, select[0].length),
    };
    for (let i = 0; i < c.numLayers; i++) {
      feeds[STATIC_DECODER_IO.bufferKey(i)] = buffer();
      feeds[STATIC_DECODER_IO.bufferValue(i)] = buffer();
    }
    const out = await this.traffic.run(this.session, feeds);
    const present: KvCache = { length: seq, keys: [], values: [] };
    for (let i = 0; i < c.numLayers; i++) {
      present.keys.push(out[STATIC_DECODER_IO.newKey(i)]);
      present.values.push(out[STATIC_DECODER_IO.newValue(i)]);
    }
    const logits = out[DECODER_IO.logits];
    return { logits: logits.data as Float32Array, dims: logits.dims, present };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

function int64(rows: readonly (readonly number[])[], width: number): ort.Tensor {
  const data = new BigInt64Array(rows.length * width);
  rows.forEach((row, r) => {
    if (row.length !== width) throw new Error(`ragged input: row ${r} has ${row.length} values, expected ${width}`);
    row.forEach((v, j) => (data[r * width + j] = BigInt(v)));
  });
  return new ort.Tensor('int64', data, [rows.length, width]);
}

