// Which DecoderRunner the pipeline uses for CFG: both branches in one batch-2 call (left padding,
// one pass over the weights per image token) or one call per branch (no padding, no cache
// copies). The default follows the decode-loop numbers of bench/pure-tiny.bench.ts on the 2-core
// CPU: the whole KV cache crosses the JS boundary (copied into fresh memory) in every call, so a
// step costs about its cache bytes, and the batched uncond row carries the prompt's length as
// padding. Measured image tokens/s, one-by-one vs batched: mid-size test model (hidden 512,
// 8 layers, 32x32 image) 7.0 vs 2.5; tiny test model (64x64 image) 112 vs 146. The weights'
// saving only wins where weights dominate the step; revisit once the cache stays native.
import type { DecoderSession } from '../decoder/decoder-session';
import type { DecoderRunner } from '../generation/runner';
import { OrtBatchedRunner } from './ort-batched-runner';
import { OrtDecoderRunner } from './ort-decoder-runner';

export type CfgBatching = 'batched' | 'one-by-one';

export const DEFAULT_CFG_BATCHING: CfgBatching = 'one-by-one';

export function createDecoderRunner(session: DecoderSession, mode: CfgBatching = DEFAULT_CFG_BATCHING): DecoderRunner {
  return mode === 'batched' ? new OrtBatchedRunner(session) : new OrtDecoderRunner(session);
}
