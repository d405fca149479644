// How many threads onnxruntime's intra-op pool gets when the user does not say (--threads 0).
// Left to itself, onnxruntime-node here kept about one core busy of two (issue 16: PURE's image
// tokens ran 1.2-2x faster with 2 threads), so the engines choose: one thread per PHYSICAL core.
// The products are bound by memory bandwidth and the FMA units, which two hyperthreads of one core
// share, so SMT siblings add contention rather than speed; and the pool must not exceed the cores
// this process may run on (container CPU limits, taskset), which availableParallelism() reports.
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';

export interface CpuCores {
  /** Logical processors the OS reports (hyperthreads count). */
  logical: number;
  /** Physical cores (distinct physical id + core id in /proc/cpuinfo); undefined where unknown. */
  physical: number | undefined;
  /** Processors this process may use (affinity, cgroup limits). */
  available: number;
}

/** Distinct (physical id, core id) pairs of a /proc/cpuinfo text; undefined when it names none. */
export function physicalCoresFromCpuinfo(cpuinfo: string): number | undefined {
  const cores = new Set<string>();
  for (const block of cpuinfo.split(/\n\s*\n/)) {
    const socket = /^physical id\s*:\s*(\d+)/m.exec(block)?.[1];
    const core = /^core id\s*:\s*(\d+)/m.exec(block)?.[1];
    if (core !== undefined) cores.add(`${socket ?? 0}:${core}`);
  }
  return cores.size > 0 ? cores.size : undefined;
}

/** This machine's cores. /proc/cpuinfo exists on Linux only; elsewhere `physical` is unknown. */
export function cpuCores(): CpuCores {
  let physical: number | undefined;
  try {
    physical = physicalCoresFromCpuinfo(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    physical = undefined;
  }
  return { logical: cpus().length, physical, available: availableParallelism() };
}

/** The default pool size: physical cores, at most the processors available, at least 1. */
export function defaultThreads(cores: CpuCores = cpuCores()): number {
  return Math.max(1, Math.min(cores.physical ?? cores.available, cores.available));
}

/** The intra-op thread count to use: the one asked for, or the default when 0 (unset). */
export function resolveThreads(requested: number, cores?: CpuCores): number {
  if (!Number.isInteger(requested) || requested < 0) throw new Error(`threads must be a whole number >= 0, got ${requested}`);
  return requested > 0 ? requested : defaultThreads(cores);
}
