// Which decoder graph and DecoderRunner the pipeline uses.
// The provider picks the graph (decoderPlanFor):
//  - webgpu with a concat graph in the package: OrtGpuCacheRunner, present.* kept on the device as
//    'gpu-buffer' tensors and fed back as past inputs (kvCache 'device'); a static graph there
//    would upload the whole JS-owned cache every step;
//  - anything else: the static graph when the package has one (kvCache 'host-static'), else the
//    concat graph of an older package (kvCache 'host-concat').
// On the host the graph decides the runner family (createDecoderRunner):
//  - a static-cache graph (decoder-graph.ts cache 'static'): OrtStaticCacheRunner, the KV cache in
//    JS-owned buffers read in place, only the new tokens' K/V out of each call;
//  - a concat graph (packages converted before the static cache): the whole cache crosses the JS
//    boundary (copied into fresh memory) in every call, so a step costs about its cache bytes.
// CFG batching then picks both branches in one batch-2 call or one call per branch.
// Defaults from bench/pure-tiny.bench.ts on the 2-core CPU (numbers in docs/gpu-kv-cache.md):
// concat graph one-by-one (its batch-2 form pays left padding and cache copies); static graph
// batched (no padding copies; one pass over the weights per image token).
import type { KvCacheDesign } from '../../../protocol/restore';
import type { ConcreteProvider, ProviderPreference } from '../../runtime/resolve-providers';
import type { DecoderCacheKind } from '../decoder/decoder-graph';
import type { DecoderSession } from '../decoder/decoder-session';
import type { DecoderRunner } from '../generation/runner';
import { OrtBatchedRunner } from './ort-batched-runner';
import { OrtDecoderRunner } from './ort-decoder-runner';
import type { OrtGpuCacheRunner } from './ort-gpu-cache-runner';
import { OrtStaticCacheRunner } from './ort-static-cache-runner';

export type CfgBatching = 'batched' | 'one-by-one';

export type { KvCacheDesign } from '../../../protocol/restore';

/** The default for a concat-cache graph. */
export const DEFAULT_CFG_BATCHING: CfgBatching = 'one-by-one';
/** The default for a static-cache graph. */
export const DEFAULT_STATIC_CFG_BATCHING: CfgBatching = 'batched';

/** Providers whose outputs can stay on the device ('gpu-buffer') in onnxruntime-node. */
export const DEVICE_CACHE_PROVIDERS: readonly ConcreteProvider[] = ['webgpu'];

/** How PURE orders the card providers that 'auto' and 'gpu' bring: those that keep the cache on the card first. */
export const PURE_PROVIDER_PREFERENCE: ProviderPreference = { preferOnGpu: DEVICE_CACHE_PROVIDERS };

export interface DecoderPlan {
  /** The graph file, relative to the package. */
  file: string;
  cache: DecoderCacheKind;
  kvCache: KvCacheDesign;
}

/** The decoder graph and cache design for `provider`, from the graphs a package holds. */
export function decoderPlanFor(provider: string, graphs: { static?: string; concat?: string }): DecoderPlan {
  if ((DEVICE_CACHE_PROVIDERS as readonly string[]).includes(provider) && graphs.concat) return { file: graphs.concat, cache: 'concat', kvCache: 'device' };
  if (graphs.static) return { file: graphs.static, cache: 'static', kvCache: 'host-static' };
  if (graphs.concat) return { file: graphs.concat, cache: 'concat', kvCache: 'host-concat' };
  throw new Error('a PURE package without a decoder graph');
}

/** The decoder as the pipeline holds it: a host session (runners made per job) or the device runner. */
export type DecoderBackend = { kind: 'host'; session: DecoderSession } | { kind: 'device'; runner: OrtGpuCacheRunner };

export function createDecoderRunner(session: DecoderSession, mode?: CfgBatching): DecoderRunner {
  if (session.cacheKind === 'static') {
    return new OrtStaticCacheRunner(session, { maxBatch: (mode ?? DEFAULT_STATIC_CFG_BATCHING) === 'batched' ? 2 : 1 });
  }
  return (mode ?? DEFAULT_CFG_BATCHING) === 'batched' ? new OrtBatchedRunner(session) : new OrtDecoderRunner(session);
}

/**
 * The runner for one job. The device runner is shared by every job (it owns the session; each job
 * opens and closes its own sequences) and runs CFG's branches one by one (maxBatch 1), whatever `mode` says.
 */
export function runnerFor(backend: DecoderBackend, mode?: CfgBatching): DecoderRunner {
  return backend.kind === 'device' ? backend.runner : createDecoderRunner(backend.session, mode);
}
