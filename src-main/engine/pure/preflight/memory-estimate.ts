// What PURE needs in memory for one 512x512 restoration, from the decoder's shape and dtype:
// weights, the KV cache of both CFG branches over the whole sequence, and the workspace of the
// graph as built (decoder-graph.ts). Estimates, documented term by term, so that a machine that
// cannot run the model is told so before loading 14 GB, not by a crash an hour in.
// Pure TypeScript: no Node built-ins.

import type { DecoderConfig, VqConfig } from '../config';

/** How the weights are stored: 'bf16' is the checkpoint's own, the same size as fp16. */
export type WeightDtype = 'fp32' | 'fp16' | 'bf16' | 'int4';

/** int4 storage as the converter writes it (quant/int4-blockwise.ts, decoder-layer INT4_DEFAULTS). */
export interface Int4Layout {
  blockSize: number;
  /** zero points: half a byte per block */
  asymmetric: boolean;
  lmHead: boolean;
  /** MatMulNBits' accuracy_level: 4 makes onnxruntime's CPU kernel repack the weights (int4CpuBytesPerWeight); absent or 0: held as stored */
  accuracyLevel?: 0 | 4;
}

export const INT4_LAYOUT_DEFAULT: Int4Layout = { blockSize: 32, asymmetric: true, lmHead: true, accuracyLevel: 4 };

/** Token counts of one restoration, per branch. */
export interface SequencePlan {
  /** BOS + instruction + the 4164 LQ image tokens + end of turn (~4191 for 512 px): rounded up */
  promptTokens: number;
  /** degradation + caption text the model writes (a generous allowance) */
  textTokens: number;
  /** the HQ image (4164) + the stop token */
  imageTokens: number;
  /** 2 with CFG. The concat designs pad the unconditional branch to the conditional one's length; the in-place cache keeps it at its own (uncondTokens) */
  branches: number;
}

export const PURE_512_PLAN: SequencePlan = { promptTokens: 4200, textTokens: 256, imageTokens: 4165, branches: 2 };

/**
 * 'concat': the graph returns present = Concat(past, new) as a fresh tensor while the past is
 * still alive, so during a step the cache exists twice (decoder-graph.ts cache 'concat', the
 * packages converted before the static cache).
 * 'in-place': a static cache updated where it is, one copy (decoder-graph.ts cache 'static' with
 * pipeline/ort-static-cache-runner.ts: JS-owned buffers read in place, only new K/V out).
 */
export type CacheDesign = 'concat' | 'in-place';

/** Prompt tokens per prefill call of the static-cache and GPU-cache runners. */
export const PREFILL_CHUNK = 512;

export interface EstimateOptions {
  plan?: SequencePlan;
  cache?: CacheDesign;
  int4?: Int4Layout;
  /** prompt tokens per prefill call; default: the whole prompt in one call (what generation does today) */
  prefillChunk?: number;
  /** where the weights are held: 'cpu' counts them as onnxruntime's CPU provider holds them (heldWeightBytes); default 'gpu' (as stored) */
  device?: 'cpu' | 'gpu';
}

export interface MemoryEstimate {
  dtype: WeightDtype;
  weightBytes: number;
  /** KV cache bytes per token per branch */
  kvBytesPerToken: number;
  /** KV cache at the end of the image, both branches (each as its design holds it), copies included */
  kvBytes: number;
  /** prefill transient: attention scores and MLP activations of one layer over the prompt */
  prefillWorkspaceBytes: number;
  /** VQ encoder/decoder activations at the image size, ONNX Runtime and process overhead */
  fixedBytes: number;
  /** weights + fixed + the larger of the two phases (prefill, or the last decode step) */
  totalBytes: number;
}

/** fp16 (and bf16) for everything but fp32: the KV cache and activations follow the decoder graph. */
const halfCompute = (dtype: WeightDtype): boolean => dtype !== 'fp32';

export function linearParams(c: DecoderConfig): number {
  const qDim = c.numHeads * c.headDim;
  const kvDim = c.numKvHeads * c.headDim;
  const perLayer = c.hiddenSize * qDim * 2 + c.hiddenSize * kvDim * 2 + 3 * c.hiddenSize * c.intermediateSize; // q, o, k, v, gate, up, down
  return c.numLayers * perLayer;
}

/** RMSNorm weights (2 per layer + final) and the QK-norm weight and bias, stored one row per head. */
export function normParams(c: DecoderConfig): number {
  return c.numLayers * (2 * c.hiddenSize + 2 * (c.numHeads + c.numKvHeads) * c.headDim) + c.hiddenSize;
}

/** Bytes per weight of a 4-bit block layout: codes + fp16 scale (+ packed zero point) per block. */
export function int4BytesPerWeight(layout: Int4Layout): number {
  return 0.5 + 2 / layout.blockSize + (layout.asymmetric ? 0.5 / layout.blockSize : 0);
}

/**
 * Bytes per weight of a 4-bit matrix as onnxruntime's CPU kernel holds it. With accuracy_level 4
 * MatMulNBits computes with int8 activations and, when the session is created, repacks each
 * matrix for that kernel (MLAS SQ4BitGemmPackQuantBData for CompInt8): the 4-bit codes, then per
 * block the scale widened to fp32 and a precomputed fp32 block sum (zero point x scale, for the
 * int8 dot products), 0.5 + 8 / block bytes per weight against the stored 0.5 + 2.5 / block.
 * The stored codes, scales and zero points are released once packed. At 7B this is 4.9 GB of
 * linear weights held for 3.75 GB stored: the "7.0 GB held vs 5.1 GB counted" the 7B run found.
 */
