// The sampling graph (sampling-graph.ts) behind the same call as the host TokenSampler:
// sample(logits, step, rng) -> token. It draws the uniform from the RNG exactly where the host
// sampler would (one nextFloat per sampled token), runs the graph, and checks the two margins the
// graph reports: where exp/log's last-ulp differences between V8 and onnxruntime could have
// changed the answer, it redoes that one step on the host from the same RNG state, so the tokens
// are always the host sampler's. On CPU that costs nothing but the rare redo; on a GPU the redo
// needs that step's logits on the host (see docs/gpu-kv-cache.md).
// precision 'float32' uses the graph that runs wholly on WebGPU (sampling-graph-f32.ts): wider
// margins, more redos, the same tokens; its entropy is the graph's, within its entropy_bound.

import * as ort from 'onnxruntime-node';
import { TokenSampler } from '../../common/sampling/sampler';
import type { SampleResult, StepLogits } from '../../common/sampling/sampler';
import type { MaskIds } from '../../common/sampling/processors';
import { cloneRng, nextFloat } from '../../common/sampling/rng';
import type { RngState } from '../../common/sampling/rng';
import type { StepKind } from '../../common/sampling/step-tracker';
import type { SamplingSettings } from '../../common/sampling/settings';
import { buildSamplingGraph, SAMPLING_IO, SAMPLING_MODE } from './sampling-graph';
import type { SamplingPrecision } from './sampling-graph';
import { HostTraffic } from '../../runtime/host-traffic';
import { topKTable } from './top-k-table';

/**
 * Steps whose margins are below these are redone on the host. Both bound the possible host/graph
 * difference with a wide safety factor: each exp/log differs by at most 1 ulp (2.2e-16 relative;
 * measured 1 ulp at most), and a sequential sum of n <= 73728 such terms moves by at most
 * n * 2.2e-16 = 1.6e-11 of the total (u) or of sum |p ln p| <= ~30 nats (entropy: 5e-10).
 */
export const MARGIN_U = 1e-9;
export const MARGIN_H = 1e-8;
/**
 * The float32 graph reports its margins in units of rigorous first-order bounds on the f32/host
 * difference (sampling-graph-f32.ts); a step counts as sure at twice its bound, so the constants
 * and the first-order cut in those bounds have a factor 2 to spare.
 */
export const MARGIN_F32 = 2;

export interface DeviceSample extends SampleResult {
  /** True when the graph's margins were too small and the host sampler decided this token. */
  redone: boolean;
}

/** The graph's raw answer for one row (tests read it directly). */
export interface GraphSample {
  token: number;
  entropy: number;
  k: number;
  kept: number;
  marginU: number;
  marginH: number;
  /** float32 graph: the kept set's margin (Infinity from the float64 graph: its scores are the host's). */
  marginK: number;
  /** float32 graph: |entropy - host entropy| <= this (0 from the float64 graph, which is within 1e-12). */
  entropyBound: number;
}

export class DeviceSampler {
  private readonly host: TokenSampler;
  private readonly kBase: ort.Tensor;
  private readonly kThresholds: ort.Tensor;
  /** Steps the host redid (margins too small), for tests and benches. */
  redone = 0;
  /** Host <-> device bytes of the graph's runs (logits fed as gpu-buffer tensors do not count: they stay). */
  readonly traffic = new HostTraffic();

  private constructor(
    private readonly session: ort.InferenceSession,
    readonly vocabSize: number,
    readonly settings: SamplingSettings,
    private readonly maskIds: MaskIds,
    readonly precision: SamplingPrecision,
  ) {
    this.host = new TokenSampler(settings, maskIds);
    const table = topKTable(this.host.settings);
    this.kBase = new ort.Tensor('int64', BigInt64Array.of(BigInt(table.base)), [1]);
    this.kThresholds = new ort.Tensor('float64', table.thresholds, [table.thresholds.length]);
  }

