// The settings that decide what a restored photo looks like, hashed: a photo restored with other
// settings is restored again. Where it runs (threads, provider, tile size: results agree within
// 2/255) and how it is written (overwrite, pixel limit) do not count.
import { createHash } from 'node:crypto';
import type { RestoreOptions } from '../../protocol/restore';

const SHAPING: readonly (keyof RestoreOptions)[] = ['engine', 'scale', 'width', 'quality', 'roi', 'model', 'seed', 'caption', 'guidance', 'temperature', 'kMin', 'kMax', 'entropyMu', 'maxNewTokens'];
const PURE_ONLY = new Set<keyof RestoreOptions>(['model', 'seed', 'caption', 'guidance', 'temperature', 'kMin', 'kMax', 'entropyMu', 'maxNewTokens']);

export function settingsHash(options: RestoreOptions, outputExtension: string): string {
  const shaping: Record<string, unknown> = { format: outputExtension.toLowerCase() };
  for (const key of SHAPING) {
    if (options.engine !== 'pure' && PURE_ONLY.has(key)) continue;
    if (options[key] !== undefined) shaping[key] = options[key];
  }
  return createHash('sha256').update(JSON.stringify(shaping)).digest('hex').slice(0, 16);
}
