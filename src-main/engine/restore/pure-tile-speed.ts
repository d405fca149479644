// The PURE speed measured on this machine, kept between runs (in the studio home, pure-speed.json)
// so that the next estimate, --estimate included, starts from a real figure instead of a guess.
// Keyed by model folder, thread count and provider (a GPU and the CPU differ a hundredfold); a
// missing or damaged file only means "not measured".
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { PureSpeed } from './pure-tile-estimate';

type SpeedFile = Record<string, { tokensPerSecond: number; overheadSecondsPerTile: number; measuredAt: string }>;

export const speedFile = (home: string): string => join(home, 'pure-speed.json');
const keyOf = (modelDir: string, threads: number, provider: string): string => `${resolve(modelDir)}|threads=${threads}|${provider}`;

async function readAll(home: string): Promise<SpeedFile> {
  try {
    const parsed: unknown = JSON.parse(await readFile(speedFile(home), 'utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as SpeedFile) : {};
  } catch {
    return {};
  }
}

/**
 * The speed last measured on the first provider of `providers` that has one. Before loading, which
 * provider will run is not known; one that never loaded here has no entry, so its successor's
 * figure (the provider that did run last time) is taken.
 */
export async function measuredSpeed(home: string, modelDir: string, threads: number, providers: readonly string[]): Promise<PureSpeed | undefined> {
  const all = await readAll(home);
  for (const provider of providers) {
    const entry = all[keyOf(modelDir, threads, provider)];
    const ok = entry && entry.tokensPerSecond > 0 && Number.isFinite(entry.tokensPerSecond) && entry.overheadSecondsPerTile >= 0;
    if (ok) return { tokensPerSecond: entry.tokensPerSecond, overheadSecondsPerTile: entry.overheadSecondsPerTile, source: 'measured' };
  }
  return undefined;
}

/** Records a run's speed; written atomically, and never fails a restoration. */
export async function recordSpeed(home: string, modelDir: string, threads: number, provider: string, speed: Omit<PureSpeed, 'source'>): Promise<void> {
  if (!(speed.tokensPerSecond > 0) || !Number.isFinite(speed.tokensPerSecond)) return;
  try {
    const all = await readAll(home);
    all[keyOf(modelDir, threads, provider)] = { ...speed, overheadSecondsPerTile: Math.max(0, speed.overheadSecondsPerTile), measuredAt: new Date().toISOString() };
    const path = speedFile(home);
    await mkdir(dirname(path), { recursive: true });
    const temp = `${path}.${process.pid}.tmp`;
    await writeFile(temp, `${JSON.stringify(all, null, 2)}\n`);
    await rename(temp, path);
  } catch {
    // A read-only home costs the next estimate its accuracy, nothing more.
  }
}
