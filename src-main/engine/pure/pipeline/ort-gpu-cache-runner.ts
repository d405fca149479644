// A DecoderRunner whose KV cache never leaves the GPU: the decoder session is created with
// preferredOutputLocation 'gpu-buffer' for every present.* output and 'cpu' for the logits, and
// each step feeds the previous step's present.* tensors (GPU buffers) straight back as
// past_key_values.*. Per step only the new token, its position, the attention mask (none with a
// split graph) and the logits (none with logitsOnDevice) cross between host and device (`traffic`
// counts them), never the cache. On the CPU provider (tests) the same runner keeps it in host memory.
// Needs an execution provider with gpu-buffer outputs in onnxruntime-node: WebGPU (measured
// with onnxruntime-node 1.30; see docs/gpu-kv-cache.md and scripts/probe-webgpu.ts).
// A long prompt goes in chunks of prefillChunk tokens, as on the host: one call over the whole
// prompt would hold (heads, prompt, prompt) attention scores at once (2.3 GB per layer for the
// 7B's 4200-token prompt) and, measured on lavapipe, ran about 20 times slower than chunks.
// With a 'split' graph (decoder-graph.ts) the cache has two parts: a big one fed back unchanged
// and a small recent one that each call returns grown by the new tokens; every `foldEvery` tokens
// the small part is folded into the big one (kv-fold.ts). A step then copies the small part only,
// where a concat graph copies the whole cache into each step's present.

import * as ort from 'onnxruntime-node';
import { EngineError } from '../../common/errors';
import type { DecoderConfig } from '../config';
import { DECODER_IO, SPLIT_DECODER_IO } from '../decoder/decoder-graph';
import { PREFILL_CHUNK } from '../preflight/memory-estimate';
import type { DecoderDtype } from '../decoder/decoder-graph';
import { HostTraffic } from '../../runtime/host-traffic';
import { KvFold } from './kv-fold';
import { LogitsDownload } from './logits-download';
import { stepTensors } from './step-tensors';
import type { DecoderRunner, DecoderStep, SequenceId } from '../generation/runner';

interface DeviceCache {
  /** Tokens in the sequence (both parts of a split cache). */
  length: number;
  keys: ort.Tensor[]; // per layer (1, kv_heads, n, head_dim): the whole cache, or a split cache's small part
  values: ort.Tensor[];
  /**
   * Split cache only: the big part, fed back unchanged until the next fold. Its tensors hold one
   * more slot than `length`: a leading sink of zeros the graph never attends (static-mask.ts
   * splitMask), so that no product runs over an empty part (WebGPU crashes on one).
   */
  big?: { keys: ort.Tensor[]; values: ort.Tensor[]; length: number };
  /** (1, 1, vocab) of the last call, when left on the device: freed by the sequence's next call. */
  logits?: ort.Tensor;
}

/** Tokens a split cache's small part collects before it is folded into the big part. */
export const FOLD_EVERY = 256;

export interface GpuCacheRunnerOptions {
  /** Default webgpu: the provider whose outputs can stay on the device in onnxruntime-node. */
  provider?: string;
  session?: ort.InferenceSession.SessionOptions;
  /** Prompt tokens per call; default PREFILL_CHUNK. */
  prefillChunk?: number;
  /**
   * Leave the logits on the device too, for a sampler that runs there (deviceLogits()); forward()
   * then reads them through a download session. Default false: logits come back to the host.
   */
  logitsOnDevice?: boolean;
  /** The graph's cache design: 'concat' (default; what packages hold) or 'split' (two parts). */
  cache?: 'concat' | 'split';
  /** Split cache: fold the small part into the big one once it holds this many tokens. Default FOLD_EVERY. */
  foldEvery?: number;
}

