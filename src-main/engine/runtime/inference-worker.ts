// The engine's handle on its onnxruntime child process: load a model once, run tiles, and
// cancel for real by killing the process (onnxruntime cannot interrupt a run in progress).
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { EngineError, cancelledError } from '../common/errors';
import { workerExitError } from './worker-exit';
import type { FromOrtWorker, ProviderAttempt, ToOrtWorker } from './worker-messages';
import { loaderArgsFor } from './tsx-loader';

export interface LoadedModel {
  provider: string;
  attempts: ProviderAttempt[];
  /** onnxruntime's intra-op threads as the session was given them (the default resolved). */
  threads: number;
  /** Whether the optimized graph came from the cache beside the model, was written to it, or neither. */
  graphCache: 'hit' | 'written' | 'off';
}

export interface InferenceOutput {
  data: Float32Array;
  dims: number[];
}

/**
 * Where a child-process entry is: beside the calling module from source (tsx), or beside the
 * bundle in out/main (electron-vite builds each entry as <name>.js there).
 */
export function workerScript(name: string, callerUrl: string, override?: string): string {
  if (override) return override;
  return fileURLToPath(new URL(callerUrl.endsWith('.ts') ? `./${name}.ts` : `./${name}.js`, callerUrl));
}

const workerPath = (): string => workerScript('ort-worker', import.meta.url, process.env.PURE_STUDIO_ORT_WORKER);

/** Forks an engine child process with an IPC channel that carries typed arrays as binary. */
export function spawnWorker(path: string): ChildProcess {
  return fork(path, [], {
    // From source the worker is TypeScript too: load it through tsx like its parent.
    execArgv: loaderArgsFor(path),
    // Inside Electron, process.execPath is the Electron binary: make it behave as plain Node.
    // ORT_DISABLE_TELEMETRY: onnxruntime's telemetry otherwise leaves mat-debug-<pid>.log and .ses
    // in TMPDIR on every run (nothing is sent from these machines; the files are just litter).
    env: { ...process.env, ORT_DISABLE_TELEMETRY: '1', ...(process.versions.electron ? { ELECTRON_RUN_AS_NODE: '1' } : {}) },
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/**
 * An engine process started before anyone asked for one (`prewarmWorker`), waiting for its 'load':
 * its Node start and onnxruntime import (~0.25 s) overlap the caller's own start and decode.
 */
let prewarmed: { path: string; child: ChildProcess } | undefined;

/**
 * Starts an inference process now, for the next `InferenceWorker.start` to take. It does not keep
 * this process alive: unused, it ends with it (its IPC channel closes and it exits). Its pid.
 */
export function prewarmWorker(): number | undefined {
  if (prewarmed) return prewarmed.child.pid;
  const path = workerPath();
  const child = spawnWorker(path);
  child.unref();
  child.channel?.unref();
  const drop = (): void => {
    if (prewarmed?.child === child) prewarmed = undefined;
  };
  child.once('error', drop);
  child.once('exit', drop);
  prewarmed = { path, child };
  return child.pid;
}

/** The prewarmed process when it is for `path` and still alive, else a new one. */
function takeOrSpawn(path: string): ChildProcess {
  const ready = prewarmed;
  if (ready && ready.path === path && ready.child.connected && ready.child.exitCode === null && ready.child.signalCode === null) {
    prewarmed = undefined;
    ready.child.ref();
    ready.child.channel?.ref();
    return ready.child;
  }
  return spawnWorker(path);
}

type Pending = { resolve: (out: InferenceOutput) => void; reject: (error: Error) => void };

export class InferenceWorker {
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private dead: Error | undefined;
  private exited: Promise<void>;
  /** Largest resident memory the child reported, in bytes (it is not counted in our own RSS). */
  peakRssBytes = 0;

  private constructor(modelPath: string, providers: string[], threads: number) {
    this.child = takeOrSpawn(workerPath());
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()));
    this.child.on('message', (message: FromOrtWorker) => this.onMessage(message));
    this.child.on('error', (error) => this.fail(new EngineError('WORKER_CRASHED', `The inference process failed: ${error.message}`)));
    this.child.on('exit', (code, signal) => this.fail(workerExitError('inference process', code, signal, this.peakRssBytes)));
    this.send({ type: 'load', modelPath, providers, threads });
  }

  /** The child's process id (undefined once it could not start). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Starts a worker process and loads the model in it, trying providers in order. */
  static async start(modelPath: string, providers: string[], threads: number): Promise<{ worker: InferenceWorker; model: LoadedModel }> {
    const worker = new InferenceWorker(modelPath, providers, threads);
    try {
      return { worker, model: await worker.whenLoaded() };
    } catch (error) {
      await worker.close();
      throw error;
    }
  }

  /** Runs one input tensor through the model. */
  run(data: Float32Array, dims: number[], signal?: AbortSignal): Promise<InferenceOutput> {
    if (this.dead) return Promise.reject(this.dead);
    if (signal?.aborted) return Promise.reject(cancelledError());
    const id = this.nextId++;
    return new Promise<InferenceOutput>((resolve, reject) => {
      const onAbort = (): void => this.kill(cancelledError());
      signal?.addEventListener('abort', onAbort, { once: true });
      const settle = (): void => {
        signal?.removeEventListener('abort', onAbort);
        this.pending.delete(id);
      };
      this.pending.set(id, {
        resolve: (out) => (settle(), resolve(out)),
        reject: (error) => (settle(), reject(error)),
      });
      this.send({ type: 'run', id, data, dims });
    });
  }

  /** Ends the worker process at once and waits until it is gone. */
  async close(): Promise<void> {
    this.kill(new EngineError('CANCELLED', 'The inference worker was closed.'));
    await this.exited;
  }

  private whenLoaded(): Promise<LoadedModel> {
    return new Promise<LoadedModel>((resolve, reject) => {
      const onMessage = (message: FromOrtWorker): void => {
        if (message.type === 'loaded') resolve({ provider: message.provider, attempts: message.attempts, threads: message.threads, graphCache: message.graphCache });
        else if (message.type === 'error' && message.id === undefined) {
          reject(new EngineError(message.code === 'PROVIDER_UNAVAILABLE' ? 'PROVIDER_UNAVAILABLE' : 'MODEL_FORMAT', message.message));
        } else return;
        this.child.off('message', onMessage);
      };
      this.child.on('message', onMessage);
      void this.exited.then(() => reject(this.dead ?? new EngineError('WORKER_CRASHED', 'The inference process stopped while loading the model.')));
    });
  }

  private send(message: ToOrtWorker): void {
    this.child.send(message);
  }

  private kill(reason: Error): void {
    this.dead ??= reason;
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    this.fail(reason);
  }

  private onMessage(message: FromOrtWorker): void {
    if (message.type === 'loaded' || message.id === undefined) return;
    const pending = this.pending.get(message.id);
    if (!pending) return;
    if (message.type === 'result') {
      this.peakRssBytes = Math.max(this.peakRssBytes, message.peakRssBytes);
      pending.resolve({ data: message.data, dims: message.dims });
    } else if (/bad_alloc|out of memory|Failed to allocate/i.test(message.message)) {
      pending.reject(new EngineError('OUT_OF_MEMORY', 'Ran out of memory while running the model.', 'Use a smaller tile (--tile 128).'));
    } else {
      pending.reject(new EngineError('INTERNAL', `Inference failed: ${message.message}`, 'Please report this with the input that caused it.'));
    }
  }

  private fail(error: Error): void {
    this.dead ??= error;
    for (const p of [...this.pending.values()]) p.reject(this.dead);
    this.pending.clear();
  }
}