export function int4CpuBytesPerWeight(layout: Int4Layout): number {
  return layout.accuracyLevel === 4 ? 0.5 + 8 / layout.blockSize : int4BytesPerWeight(layout);
}

export function weightBytes(c: DecoderConfig, dtype: WeightDtype, int4: Int4Layout = INT4_LAYOUT_DEFAULT): number {
  const table = c.vocabSize * c.hiddenSize; // embedding, and the LM head
  const norms = normParams(c) * 4; // always fp32 in the graph
  if (dtype === 'int4') {
    const head = int4.lmHead ? table * int4BytesPerWeight(int4) : table * 2;
    return linearParams(c) * int4BytesPerWeight(int4) + head + table * 2 + norms;
  }
  const bytes = dtype === 'fp32' ? 4 : 2;
  return (linearParams(c) + 2 * table) * bytes + norms;
}

/**
 * The decoder's weights as onnxruntime holds them on the device. On the CPU it keeps no fp16
 * weights: an fp16 package is held as fp32, and an int4 one has its fp16 embedding (and LM head,
 * when not 4-bit) as fp32 and its 4-bit matrices repacked (int4CpuBytesPerWeight). Measured with
 * bench/pure-load-memory.bench.ts on the small benchmark model (254M parameters, 2 threads) after
 * a 1024-token prefill and CFG steps: resident growth 2.02x the package's weight bytes for fp16,
 * 1.84x for int4, 0.99x for fp32 (onnxruntime maps fp32 external data in place); and with
 * bench:pure at the 7B shape in int4: 6.65 GB resident once the session is created, for 6.29 GB
 * counted here (4.53 GB stored). On a graphics card the stored bytes are taken as they are.
 */
export function heldWeightBytes(c: DecoderConfig, dtype: WeightDtype, device: 'cpu' | 'gpu', int4: Int4Layout = INT4_LAYOUT_DEFAULT): number {
  const stored = weightBytes(c, dtype, int4);
  if (device === 'gpu' || dtype === 'fp32') return stored;
  if (dtype !== 'int4') return weightBytes(c, 'fp32');
  const table = c.vocabSize * c.hiddenSize;
  const norms = normParams(c) * 4;
  const packed = int4CpuBytesPerWeight(int4);
  const head = int4.lmHead ? table * packed : table * 4; // the head 4-bit and repacked, or fp16 widened to fp32
  return linearParams(c) * packed + head + table * 4 + norms; // the embedding widened to fp32
}

/** K and V, every layer, one token of one branch. */
export function kvBytesPerToken(c: DecoderConfig, dtype: WeightDtype): number {
  return 2 * c.numLayers * c.numKvHeads * c.headDim * (halfCompute(dtype) ? 2 : 4);
}

export function planTokens(plan: SequencePlan): number {
  return plan.promptTokens + plan.textTokens + plan.imageTokens;
}

/** The unconditional branch: [image start, h, w] (PURE-SPEC section 6), then every image token. */
export function uncondTokens(plan: SequencePlan): number {
  return 3 + plan.imageTokens;
}

export function estimateMemory(c: DecoderConfig, vq: VqConfig, imageSize: number, dtype: WeightDtype, options: EstimateOptions = {}): MemoryEstimate {
  const plan = options.plan ?? PURE_512_PLAN;
  const copies = (options.cache ?? 'concat') === 'concat' ? 2 : 1;
  const cb = halfCompute(dtype) ? 2 : 4; // compute element size
  const perToken = kvBytesPerToken(c, dtype);
  const weights = heldWeightBytes(c, dtype, options.device ?? 'gpu', options.int4);

  // Prefill (conditional branch only), one layer at a time: the (heads, chunk, prompt) attention
  // scores pass through f32 nodes (mask add, softmax) whose input and output are alive together,
  // 8 bytes per score at the peak; plus the MLP's gate, up and product (chunk, intermediate).
  const chunk = Math.min(options.prefillChunk ?? plan.promptTokens, plan.promptTokens);
  const scores = c.numHeads * chunk * plan.promptTokens * 8;
  const mlp = 3 * chunk * c.intermediateSize * cb;
  const residual = 4 * chunk * c.hiddenSize * 4; // residual stream, norms, q/k/v in f32
  const prefillWorkspace = scores + mlp + residual;
  const prefillPhase = plan.promptTokens * perToken * copies + prefillWorkspace;

  // Last decode step: the whole cache of both branches, copies included, and the logits. The
  // concat designs pad the unconditional branch to the conditional one's length; the in-place
  // cache holds it at its own length (its row's unwritten slots are never made resident,
  // static-kv-slab.ts): the 3 tokens it starts from and the image.
  const kvTokens = copies === 1 ? planTokens(plan) + (plan.branches - 1) * uncondTokens(plan) : planTokens(plan) * plan.branches;
  const kv = kvTokens * perToken * copies;
  const decodeWorkspace = plan.branches * (c.vocabSize * 4 * 2 + c.numHeads * planTokens(plan) * (cb + 8));
  const decodePhase = kv + decodeWorkspace;

  // The VQ graphs' largest activations: a few (channels, S, S) f32 tensors at full resolution,
  // and ONNX Runtime + the Node process itself.
  const vqBytes = 4 * vq.baseChannels * imageSize * imageSize * 4;
  const fixed = vqBytes + 256 * 2 ** 20;

  return {
    dtype,
    weightBytes: weights,
    kvBytesPerToken: perToken,
    kvBytes: kv,
    prefillWorkspaceBytes: prefillWorkspace,
    fixedBytes: fixed,
    totalBytes: weights + fixed + Math.max(prefillPhase, decodePhase),
  };
}
