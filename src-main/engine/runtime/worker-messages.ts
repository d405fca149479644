// Messages between the engine and its onnxruntime child process (IPC with Node's "advanced"
// serialization, which carries typed arrays as binary).

export interface ProviderAttempt {
  provider: string;
  /** Why it could not be used; absent for the one in use. */
  error?: string;
}

export type ToOrtWorker =
  | { type: 'load'; modelPath: string; providers: string[]; threads: number }
  | { type: 'run'; id: number; data: Float32Array; dims: number[] };

export type FromOrtWorker =
  // graphCache: whether onnxruntime's optimized graph came from the cache beside the model (optimized-graph-cache.ts)
  | { type: 'loaded'; provider: string; attempts: ProviderAttempt[]; inputName: string; outputName: string; threads: number; graphCache: 'hit' | 'written' | 'off' }
  | { type: 'result'; id: number; data: Float32Array; dims: number[]; peakRssBytes: number }
  | { type: 'error'; id?: number; message: string; code?: string };