  /**
   * `precision` 'float32' builds the graph every node of which runs on WebGPU (sampling-graph-f32.ts);
   * its margins are wider, so more steps are redone on the host, but the tokens are the same.
   */
  static async create(vocabSize: number, settings: Partial<SamplingSettings>, maskIds: MaskIds, options: ort.InferenceSession.SessionOptions = {}, precision: SamplingPrecision = 'float64'): Promise<DeviceSampler> {
    const host = new TokenSampler(settings, maskIds); // validates the settings before a graph exists
    const kTable = topKTable(host.settings);
    const model = buildSamplingGraph({ vocabSize, codeIds: maskIds.codeIds, precision, maxK: Math.max(host.settings.textTopK, kTable.base + kTable.thresholds.length), kTable });
    const session = await ort.InferenceSession.create(model, options);
    return new DeviceSampler(session, vocabSize, host.settings, maskIds, precision);
  }

  get usesCfg(): boolean {
    return this.host.usesCfg;
  }

  /** One token, equal to TokenSampler.sample(logits, step, rng) for the same state; advances rng the same way. */
  async sample(logits: StepLogits, step: StepKind, rng: RngState): Promise<DeviceSample> {
    const before = cloneRng(rng);
    const u = nextFloat(rng);
    const [r] = await this.runGraph([{ logits, step, u }]);
    if (isSure(r, this.precision)) return { token: r.token, entropy: r.entropy, k: r.k, kept: r.kept, redone: false };
    this.redone++;
    const result = this.host.sample(logits, step, before);
    rng.s.set(before.s); // the host drew the same single uniform
    return { ...result, redone: true };
  }

  /** Rows of (logits, step kind, uniform) through the graph in one batch: its raw outputs. */
  async runGraph(rows: readonly { logits: StepLogits; step: StepKind; u: number }[]): Promise<GraphSample[]> {
    const B = rows.length;
    const V = rows[0].logits.cond.length;
    const cond = new Float32Array(B * V); // (B, V)
    const uncond = new Float32Array(B * V); // (B, V)
    const cfgRows = rows.map((row, b) => {
      const { cond: c, uncond: un } = row.logits;
      if (c.length !== V || (un !== undefined && un.length !== V)) throw new RangeError('All logits rows must have the vocabulary size.');
      cond.set(c, b * V);
      const cfg = this.cfgFor(row.step, un !== undefined);
      uncond.set(cfg ? un! : c, b * V);
      return { step: row.step, u: row.u, cfg };
    });
    const logitsDims = this.precision === 'float32' ? [B, 1, V] : [B, V]; // the float32 graph takes the decoder's (B, 1, V) as it is
    return this.run(new ort.Tensor('float32', cond, logitsDims), new ort.Tensor('float32', uncond, logitsDims), cfgRows);
  }

  /**
   * One token from logits that are graph-ready tensors, on the host or left on the device by the
   * decoder ((1, 1, vocab) each; float32 graph). A step the graph cannot be sure of is redone on
   * the host from logits that `read` brings back (both branches: the rare download).
   */
  async sampleTensors(logits: { cond: ort.Tensor; uncond?: ort.Tensor }, step: StepKind, rng: RngState, read: (t: ort.Tensor) => Promise<Float32Array>): Promise<DeviceSample> {
    const before = cloneRng(rng);
    const u = nextFloat(rng);
    const cfg = this.cfgFor(step, logits.uncond !== undefined);
    const [r] = await this.run(logits.cond, cfg ? logits.uncond! : logits.cond, [{ step, u, cfg }]);
    if (isSure(r, this.precision)) return { token: r.token, entropy: r.entropy, k: r.k, kept: r.kept, redone: false };
    this.redone++;
    const V = this.vocabSize;
    const host: StepLogits = { cond: (await read(logits.cond)).subarray(0, V), ...(cfg && { uncond: (await read(logits.uncond!)).subarray(0, V) }) };
    const result = this.host.sample(host, step, before);
    rng.s.set(before.s); // the host drew the same single uniform
    return { ...result, redone: true };
  }

  /** CFG applies on image steps that have an unconditional row, when guidance is not 1. */
  private cfgFor(step: StepKind, hasUncond: boolean): boolean {
    return step.mode === 'image' && hasUncond && this.host.usesCfg;
  }

