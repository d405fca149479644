// Child-process entry: owns one onnxruntime session. onnxruntime-node's run() blocks the JS
// thread and cannot be interrupted, and ending a worker *thread* mid-run aborts the whole process
// (a native exception during teardown). A child process can be killed at any instant, which is
// what makes Cancel immediate and safe.
import * as ort from 'onnxruntime-node';
import { EngineError } from '../common/errors';
import { postToParent } from './parent-channel';
import { withGraphFor } from './fp16-graph-cache';
import { createCachedSession } from './optimized-graph-cache';
import { withProviderFallback } from './provider-chain';
import { resolveThreads } from './thread-count';
import type { FromOrtWorker, ToOrtWorker } from './worker-messages';

if (!process.send) throw new Error('ort-worker must run as a child process with an IPC channel');
// A provider that cannot load is expected (that is what the fallback chain is for) and is
// reported to the user in plain words; onnxruntime's own red log lines would only alarm.
ort.env.logLevel = 'fatal';
let session: ort.InferenceSession | undefined;

function post(message: FromOrtWorker): void {
  postToParent(message);
}

async function load(modelPath: string, providers: string[], requested: number): Promise<void> {
  // Never 0 (onnxruntime's own choice kept one core of two busy): see thread-count.ts.
  const threads = resolveThreads(requested);
  try {
    // No memory pattern: it plans a second set of buffers per input shape and keeps both. x4plus's
    // body on one 624 px read (a 512 px tile with its context), three runs: 1.58 / 2.78 / 2.87 GB
    // resident with it, 1.53 / 1.62 / 1.72 GB without, at the same speed (39 vs 41 s, a shared
    // machine): what keeps 2000x1500 at x4 under 3 GB with 512 px body tiles.
    const options = { graphOptimizationLevel: 'all', executionMode: 'sequential', logSeverityLevel: 4, intraOpNumThreads: threads, interOpNumThreads: 1, enableMemPattern: false } as const;
    // Through the optimized graph cached beside the model (optimized-graph-cache.ts); on the
    // graphics card, of the model's fp16 copy (fp16-graph-cache.ts).
    const loaded = await withProviderFallback(providers, (provider) => withGraphFor(modelPath, provider, (graph) => createCachedSession(graph, provider, options)));
    session = loaded.value.session;
    post({ type: 'loaded', provider: loaded.provider, attempts: loaded.attempts, inputName: session.inputNames[0], outputName: session.outputNames[0], threads, graphCache: loaded.value.cache });
  } catch (error) {
    if (!(error instanceof EngineError && error.code === 'PROVIDER_UNAVAILABLE')) throw error;
    post({ type: 'error', code: 'PROVIDER_UNAVAILABLE', message: error.message });
  }
}

async function run(id: number, data: Float32Array, dims: number[]): Promise<void> {
  if (!session) throw new Error('run before load');
  const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', data, dims) };
  const results = await session.run(feeds);
  const output = results[session.outputNames[0]];
  post({ type: 'result', id, data: output.data as Float32Array, dims: [...output.dims], peakRssBytes: process.resourceUsage().maxRSS * 1024 });
}

process.on('message', (message: ToOrtWorker) => {
  const task = message.type === 'load' ? load(message.modelPath, message.providers, message.threads) : run(message.id, message.data, message.dims);
  task.catch((error: unknown) => {
    post({ type: 'error', id: message.type === 'run' ? message.id : undefined, message: error instanceof Error ? error.message : String(error) });
  });
});
// The parent went away (crashed or killed): nothing left to do.
process.on('disconnect', () => process.exit(0));
