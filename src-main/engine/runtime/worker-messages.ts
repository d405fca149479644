// Messages between the engine and its onnxruntime worker thread. Tensors travel as transferred
// ArrayBuffers, so a tile is moved, never copied.

export interface ProviderAttempt {
  provider: string;
  /** Why it could not be used; absent for the one in use. */
  error?: string;
}

export type ToOrtWorker =
  | { type: 'load'; modelPath: string; providers: string[]; threads: number }
  | { type: 'run'; id: number; data: Float32Array; dims: number[] };

export type FromOrtWorker =
  | { type: 'loaded'; provider: string; attempts: ProviderAttempt[]; inputName: string; outputName: string }
  | { type: 'result'; id: number; data: Float32Array; dims: number[] }
  | { type: 'error'; id?: number; message: string; code?: string };
