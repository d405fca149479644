// Child-process entry that owns the PURE pipeline (decoder + VQ sessions and the KV caches):
// thousands of decoder steps run here, next to their caches, and only progress, previews and
// the result cross to the parent. Killing this process is how a restoration is cancelled.
import * as ort from 'onnxruntime-node';
import { toErrorPayload } from '../../common/errors';
import { describePureModel, readPureManifest } from '../package/pure-manifest';
import { checkFallbackProvider, preflightHere } from '../preflight/provider-preflight';
import type { FromPureWorker, ToPureWorker } from './pure-messages';
import { PurePipeline } from './pure-pipeline';
import { postToParent } from '../../runtime/parent-channel';

if (!process.send) throw new Error('pure-worker must run as a child process with an IPC channel');
// A provider that cannot load is expected (the fallback chain handles it and says why in the
// result); onnxruntime's own red log lines would only alarm.
ort.env.logLevel = 'fatal';
let pipeline: PurePipeline | undefined;

const post = (message: FromPureWorker): void => postToParent(message); // exits quietly when the parent is gone

async function handle(message: ToPureWorker): Promise<void> {
  if (message.type === 'load') {
    // Refuse with advice (INSUFFICIENT_MEMORY) before mapping gigabytes of weights: against RAM
    // when the CPU comes first, against the card's free memory when a GPU provider does and the
    // card says (probed here, in a process new for each load, so the figure is current).
    await preflightHere(await readPureManifest(message.modelDir), message.providers ?? ['cpu']);
    // A GPU provider that passed its check may still fail to load; the CPU after it gets its own.
    // PURE_STUDIO_SAMPLE_ON_DEVICE=1: sample on the graphics card where the KV cache stays there
    // (WebGPU); off by default until measured on a real GPU (pure-pipeline.ts sampleOnDevice).
    const sampleOnDevice = process.env.PURE_STUDIO_SAMPLE_ON_DEVICE === '1';
    pipeline = await PurePipeline.load(message.modelDir, message.threads, message.providers, { beforeProvider: checkFallbackProvider, sampleOnDevice });
    post({ type: 'loaded', name: describePureModel(pipeline.manifest), testModel: pipeline.manifest.testModel, provider: pipeline.provider, providerAttempts: pipeline.providerAttempts, kvCache: pipeline.kvCache, threads: pipeline.threads });
    return;
  }
  if (!pipeline) throw new Error('restore before load');
  const out = await pipeline.restore(message.image, message.settings, {
    onProgress: (progress) => post({ type: 'progress', progress }),
    onPreview: (rgb, size, rowsDone) => post({ type: 'preview', rgb, size, rowsDone }),
  });
  const g = out.generation;
  post({
    type: 'done',
    result: { rgb: out.rgb, size: out.size, text: g.text, textForced: g.textForced, perception: g.perception, entropy: g.entropy, stopReason: g.stopReason, imageComplete: g.imageComplete, warnings: g.warnings, timings: g.timings },
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  });
}

process.on('message', (message: ToPureWorker) => {
  handle(message).catch((error: unknown) => post({ type: 'error', error: toErrorPayload(error) }));
});
process.on('disconnect', () => process.exit(0));