  /** The graph over logits tensors (B rows each) and each row's step, uniform and CFG flag. */
  private async run(cond: ort.Tensor, uncond: ort.Tensor, rows: readonly { step: StepKind; u: number; cfg: boolean }[]): Promise<GraphSample[]> {
    const B = rows.length;
    const mode = new BigInt64Array(B);
    const forcedId = new BigInt64Array(B);
    const useCfg = new Uint8Array(B);
    const guidance = new Float64Array(B).fill(this.settings.guidanceScale);
    const temperature = new Float64Array(B).fill(this.settings.temperature);
    const u = new Float64Array(B);
    const textK = new BigInt64Array(B).fill(BigInt(this.settings.textTopK));
    rows.forEach((row, b) => {
      const m = stepMode(row.step, this.maskIds);
      mode[b] = BigInt(m.mode);
      forcedId[b] = BigInt(m.forcedId);
      useCfg[b] = row.cfg ? 1 : 0;
      u[b] = row.u;
    });
    const f32 = this.precision === 'float32';
    const int = (a: BigInt64Array) => (f32 ? new ort.Tensor('int32', Int32Array.from(a, Number), [B]) : new ort.Tensor('int64', a, [B]));
    const real = (a: Float64Array) => (f32 ? new ort.Tensor('float32', Float32Array.from(a), [B]) : new ort.Tensor('float64', a, [B]));
    const out = await this.traffic.run(this.session, {
      [SAMPLING_IO.cond]: cond,
      [SAMPLING_IO.uncond]: uncond,
      [SAMPLING_IO.mode]: int(mode),
      [SAMPLING_IO.forcedId]: int(forcedId),
      [SAMPLING_IO.useCfg]: new ort.Tensor('bool', useCfg, [B]),
      [SAMPLING_IO.guidance]: real(guidance),
      [SAMPLING_IO.temperature]: real(temperature),
      [SAMPLING_IO.u]: real(u),
      [SAMPLING_IO.textK]: int(textK),
      ...(!f32 && { [SAMPLING_IO.kBase]: this.kBase, [SAMPLING_IO.kThresholds]: this.kThresholds }), // float32: baked in
    });
    return readGraphSamples(out, B, f32);
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

/** Whether the graph's own answer for a row is the host's (its margins clear the possible discrepancy). */
export function isSure(r: GraphSample, precision: SamplingPrecision): boolean {
  return precision === 'float32' ? r.marginU >= MARGIN_F32 && r.marginH >= MARGIN_F32 && r.marginK >= MARGIN_F32 : r.marginU >= MARGIN_U && r.marginH >= MARGIN_H;
}

/** The graph's outputs per row (int64 / float64 from the float64 graph, int32 / float32 from the float32 one). */
export function readGraphSamples(out: ort.InferenceSession.ReturnType, B: number, f32: boolean): GraphSample[] {
  const num = (name: string, b: number) => Number((out[name].data as BigInt64Array | Int32Array | Float32Array | Float64Array)[b]);
  return Array.from({ length: B }, (_, b) => ({
    token: num(SAMPLING_IO.token, b),
    entropy: num(SAMPLING_IO.entropy, b),
    k: num(SAMPLING_IO.k, b),
    kept: num(SAMPLING_IO.kept, b),
    marginU: num(SAMPLING_IO.marginU, b),
    marginH: num(SAMPLING_IO.marginH, b),
    marginK: f32 ? num(SAMPLING_IO.marginK, b) : Infinity,
    entropyBound: f32 ? num(SAMPLING_IO.entropyBound, b) : 0,
  }));
}

/** The graph's mode for a step kind (the mask ids are the host sampler's: see ImageMask). */
function stepMode(step: StepKind, ids: MaskIds): { mode: number; forcedId: number } {
  if (step.mode === 'text') return { mode: SAMPLING_MODE.text, forcedId: -1 };
  if (step.mode === 'grid') return { mode: SAMPLING_MODE.grid, forcedId: -1 };
  if (step.slot === 'code') return { mode: SAMPLING_MODE.imageCode, forcedId: -1 };
  return { mode: SAMPLING_MODE.forced, forcedId: step.slot === 'rowEnd' ? ids.rowEnd : ids.imageEnd };
}
