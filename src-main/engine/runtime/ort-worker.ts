// Child-process entry: owns one onnxruntime session. onnxruntime-node's run() blocks the JS
// thread and cannot be interrupted, and ending a worker *thread* mid-run aborts the whole process
// (a native exception during teardown). A child process can be killed at any instant, which is
// what makes Cancel immediate and safe.
import * as ort from 'onnxruntime-node';
import type { FromOrtWorker, ProviderAttempt, ToOrtWorker } from './worker-messages';

if (!process.send) throw new Error('ort-worker must run as a child process with an IPC channel');
// A provider that cannot load is expected (that is what the fallback chain is for) and is
// reported to the user in plain words; onnxruntime's own red log lines would only alarm.
ort.env.logLevel = 'fatal';
let session: ort.InferenceSession | undefined;

function post(message: FromOrtWorker): void {
  process.send!(message);
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
        logSeverityLevel: 4,
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
