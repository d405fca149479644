// How long a tiled PURE restoration will take, before any generation and while it runs.
// A tile costs a fixed part (prompt prefill, VQ encode and decode) plus its generated tokens at
// the decoder's speed: seconds = tiles x (overhead + tokens per tile / tokens per second). The
// speed is the one last measured for this model on this machine when there is one, else a rough
// guess from the model's size; during a run the measured tiles take over.
// Pure TypeScript: no Node built-ins.
import type { PureConfig } from '../pure/config';
import { gridSide } from '../pure/config';
import { imageSequenceLength } from '../pure/generation/token-layout';
import type { TilePlan } from '../common/tiling';
import type { KvCacheDesign, PureEstimate } from '../../protocol/restore';
import { kvBytesPerToken } from '../pure/preflight/memory-estimate';
import type { PureTileGeometry } from './pure-tile-plan';

export interface PureSpeed {
  /** Decoder steps per second while generating the image (both CFG branches together). */
  tokensPerSecond: number;
  overheadSecondsPerTile: number;
  source: PureEstimate['source'];
}

/**
 * How a step's cost grows as the context does: seconds per step are proportional to
 * 1 + perToken x t, t = new tokens so far. A step reads the weights and both CFG branches' KV
 * cache, which grows by a slot per branch per step; the prompt's cache is in the 1. The scale comes
 * from a speed (assumed, or measured live during the run); only the shape is here.
 */
export interface StepCost {
  perToken: number;
}

/** Cost of new tokens `from`+1 .. `to`, in units of the step at new token `at`. */
export function relativeSteps(cost: StepCost, from: number, to: number, at: number): number {
  const n = Math.max(0, to - from);
  const sum = n + (cost.perToken * n * (from + to + 1)) / 2; // sum of 1 + k t over t = from+1..to
  return sum / (1 + cost.perToken * at);
}

/** About how many tokens the degradation + caption text takes; a guess, small beside the image's 4164. */
export const TEXT_TOKENS_GUESS = 48;

// Assumptions behind the guess for an unmeasured model, stated so they can be argued with, for a
// desktop CPU and for a graphics card (a mid-range discrete one; an H100 is several times faster):
// generation is memory-bound: an image token moves the decoder's weights and its KV cache as the
// cache design does (below), at the effective bandwidth; a cache kept in host memory for a
// graphics card also crosses the bus at every step; prefill is compute-bound, at the throughput
// (CFG doubles it); and no step runs faster than the cap however small the model (per-step
// overhead: kernel launches, the host round trip).
export type SpeedDevice = 'cpu' | 'gpu';
const ASSUMED: Record<SpeedDevice, { bytesPerSecond: number; flops: number; maxTokensPerSecond: number }> = {
  cpu: { bytesPerSecond: 20e9, flops: 3e11, maxTokensPerSecond: 50 },
  gpu: { bytesPerSecond: 500e9, flops: 3e13, maxTokensPerSecond: 100 },
};
/**
 * On the CPU the effective bandwidth follows the threads: measured on the 7B int4 (issue 16, a
 * 2-core machine, static cache, CFG), the steps fit (weights + both cache rows) / bandwidth with
 * about 4.9 GB/s per thread (0.86 s at context 4200 and 1.32 s at 8400 with 2 threads; ~6.3 GB/s
 * with onnxruntime's own ~1 busy core), up to the desktop figure above.
 */
const CPU_BYTES_PER_SECOND_PER_THREAD = 4.9e9;
/** Host -> card bytes per second of a PCIe 4 x16 link in practice. */
const BUS_BYTES_PER_SECOND = 25e9;

/**
 * Bytes one image token moves with CFG, by cache design, from the weights' bytes and the two
 * branches' cache bytes at the middle of the image:
 *  - host-static: one batch-2 call reads the weights once and both rows of the buffer, each as
 *    long as the conditional branch (the rows share one capacity); on a card all of it is uploaded;
 *  - device / host-concat: one call per branch, each reading the weights and its cache and copying
 *    the cache into the new present (read + write): 3x; host-concat on a card sends it both ways.
 */
