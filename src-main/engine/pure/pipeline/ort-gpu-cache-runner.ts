// A DecoderRunner whose KV cache never leaves the GPU: the decoder session is created with
// preferredOutputLocation 'gpu-buffer' for every present.* output and 'cpu' for the logits, and
// each step feeds the previous step's present.* tensors (GPU buffers) straight back as
// past_key_values.*. Per step only the new token, its position, the attention mask and the
// logits cross between host and device (`traffic` counts them), never the cache.
// Needs an execution provider with gpu-buffer outputs in onnxruntime-node: WebGPU (measured
// with onnxruntime-node 1.30; see docs/gpu-kv-cache.md and scripts/probe-webgpu.ts).
// A long prompt goes in chunks of prefillChunk tokens, as on the host: one call over the whole
// prompt would hold (heads, prompt, prompt) attention scores at once (2.3 GB per layer for the
// 7B's 4200-token prompt) and, measured on lavapipe, ran about 20 times slower than chunks.

import * as ort from 'onnxruntime-node';
import { EngineError } from '../../common/errors';
import type { DecoderConfig } from '../config';
import { DECODER_IO } from '../decoder/decoder-graph';
import { PREFILL_CHUNK } from '../preflight/memory-estimate';
import type { DecoderDtype } from '../decoder/decoder-graph';
import { HostTraffic } from '../../runtime/host-traffic';
import { LogitsDownload } from './logits-download';
import { stepTensors } from './step-tensors';
import type { DecoderRunner, DecoderStep, SequenceId } from '../generation/runner';

interface DeviceCache {
  length: number;
  keys: ort.Tensor[]; // per layer (1, kv_heads, length, head_dim), on the device once length > 0
  values: ort.Tensor[];
  /** (1, 1, vocab) of the last call, when left on the device: freed by the sequence's next call. */
  logits?: ort.Tensor;
}

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
}

export class OrtGpuCacheRunner implements DecoderRunner {
  readonly vocabSize: number;
  readonly maxBatch = 1;
  /** Host <-> device bytes over all calls: the host-side inputs uploaded, the 'cpu' outputs downloaded. */
  readonly traffic = new HostTraffic();
  private readonly caches = new Map<SequenceId, DeviceCache>();
  private nextId = 1;

  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly config: DecoderConfig,
    private readonly dtype: DecoderDtype,
    private readonly prefillChunk: number,
    /** Set when the logits stay on the device: the only way to read them on the host. */
    private readonly download: LogitsDownload | undefined,
  ) {
    this.vocabSize = config.vocabSize;
  }

  /** A decoder session on the provider (default webgpu) whose present.* outputs stay on the device. */
  static async create(model: string | Uint8Array, config: DecoderConfig, dtype: DecoderDtype, options: GpuCacheRunnerOptions = {}): Promise<OrtGpuCacheRunner> {
    const provider = options.provider ?? 'webgpu';
    const location: Record<string, 'cpu' | 'gpu-buffer'> = { [DECODER_IO.logits]: options.logitsOnDevice ? 'gpu-buffer' : 'cpu' };
    for (let i = 0; i < config.numLayers; i++) {
      location[DECODER_IO.presentKey(i)] = 'gpu-buffer';
      location[DECODER_IO.presentValue(i)] = 'gpu-buffer';
    }
    const opts: ort.InferenceSession.SessionOptions = { ...options.session, executionProviders: [provider], preferredOutputLocation: location };
    const session = typeof model === 'string' ? await ort.InferenceSession.create(model, opts) : await ort.InferenceSession.create(model, opts);
    // Only the concat graph hands its cache back as outputs: a static one has nothing to keep on the device.
    if (!session.inputNames.includes(DECODER_IO.attentionMask) || !session.outputNames.includes(DECODER_IO.presentKey(0))) {
      await session.release();
      throw new EngineError('MODEL_FORMAT', 'The PURE decoder graph given to the GPU cache runner is not a concat-cache graph (no attention_mask / present.* I/O).', 'Convert the model again: new packages hold both decoder graphs.');
    }
    const download = options.logitsOnDevice ? await LogitsDownload.create(provider).catch(async (error: unknown) => {
      await session.release();
      throw error;
    }) : undefined;
    return new OrtGpuCacheRunner(session, config, dtype, options.prefillChunk ?? PREFILL_CHUNK, download);
  }

  openSequence(): Promise<SequenceId> {
    const id = this.nextId++;
    const c = this.config;
    // A zero-length past: host tensors of 0 bytes (nothing to upload).
    // fp16 and int4 graphs keep their cache in float16 (decoder-layer.ts isHalfCompute).
    const half = this.dtype !== 'fp32';
    const empty = () => new ort.Tensor(half ? 'float16' : 'float32', half ? new Uint16Array(0) : new Float32Array(0), [1, c.numKvHeads, 0, c.headDim]);
    this.caches.set(id, { length: 0, keys: Array.from({ length: c.numLayers }, empty), values: Array.from({ length: c.numLayers }, empty) });
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
      [DECODER_IO.attentionMask]: host.attentionMask,
      [DECODER_IO.logitsPositions]: host.logitsPositions,
    };
    for (let i = 0; i < this.config.numLayers; i++) {
      feeds[DECODER_IO.pastKey(i)] = past.keys[i];
      feeds[DECODER_IO.pastValue(i)] = past.values[i];
    }
    const result = await this.traffic.run(this.session, feeds);
    const logits = result[DECODER_IO.logits]; // (1, 1, vocab)
    const present: DeviceCache = { length: past.length + tokens.length, keys: [], values: [], logits };
    for (let i = 0; i < this.config.numLayers; i++) {
      present.keys.push(result[DECODER_IO.presentKey(i)]);
      present.values.push(result[DECODER_IO.presentValue(i)]);
    }
    disposeCache(past);
    this.caches.set(sequence, present);
    return logits;
  }

  /** Where each present.* output of the last step lives ('gpu-buffer' when the cache stayed on the device). */
  cacheLocations(sequence: SequenceId): string[] {
    const c = this.caches.get(sequence);
    return c ? [...c.keys, ...c.values].map((t) => t.location) : [];
  }

  closeSequence(sequence: SequenceId): Promise<void> {
    const c = this.caches.get(sequence);
    this.caches.delete(sequence);
    if (c) disposeCache(c);
    return Promise.resolve();
  }

  async release(): Promise<void> {
    for (const id of [...this.caches.keys()]) await this.closeSequence(id);
    await Promise.all([this.session.release(), this.download?.release()]);
  }
}

/** Frees the device buffers of a cache that was replaced, and its logits (host tensors have nothing to free). */
function disposeCache(c: DeviceCache): void {
  for (const t of [...c.keys, ...c.values, ...(c.logits ? [c.logits] : [])]) if (t.location === 'gpu-buffer') t.dispose();
}
