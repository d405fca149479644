// The engine's handle on its onnxruntime worker thread: load a model once, run tiles, and
// cancel for real by terminating the thread (onnxruntime cannot interrupt a run in progress).
import { Worker } from 'node:worker_threads';
import { EngineError, cancelledError } from '../common/errors';
import type { FromOrtWorker, ProviderAttempt, ToOrtWorker } from './worker-messages';

export interface LoadedModel {
  provider: string;
  attempts: ProviderAttempt[];
}

export interface InferenceOutput {
  data: Float32Array;
  dims: number[];
}

/** Where the worker script is: beside this file from source (tsx), or beside the bundle. */
function workerUrl(): URL {
  const override = process.env.PURE_STUDIO_ORT_WORKER;
  if (override) return new URL(`file://${override}`);
  const here = import.meta.url;
  return new URL(here.endsWith('.ts') ? './ort-worker.ts' : './ort-worker.js', here);
}

/**
 * Starts the worker. From source (tests, CLI through tsx) the worker is TypeScript too, and on
 * Node 20 a worker does not inherit tsx's loader, so a tiny bootstrap registers it first.
 */
function spawnWorker(url: URL): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url);
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(bootstrap, { eval: true });
}

type Pending = { resolve: (out: InferenceOutput) => void; reject: (error: Error) => void };

export class InferenceWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private loaded: Promise<LoadedModel>;
  private dead: Error | undefined;

  private constructor(modelPath: string, providers: string[], threads: number) {
    this.worker = spawnWorker(workerUrl());
    this.loaded = new Promise<LoadedModel>((resolve, reject) => {
      const onLoad = (message: FromOrtWorker): void => {
        if (message.type === 'loaded') resolve({ provider: message.provider, attempts: message.attempts });
        else if (message.type === 'error' && message.id === undefined)
          reject(new EngineError(message.code === 'PROVIDER_UNAVAILABLE' ? 'PROVIDER_UNAVAILABLE' : 'MODEL_FORMAT', message.message));
        else return;
        this.worker.off('message', onLoad);
      };
      this.worker.on('message', onLoad);
      this.worker.once('exit', () => reject(this.dead ?? new EngineError('WORKER_CRASHED', 'The inference worker stopped while loading the model.')));
    });
    this.worker.on('message', (message: FromOrtWorker) => this.onMessage(message));
    this.worker.on('error', (error) => this.fail(this.crashError(error)));
    this.worker.on('exit', (code) => this.fail(this.dead ?? new EngineError('WORKER_CRASHED', `The inference worker exited (code ${code}).`, 'Try again; if it keeps happening, use a smaller --tile.')));
    this.post({ type: 'load', modelPath, providers, threads });
  }

  /** Starts a worker thread and loads the model in it, trying providers in order. */
  static async start(modelPath: string, providers: string[], threads: number): Promise<{ worker: InferenceWorker; model: LoadedModel }> {
    const worker = new InferenceWorker(modelPath, providers, threads);
    try {
      return { worker, model: await worker.loaded };
    } catch (error) {
      await worker.close();
      throw error;
    }
  }

  /** Runs one input tensor; the input buffer is transferred (unusable afterwards). */
  run(data: Float32Array, dims: number[], signal?: AbortSignal): Promise<InferenceOutput> {
    if (this.dead) return Promise.reject(this.dead);
    if (signal?.aborted) return Promise.reject(cancelledError());
    const id = this.nextId++;
    return new Promise<InferenceOutput>((resolve, reject) => {
      const onAbort = (): void => {
        this.dead = cancelledError();
        void this.worker.terminate();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        resolve: (out) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(out);
        },
        reject: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      });
      this.post({ type: 'run', id, data, dims }, [data.buffer as ArrayBuffer]);
    });
  }

  async close(): Promise<void> {
    this.dead ??= new EngineError('CANCELLED', 'The inference worker was closed.');
    await this.worker.terminate();
  }

  private post(message: ToOrtWorker, transfer: ArrayBuffer[] = []): void {
    this.worker.postMessage(message, transfer);
  }

  private onMessage(message: FromOrtWorker): void {
    if (message.type === 'loaded' || message.id === undefined) return;
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    if (message.type === 'result') pending.resolve({ data: message.data, dims: message.dims });
    else pending.reject(this.crashError(new Error(message.message)));
  }

  private crashError(error: Error): EngineError {
    if (/bad_alloc|out of memory|Failed to allocate/i.test(error.message)) {
      return new EngineError('OUT_OF_MEMORY', 'Ran out of memory while running the model.', 'Use a smaller tile (--tile 128).');
    }
    return new EngineError('INTERNAL', `Inference failed: ${error.message}`, 'Please report this with the input that caused it.');
  }

  private fail(error: Error): void {
    this.dead ??= error;
    for (const p of this.pending.values()) p.reject(this.dead);
    this.pending.clear();
  }
}