function imageTokenBytes(design: KvCacheDesign, weights: number, cond: number, uncond: number): { memory: number; bus: number } {
  if (design === 'host-static') return { memory: weights + 2 * cond, bus: 2 * cond };
  return { memory: 2 * weights + 3 * (cond + uncond), bus: design === 'host-concat' ? 2 * (cond + uncond) : 0 };
}

/** Weights the decoder reads per step and the per-token matmul weights of its layers. */
function decoderParameters(config: PureConfig): { total: number; layers: number } {
  const d = config.decoder;
  const attention = d.hiddenSize * d.headDim * (d.numHeads * 2 + d.numKvHeads * 2);
  const mlp = 3 * d.hiddenSize * d.intermediateSize;
  const layers = d.numLayers * (attention + mlp);
  return { total: layers + 2 * d.vocabSize * d.hiddenSize, layers };
}

/**
 * The shape of the step cost for a model and cache design, from the bytes a step moves at the
 * start of the generation and their growth per new token (imageTokenBytes' terms): host-static
 * reads both rows at the conditional length (+2 slots a step), the other designs copy each
 * branch's cache (+3 x 2 slots a step; the unconditional branch starts nearly empty).
 */
export function stepCost(config: PureConfig, dtype: string, device: SpeedDevice = 'cpu', design: KvCacheDesign = 'host-static'): StepCost {
  const weights = decoderParameters(config).total * (BYTES_PER_WEIGHT[dtype] ?? 2);
  const side = gridSide(config);
  const prompt = imageSequenceLength(side, side) + 64;
  const kv = kvBytesPerToken(config.decoder, dtype === 'fp32' ? 'fp32' : 'fp16');
  const start = imageTokenBytes(device === 'cpu' ? 'host-static' : design, weights, kv * prompt, 0).memory;
  const grown = imageTokenBytes(device === 'cpu' ? 'host-static' : design, weights, kv * (prompt + 1), kv).memory;
  return { perToken: (grown - start) / start };
}

/** Bytes per decoder weight as stored (int4 blocks carry a scale per 32 weights); unknown: fp16's. */
const BYTES_PER_WEIGHT: Record<string, number> = { fp32: 4, fp16: 2, int4: 0.5 + 2 / 32 };

/**
 * A rough speed for a model never run here, with the KV-cache design it will run with
 * (decoder-runner-choice.ts): the 7B in fp16 about 1 token/s on a desktop CPU (static cache), 12 on
 * a graphics card with the cache on it (WebGPU), 3 with the cache uploaded every step (CUDA).
 * `threads`: the CPU's intra-op threads (the bandwidth follows them); left out, the desktop figure.
 * The speed is the image's mean: with a step cost linear in the context, the mid-image step's.
 */
export function assumedSpeed(config: PureConfig, dtype: string, device: SpeedDevice = 'cpu', design: KvCacheDesign = 'host-static', threads = Infinity): PureSpeed {
  const params = decoderParameters(config);
  const weights = params.total * (BYTES_PER_WEIGHT[dtype] ?? 2);
  const side = gridSide(config);
  const imageTokens = imageSequenceLength(side, side);
  const promptTokens = imageTokens + 64;
  const kv = kvBytesPerToken(config.decoder, dtype === 'fp32' ? 'fp32' : 'fp16');
  // Mid-image contexts: the conditional branch after its prompt and text, the unconditional after [start, h, w].
  const cond = kv * (promptTokens + TEXT_TOKENS_GUESS + imageTokens / 2);
  const uncond = kv * (3 + imageTokens / 2);
  const bytes = imageTokenBytes(device === 'cpu' ? 'host-static' : design, weights, cond, uncond);
  const assumed = ASSUMED[device];
  const bandwidth = device === 'cpu' ? Math.min(assumed.bytesPerSecond, CPU_BYTES_PER_SECOND_PER_THREAD * threads) : assumed.bytesPerSecond;
  const seconds = bytes.memory / bandwidth + (device === 'gpu' ? bytes.bus / BUS_BYTES_PER_SECOND : 0);
  return {
    tokensPerSecond: Math.min(assumed.maxTokensPerSecond, 1 / seconds),
    overheadSecondsPerTile: (2 * 2 * params.layers * promptTokens) / assumed.flops,
    source: 'assumed',
  };
}

