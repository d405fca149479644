// What saved PURE tiles depend on, as one string: the input's bytes, every setting that shapes a
// tile, the model package and the tile plan. Saved tiles under any other key are generated again.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { RestoreOptions } from '../../protocol/restore';
import type { PureTiling } from './pure-restore';

export async function tileCheckpointKey(input: string, options: RestoreOptions, tiling: PureTiling): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(input, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  const { model, seed, caption, guidance, temperature, kMin, kMax, entropyMu, maxNewTokens, roi } = options;
  const shaping = { model, seed, caption, guidance, temperature, kMin, kMax, entropyMu, maxNewTokens, roi, plan: tiling.plan, geometry: tiling.geometry };
  hash.update(JSON.stringify(shaping));
  return hash.digest('hex');
}
