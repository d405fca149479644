// Which DecoderRunner the pipeline uses. The decoder graph decides the family:
//  - a static-cache graph (decoder-graph.ts cache 'static'): OrtStaticCacheRunner, the KV cache in
//    JS-owned buffers read in place, only the new tokens' K/V out of each call;
//  - a concat graph (packages converted before the static cache): the whole cache crosses the JS
//    boundary (copied into fresh memory) in every call, so a step costs about its cache bytes.
// CFG batching then picks both branches in one batch-2 call or one call per branch.
// Defaults from bench/pure-tiny.bench.ts on the 2-core CPU (numbers in docs/gpu-kv-cache.md):
// concat graph one-by-one (its batch-2 form pays left padding and cache copies); static graph
// batched (no padding copies; one pass over the weights per image token).
import type { DecoderSession } from '../decoder/decoder-session';
import type { DecoderRunner } from '../generation/runner';
import { OrtBatchedRunner } from './ort-batched-runner';
import { OrtDecoderRunner } from './ort-decoder-runner';
import { OrtStaticCacheRunner } from './ort-static-cache-runner';

export type CfgBatching = 'batched' | 'one-by-one';

/** The default for a concat-cache graph. */
export const DEFAULT_CFG_BATCHING: CfgBatching = 'one-by-one';
/** The default for a static-cache graph. */
export const DEFAULT_STATIC_CFG_BATCHING: CfgBatching = 'batched';

export function createDecoderRunner(session: DecoderSession, mode?: CfgBatching): DecoderRunner {
  if (session.cacheKind === 'static') {
    return new OrtStaticCacheRunner(session, { maxBatch: (mode ?? DEFAULT_STATIC_CFG_BATCHING) === 'batched' ? 2 : 1 });
  }
  return (mode ?? DEFAULT_CFG_BATCHING) === 'batched' ? new OrtBatchedRunner(session) : new OrtDecoderRunner(session);
}
