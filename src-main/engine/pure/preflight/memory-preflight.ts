// The verdict before PURE loads: will it fit in the free memory of the device it is about to run
// on, and if not, what to change (int4, the CPU, more free memory). Plain words for people; the
// numbers come from memory-estimate.ts.
// Pure TypeScript: no Node built-ins.

import type { PureConfig } from '../config';
import { estimateMemory } from './memory-estimate';
import type { EstimateOptions, MemoryEstimate, WeightDtype } from './memory-estimate';

export type PreflightVerdict = 'fits' | 'fits-with-int4' | 'use-cpu' | 'not-enough-memory';

export interface PreflightInput {
  config: PureConfig;
  /** the dtype of the converted package that would be loaded */
  dtype: WeightDtype;
  device: 'gpu' | 'cpu';
  /** free memory of that device: GPU memory for 'gpu', available RAM for 'cpu' */
  freeBytes: number;
  /** available RAM, when the device is a GPU: says whether the CPU is a way out */
  cpuFreeBytes?: number;
  estimate?: EstimateOptions;
}

export interface PreflightResult {
  verdict: PreflightVerdict;
  /** the estimate for the package as it is, on the given device */
  need: MemoryEstimate;
  /** the estimate had the package been int4 (for the advice) */
  needInt4: MemoryEstimate;
  freeBytes: number;
  /** one sentence: what will happen */
  message: string;
  /** what to change, most useful first; empty when it fits */
  advice: string[];
}

/**
 * Share of the free memory a run may plan to use: the rest absorbs what the estimate leaves out
 * (allocator rounding and fragmentation, other programs growing meanwhile).
 */
export const USABLE_SHARE = 0.9;

export const gb = (bytes: number): string => `${(bytes / 1e9).toFixed(1)} GB`;

const fits = (need: MemoryEstimate, free: number): boolean => need.totalBytes <= free * USABLE_SHARE;

/** "weights 14.2 GB + KV cache 18.1 GB + ..." for the message. */
export function describeEstimate(e: MemoryEstimate): string {
  const phases = e.totalBytes - e.weightBytes - e.fixedBytes;
  return `${gb(e.totalBytes)} (weights ${gb(e.weightBytes)}, KV cache and working memory ${gb(phases)}, images and runtime ${gb(e.fixedBytes)})`;
}

export function preflightMemory(input: PreflightInput): PreflightResult {
  const { config, dtype, device, freeBytes } = input;
  // The weights as the device's provider holds them (the CPU widens fp16 to fp32).
  const on = (where: 'cpu' | 'gpu', d: WeightDtype) => estimateMemory(config.decoder, config.vq, config.imageSize, d, { ...input.estimate, device: where });
  const need = on(device, dtype);
  const needInt4 = dtype === 'int4' ? need : on(device, 'int4');
  const needCpu = device === 'cpu' ? need : on('cpu', dtype);
  const where = device === 'gpu' ? 'GPU memory' : 'memory';
  const base = { need, needInt4, freeBytes };
  const short = `PURE (${dtype}) needs about ${describeEstimate(need)}; ${gb(freeBytes)} of ${where} is free.`;

  if (fits(need, freeBytes)) {
    return { ...base, verdict: 'fits', message: `PURE (${dtype}) fits: it needs about ${gb(need.totalBytes)} of the ${gb(freeBytes)} of ${where} free.`, advice: [] };
  }
  if (dtype !== 'int4' && fits(needInt4, freeBytes)) {
    return {
      ...base,
      verdict: 'fits-with-int4',
      message: `${short} The int4 version would fit (about ${gb(needInt4.totalBytes)}).`,
      advice: [`Convert PURE with 4-bit weights: npm run convert -- pure --dtype int4 ... (about ${gb(needInt4.totalBytes)}, slightly less accurate).`, ...freeUpAdvice(need, freeBytes, where)],
    };
  }
  // The same package on the CPU, in RAM, as the CPU provider holds it.
  if (device === 'gpu' && input.cpuFreeBytes !== undefined && fits(needCpu, input.cpuFreeBytes)) {
    return {
      ...base,
      verdict: 'use-cpu',
      message: `${short} It fits in the computer's memory (${gb(input.cpuFreeBytes)} free), but on the CPU a photo takes hours.`,
      advice: ['Run PURE on the CPU (much slower), or use a graphics card with more memory.', ...freeUpAdvice(need, freeBytes, where)],
    };
  }
  const advice = freeUpAdvice(need, freeBytes, where);
  if (dtype !== 'int4') advice.push(`The int4 version needs about ${gb(needInt4.totalBytes)}: convert with --dtype int4 if a machine has that much.`);
  advice.push(`Use a machine with at least ${gb(need.totalBytes / USABLE_SHARE)} of free ${where}.`);
  return { ...base, verdict: 'not-enough-memory', message: `${short} That is not enough.`, advice };
}

/** "Close other programs" only when that could plausibly be enough (the gap is under half the need). */
function freeUpAdvice(need: MemoryEstimate, freeBytes: number, where: string): string[] {
  const gap = need.totalBytes / USABLE_SHARE - freeBytes;
  // At least 0.1 GB: a gap of a few MB would otherwise read "about 0.0 GB".
  return gap < need.totalBytes / 2 ? [`Close other programs to free about ${gb(Math.max(gap, 0.1e9))} more ${where}.`] : [];
}
