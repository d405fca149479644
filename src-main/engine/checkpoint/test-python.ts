// Test-only: Debian's python3 (with python3-torch) as a reference implementation. Never used by the
// app. /usr/bin/python3 on purpose: the pyenv python3 first on PATH has no torch.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const SYSTEM_PYTHON = '/usr/bin/python3';

let torch: boolean | undefined;

/** Whether /usr/bin/python3 can import torch (apt-get install python3-torch). */
export function hasPythonTorch(): boolean {
  torch ??= existsSync(SYSTEM_PYTHON) && spawnSync(SYSTEM_PYTHON, ['-c', 'import torch'], { timeout: 120_000 }).status === 0;
  return torch;
}

export function hasPython(): boolean {
  return existsSync(SYSTEM_PYTHON);
}

/** Runs a Python script with arguments; returns stdout, throws with stderr on failure. */
export function runPython(script: string, args: string[] = []): string {
  const result = spawnSync(SYSTEM_PYTHON, ['-c', script, ...args], { encoding: 'utf8', timeout: 300_000, maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`python3 failed (${result.status}): ${result.stderr}`);
  return result.stdout;
}