/** New tokens one tile generates: its text and the whole image plus end of turn, or the budget. */
export function tokensPerTile(config: PureConfig, maxNewTokens: number | undefined): number {
  const full = TEXT_TOKENS_GUESS + imageSequenceLength(gridSide(config), gridSide(config)) + 1;
  return maxNewTokens === undefined ? full : Math.min(maxNewTokens, full);
}

export function estimatePure(plan: TilePlan, geometry: PureTileGeometry, tokens: number, speed: PureSpeed): PureEstimate {
  const perTile = speed.overheadSecondsPerTile + tokens / speed.tokensPerSecond;
  return {
    tiles: plan.count,
    columns: plan.xs.length,
    rows: plan.ys.length,
    tileSize: geometry.tile,
    factor: geometry.factor,
    tokensPerTile: tokens,
    tokensPerSecond: speed.tokensPerSecond,
    overheadSecondsPerTile: speed.overheadSecondsPerTile,
    seconds: plan.count * perTile,
    source: speed.source,
  };
}

/**
 * Seconds left in a run. Until a tile has finished, the estimate's figures, with the live speed of
 * the current tile once the decoder reports one; afterwards the mean time of the finished tiles.
 * The clock is passed in (milliseconds), so tests control it.
 */
export class PureTileEta {
  private readonly finished: number[] = [];
  private tileStart: number;

  constructor(
    private readonly estimate: Pick<PureEstimate, 'tiles' | 'tokensPerTile' | 'tokensPerSecond' | 'overheadSecondsPerTile'>,
    private readonly now: () => number,
    /** How steps slow down as the context grows; without it the live speed is taken as constant. */
    private readonly cost?: StepCost,
  ) {
    this.tileStart = now();
  }

  /** Call when a tile has finished; the next tile's clock starts now. */
  tileDone(): void {
    const t = this.now();
    this.finished.push((t - this.tileStart) / 1000);
    this.tileStart = t;
  }

  /**
   * Seconds left, given the current tile's new tokens so far and its live speed (if known): the
   * mean rate over new tokens `liveSince`..`token`. With a step cost, that rate is scaled to each
   * remaining step's context (the image's last steps are ~1.5x its first at 7B), not held flat.
   */
  secondsLeft(token = 0, liveTokensPerSecond?: number, liveSince = token): number {
    const e = this.estimate;
    const after = Math.max(0, e.tiles - this.finished.length - 1); // tiles after the current one
    if (this.finished.length > 0) {
      const mean = this.finished.reduce((a, b) => a + b, 0) / this.finished.length;
      const elapsed = (this.now() - this.tileStart) / 1000;
      return after * mean + (this.finished.length < e.tiles ? Math.max(0, mean - elapsed) : 0);
    }
    const live = liveTokensPerSecond !== undefined && liveTokensPerSecond > 0 ? liveTokensPerSecond : undefined;
    if (live !== undefined && this.cost) {
      // Seconds of a step at new token 0, from the measured span: (token - since) / live seconds
      // for relativeSteps(since, token) such steps.
      const span = token - liveSince;
      const unit = span >= 1 ? span / live / relativeSteps(this.cost, liveSince, token, 0) : 1 / live / (1 + this.cost.perToken * token);
      const current = unit * relativeSteps(this.cost, token, Math.max(token, e.tokensPerTile), 0);
      return current + after * (e.overheadSecondsPerTile + unit * relativeSteps(this.cost, 0, e.tokensPerTile, 0));
    }
    const speed = live ?? e.tokensPerSecond;
    const current = Math.max(0, e.tokensPerTile - token) / speed;
    return current + after * (e.overheadSecondsPerTile + e.tokensPerTile / speed);
  }
}
