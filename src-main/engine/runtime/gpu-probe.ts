// Which graphics cards this machine has, and how much memory each has free: what 'auto' needs to
// choose between a GPU provider and the CPU, and what PURE's GPU preflight checks against.
// Sources: nvidia-smi (NVIDIA, Linux and Windows), amdgpu's sysfs files (AMD on Linux), and the
// system's own memory on Apple silicon (the GPU shares it). Every source failing only means "no
// card found there", never an error: the CPU always remains. Node only.
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { freemem, totalmem } from 'node:os';
import { join } from 'node:path';

export type GpuVendor = 'nvidia' | 'amd' | 'apple';

export interface GpuInfo {
  vendor: GpuVendor;
  name: string;
  /** Bytes; absent when the driver does not say. */
  totalBytes?: number;
  freeBytes?: number;
  /** The card shares the computer's memory (Apple silicon): its free memory is the system's. */
  unified?: boolean;
}

export const NVIDIA_SMI_ARGS = ['--query-gpu=name,memory.total,memory.free', '--format=csv,noheader,nounits'] as const;
/** nvidia-smi answers in well under a second; a driver in trouble can make it hang for minutes. */
export const NVIDIA_SMI_TIMEOUT_MS = 3000;
export const SYSFS_DRM = '/sys/class/drm';

const MIB = 1024 * 1024;

/** A MiB figure from nvidia-smi ("81559"), or undefined for "[N/A]", "[Not Supported]" and the like. */
function mibToBytes(field: string): number | undefined {
  return /^\d+(\.\d+)?$/.test(field) ? Math.round(Number(field) * MIB) : undefined;
}

/**
 * The lines of `nvidia-smi --query-gpu=name,memory.total,memory.free --format=csv,noheader,nounits`:
 * one card per line, memory in MiB. The name is everything before the last two fields (a name
 * with a comma stays whole); lines that are not three fields (a message instead of data) are skipped.
 */
export function parseNvidiaSmi(text: string): GpuInfo[] {
  const gpus: GpuInfo[] = [];
  for (const line of text.split(/\r?\n/)) {
    const fields = line.split(',').map((f) => f.trim());
    if (fields.length < 3) continue;
    const name = fields.slice(0, -2).join(', ');
    if (name === '') continue;
    const totalBytes = mibToBytes(fields[fields.length - 2]);
    const freeBytes = mibToBytes(fields[fields.length - 1]);
    gpus.push({ vendor: 'nvidia', name, ...(totalBytes !== undefined && { totalBytes }), ...(freeBytes !== undefined && { freeBytes }) });
  }
  return gpus;
}

/** A byte count as amdgpu writes it in sysfs ("17163091968\n"); undefined when it is not one. */
export function parseSysfsBytes(text: string | undefined): number | undefined {
  const t = text?.trim();
  return t !== undefined && /^\d+$/.test(t) ? Number(t) : undefined;
}

/** One AMD card from its sysfs texts; undefined when the total is missing (not an amdgpu card). */
export function amdCardFromSysfs(card: string, texts: { total?: string; used?: string; productName?: string }): GpuInfo | undefined {
  const totalBytes = parseSysfsBytes(texts.total);
  if (totalBytes === undefined) return undefined;
  const used = parseSysfsBytes(texts.used);
  const name = texts.productName?.trim() || `AMD graphics card (${card})`;
  return { vendor: 'amd', name, totalBytes, ...(used !== undefined && used <= totalBytes && { freeBytes: totalBytes - used }) };
}

const readText = (path: string): Promise<string | undefined> => readFile(path, 'utf8').catch(() => undefined);

/**
 * AMD cards on Linux: amdgpu exposes device/mem_info_vram_total and mem_info_vram_used under
 * each /sys/class/drm/cardN (connectors such as card0-DP-1 are not cards). `root` is for tests.
 */
export async function readAmdSysfs(root: string = SYSFS_DRM): Promise<GpuInfo[]> {
  const entries = await readdir(root).catch(() => [] as string[]);
  const cards = entries.filter((e) => /^card\d+$/.test(e)).sort((a, b) => Number(a.slice(4)) - Number(b.slice(4)));
  const gpus: GpuInfo[] = [];
  for (const card of cards) {
    const device = join(root, card, 'device');
    const [total, used, productName] = await Promise.all(['mem_info_vram_total', 'mem_info_vram_used', 'product_name'].map((f) => readText(join(device, f))));
    const gpu = amdCardFromSysfs(card, { total, used, productName });
    if (gpu) gpus.push(gpu);
  }
  return gpus;
}

/**
 * nvidia-smi's output, or undefined when it is missing, fails or takes longer than `timeoutMs`.
 * The timeout is our own clock rather than execFile's: execFile waits for the output pipes to
 * close after killing, and a process stuck in the driver (or a child it left) can hold them open.
 */
export function runNvidiaSmi(options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<string | undefined> {
  const timeoutMs = options.timeoutMs ?? NVIDIA_SMI_TIMEOUT_MS;
  return new Promise((resolve) => {
    let settled = false;
    const settle = (text: string | undefined): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(text);
    };
    const child = execFile('nvidia-smi', [...NVIDIA_SMI_ARGS], { env: options.env ?? process.env, encoding: 'utf8', windowsHide: true, maxBuffer: MIB }, (error, stdout) => settle(error ? undefined : stdout));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      child.stdout?.destroy();
      child.stderr?.destroy();
      settle(undefined);
    }, timeoutMs);
  });
}

export interface ProbeOptions {
  platform?: NodeJS.Platform;
  arch?: string;
  /** Where amdgpu's sysfs tree is (tests point it at a temp folder). */
  sysfsRoot?: string;
  /** The environment nvidia-smi is looked up and run in (its PATH decides which one). */
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** Probe again instead of returning this process's earlier answer (tests). */
  fresh?: boolean;
}

async function probe(options: ProbeOptions): Promise<GpuInfo[]> {
  const platform = options.platform ?? process.platform;
  const arch = options.arch ?? process.arch;
  // Apple silicon: one GPU on the same memory as the CPU, so the system's figures are the card's.
  if (platform === 'darwin') return arch === 'arm64' ? [{ vendor: 'apple', name: 'Apple silicon GPU (unified memory)', totalBytes: totalmem(), freeBytes: freemem(), unified: true }] : [];
  const nvidia = platform === 'linux' || platform === 'win32' ? parseNvidiaSmi((await runNvidiaSmi(options)) ?? '') : [];
  const amd = platform === 'linux' ? await readAmdSysfs(options.sysfsRoot) : [];
  return [...nvidia, ...amd];
}

let cached: Promise<GpuInfo[]> | undefined;

/**
 * The graphics cards found on this machine, best known first (NVIDIA, then AMD). Probed once per
 * process: the cards do not change during a run. Their free memory does, so a process that needs
 * it fresh (the PURE worker, new for each load) is itself new, or passes `fresh`.
 */
export function probeGpus(options: ProbeOptions = {}): Promise<GpuInfo[]> {
  if (options.fresh) return probe(options);
  cached ??= probe(options);
  return cached;
}

/** The card with the most free memory, when any card says how much it has free. */
export function largestFreeGpu(gpus: readonly GpuInfo[]): (GpuInfo & { freeBytes: number }) | undefined {
  let best: (GpuInfo & { freeBytes: number }) | undefined;
  for (const gpu of gpus) if (gpu.freeBytes !== undefined && (best === undefined || gpu.freeBytes > best.freeBytes)) best = { ...gpu, freeBytes: gpu.freeBytes };
  return best;
}