export class OrtGpuCacheRunner implements DecoderRunner {
  readonly vocabSize: number;
  readonly maxBatch = 1;
  /** Host <-> device bytes over all calls: the host-side inputs uploaded, the 'cpu' outputs downloaded. */
  readonly traffic = new HostTraffic();
  /** Split cache: folds done, for tests and benches. */
  folds = 0;
  private readonly caches = new Map<SequenceId, DeviceCache>();
  private nextId = 1;

  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly config: DecoderConfig,
    private readonly dtype: DecoderDtype,
    private readonly prefillChunk: number,
    /** Set when the logits stay on the device: the only way to read them on the host. */
    private readonly download: LogitsDownload | undefined,
    /** Set for a split graph. */
    private readonly folder: { kv: KvFold; every: number } | undefined,
  ) {
    this.vocabSize = config.vocabSize;
  }

  /** A decoder session on the provider (default webgpu) whose present.* outputs stay on the device. */
  static async create(model: string | Uint8Array, config: DecoderConfig, dtype: DecoderDtype, options: GpuCacheRunnerOptions = {}): Promise<OrtGpuCacheRunner> {
    const provider = options.provider ?? 'webgpu';
    const split = options.cache === 'split';
    // The cache stays where the provider computes: on the device, or in host memory on the CPU (tests).
    const kept = provider === 'cpu' ? 'cpu' : 'gpu-buffer';
    const location: Record<string, 'cpu' | 'gpu-buffer'> = { [DECODER_IO.logits]: options.logitsOnDevice ? kept : 'cpu' };
    for (let i = 0; i < config.numLayers; i++) {
      location[split ? SPLIT_DECODER_IO.presentSmallKey(i) : DECODER_IO.presentKey(i)] = kept;
      location[split ? SPLIT_DECODER_IO.presentSmallValue(i) : DECODER_IO.presentValue(i)] = kept;
    }
    const opts: ort.InferenceSession.SessionOptions = { ...options.session, executionProviders: [provider], preferredOutputLocation: location };
    const session = typeof model === 'string' ? await ort.InferenceSession.create(model, opts) : await ort.InferenceSession.create(model, opts);
    // Only a concat or split graph hands its cache back as outputs: a static one has nothing to keep on the device.
    const fits = split ? session.inputNames.includes(SPLIT_DECODER_IO.bigKey(0)) : session.inputNames.includes(DECODER_IO.attentionMask) && session.outputNames.includes(DECODER_IO.presentKey(0));
    if (!fits) {
      await session.release();
      throw new EngineError('MODEL_FORMAT', `The PURE decoder graph given to the GPU cache runner is not a ${split ? 'split' : 'concat'}-cache graph.`, 'Convert the model again: new packages hold both decoder graphs.');
    }
    const release = async (error: unknown): Promise<never> => {
      await session.release();
      throw error;
    };
    const download = options.logitsOnDevice ? await LogitsDownload.create(provider).catch(release) : undefined;
    const folder = split ? { kv: await KvFold.create(provider, dtype === 'fp32' ? 'float32' : 'float16', kept).catch(release), every: options.foldEvery ?? FOLD_EVERY } : undefined;
    return new OrtGpuCacheRunner(session, config, dtype, options.prefillChunk ?? PREFILL_CHUNK, download, folder);
  }

  openSequence(): Promise<SequenceId> {
    const id = this.nextId++;
    const c = this.config;
    // A zero-length past: host tensors of 0 bytes (nothing to upload).
    // fp16 and int4 graphs keep their cache in float16 (decoder-layer.ts isHalfCompute).
    const half = this.dtype !== 'fp32';
    const slots = (n: number) => () => new ort.Tensor(half ? 'float16' : 'float32', half ? new Uint16Array(n * c.numKvHeads * c.headDim) : new Float32Array(n * c.numKvHeads * c.headDim), [1, c.numKvHeads, n, c.headDim]);
    const layers = (n: number) => Array.from({ length: c.numLayers }, slots(n));
    // A split cache's big part starts as its sink slot alone (uploaded until the first fold).
    this.caches.set(id, { length: 0, keys: layers(0), values: layers(0), ...(this.folder && { big: { keys: layers(1), values: layers(1), length: 0 } }) });
    return Promise.resolve(id);
  }

  /** DecoderRunner: the logits in host memory (read through the download session when they stay on the device). */
  async forward(steps: readonly DecoderStep[]): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (const logits of await this.forwardTensors(steps)) {
      const host = this.download ? await this.download.read(logits) : (logits.data as Float32Array);
      out.push(host.subarray(0, this.vocabSize)); // (vocab,)
    }
    return out;
  }

  /**
   * Each step's (1, 1, vocab) logits as the session left them: in host memory, or on the device
   * with logitsOnDevice. Valid until the next call that includes the same sequence.
   */
  async forwardTensors(steps: readonly DecoderStep[]): Promise<ort.Tensor[]> {
    const out: ort.Tensor[] = [];
    for (const step of steps) {
      const past = this.caches.get(step.sequence);
      if (!past) throw new Error(`sequence ${step.sequence} is not open`);
      if (past.length !== step.position) throw new Error(`sequence ${step.sequence} is at ${past.length}, step says ${step.position}`);
      let logits: ort.Tensor | undefined;
      for (let from = 0; from < step.tokens.length; from += this.prefillChunk) {
        logits = await this.call(step.sequence, step.tokens.subarray(from, from + this.prefillChunk));
      }
      out.push(logits!);
    }
    return out;
  }

  /** What reading device logits on the host brought down (logitsOnDevice only). */
  get readTraffic(): HostTraffic | undefined {
    return this.download?.traffic;
  }

  /** Whether the logits stay on the device (created with logitsOnDevice). */
  get logitsOnDevice(): boolean {
    return this.download !== undefined;
  }

  /** The same runner handing back device logits, for a sampler that runs on the device. */
  deviceLogits(): DecoderRunner<ort.Tensor> {
    if (!this.download) throw new Error('deviceLogits() needs a runner created with logitsOnDevice');
    return {
      vocabSize: this.vocabSize,
      maxBatch: this.maxBatch,
      openSequence: () => this.openSequence(),
      forward: (steps) => this.forwardTensors(steps),
      closeSequence: (sequence) => this.closeSequence(sequence),
    };
  }

  /** Reads device logits into host memory (a sampler's rare redo). */
  readLogits(logits: ort.Tensor): Promise<Float32Array> {
    return this.download ? this.download.read(logits) : Promise.resolve(logits.data as Float32Array);
  }

  /** One decoder call appending `tokens` to the sequence's device cache: the logits at the last one, (1, 1, vocab). */
  private async call(sequence: SequenceId, tokens: Int32Array): Promise<ort.Tensor> {
    const past = this.caches.get(sequence)!;
    const host = stepTensors([{ tokens, position: past.length, pad: 0 }], past.length); // (1, n) ids and positions, (1, past + n) mask
    const feeds: Record<string, ort.Tensor> = {
      [DECODER_IO.inputIds]: host.inputIds,
      [DECODER_IO.positionIds]: host.positionIds,
      [DECODER_IO.logitsPositions]: host.logitsPositions,
    };
    const L = this.config.numLayers;
    if (past.big) {
      // A split graph needs no mask: every slot of both parts is the one sequence's.
      for (let i = 0; i < L; i++) {
        [feeds[SPLIT_DECODER_IO.bigKey(i)], feeds[SPLIT_DECODER_IO.bigValue(i)]] = [past.big.keys[i], past.big.values[i]];
        [feeds[SPLIT_DECODER_IO.smallKey(i)], feeds[SPLIT_DECODER_IO.smallValue(i)]] = [past.keys[i], past.values[i]];
      }
    } else {
      feeds[DECODER_IO.attentionMask] = host.attentionMask;
      for (let i = 0; i < L; i++) [feeds[DECODER_IO.pastKey(i)], feeds[DECODER_IO.pastValue(i)]] = [past.keys[i], past.values[i]];
    }
    const result = await this.traffic.run(this.session, feeds);
    const logits = result[DECODER_IO.logits]; // (1, 1, vocab)
    const present: DeviceCache = { length: past.length + tokens.length, keys: [], values: [], logits, ...(past.big && { big: past.big }) };
    for (let i = 0; i < L; i++) {
      present.keys.push(result[past.big ? SPLIT_DECODER_IO.presentSmallKey(i) : DECODER_IO.presentKey(i)]);
      present.values.push(result[past.big ? SPLIT_DECODER_IO.presentSmallValue(i) : DECODER_IO.presentValue(i)]);
    }
    disposeCache(past); // the old whole cache, or the old small part (the big part goes on)
    this.caches.set(sequence, present);
    if (present.big && this.folder && present.length - present.big.length >= this.folder.every) await this.fold(present);
    return logits;
  }

  /** Folds a split cache's small part into its big part, layer by layer, and starts a new small part. */
  private async fold(c: DeviceCache): Promise<void> {
    const big = c.big!;
    const kv = this.folder!.kv;
    for (let i = 0; i < this.config.numLayers; i++) {
      for (const [parts, small] of [[big.keys, c.keys], [big.values, c.values]] as const) {
        const folded = await kv.fold(parts[i], small[i]); // (1, kv_heads, 1 + big + small, head_dim): the sink stays first
        free(parts[i]);
        free(small[i]);
        parts[i] = folded;
        small[i] = new ort.Tensor(folded.type as 'float16' | 'float32', folded.type === 'float16' ? new Uint16Array(0) : new Float32Array(0), [1, this.config.numKvHeads, 0, this.config.headDim]);
      }
    }
    big.length = c.length;
    this.folds++;
  }

  /** Where each present.* output of the last step lives ('gpu-buffer' when the cache stayed on the device). */
  cacheLocations(sequence: SequenceId): string[] {
    const c = this.caches.get(sequence);
    return c ? [...c.keys, ...c.values].map((t) => t.location) : [];
  }

  closeSequence(sequence: SequenceId): Promise<void> {
    const c = this.caches.get(sequence);
    this.caches.delete(sequence);
    if (c) {
      disposeCache(c);
      for (const t of [...(c.big?.keys ?? []), ...(c.big?.values ?? [])]) free(t);
    }
    return Promise.resolve();
  }

  async release(): Promise<void> {
    for (const id of [...this.caches.keys()]) await this.closeSequence(id);
    await Promise.all([this.session.release(), this.download?.release(), this.folder?.kv.release()]);
  }
}

/** Frees a device buffer (host tensors have nothing to free). */
function free(t: ort.Tensor): void {
  if (t.location === 'gpu-buffer') t.dispose();
}

/** Frees the device buffers of a cache that was replaced (a split cache's small part) and its logits. */
function disposeCache(c: DeviceCache): void {
  for (const t of [...c.keys, ...c.values, ...(c.logits ? [c.logits] : [])]) free(t);
}
