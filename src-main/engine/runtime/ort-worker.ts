// worker_threads entry: owns one onnxruntime session. onnxruntime-node's run() blocks the JS
// thread it is called on, so it lives here, and the caller's event loop (UI IPC, progress,
// Ctrl-C) stays responsive. Cancelling mid-tile terminates this thread.
import { parentPort } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import type { FromOrtWorker, ProviderAttempt, ToOrtWorker } from './worker-messages';

if (!parentPort) throw new Error('ort-worker must run as a worker thread');
const port = parentPort;
let session: ort.InferenceSession | undefined;

function post(message: FromOrtWorker, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

async function load(modelPath: string, providers: string[], threads: number): Promise<void> {
  const attempts: ProviderAttempt[] = [];
  // One provider per attempt: onnxruntime fails outright when any listed provider is missing,
  // so the fallback chain is walked here, and every refusal is reported.
  for (const provider of providers) {
    try {
      session = await ort.InferenceSession.create(modelPath, {
        executionProviders: [provider],
        graphOptimizationLevel: 'all',
        executionMode: 'sequential',
        ...(threads > 0 ? { intraOpNumThreads: threads, interOpNumThreads: 1 } : {}),
      });
      attempts.push({ provider });
      post({ type: 'loaded', provider, attempts, inputName: session.inputNames[0], outputName: session.outputNames[0] });
      return;
    } catch (error) {
      attempts.push({ provider, error: error instanceof Error ? error.message.split('\n')[0] : String(error) });
    }
  }
  const summary = attempts.map((a) => `${a.provider}: ${a.error}`).join('; ');
  post({ type: 'error', code: 'PROVIDER_UNAVAILABLE', message: `No execution provider could load the model (${summary})` });
}

async function run(id: number, data: Float32Array, dims: number[]): Promise<void> {
  if (!session) throw new Error('run before load');
  const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', data, dims) };
  const results = await session.run(feeds);
  const output = results[session.outputNames[0]];
  const out = output.data as Float32Array;
  post({ type: 'result', id, data: out, dims: [...output.dims] }, [out.buffer as ArrayBuffer]);
}

port.on('message', (message: ToOrtWorker) => {
  const task = message.type === 'load' ? load(message.modelPath, message.providers, message.threads) : run(message.id, message.data, message.dims);
  task.catch((error: unknown) => {
    post({ type: 'error', id: message.type === 'run' ? message.id : undefined, message: error instanceof Error ? error.message : String(error) });
  });
});
