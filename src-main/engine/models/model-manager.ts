// The model manager's one public API, for the worker (and so the UI), the CLI and the tests
// alike. Every long task takes {signal, onProgress}. Pause is a cancel (the partial download is
// kept) and resume is a pull, which continues where the files stopped, even after a restart.
import { loadCatalog, modelEntry, type ModelEntry } from './catalog';
import { importModel, type ImportOptions, type ImportResult } from './import-model';
import type { ModelProgress, ProgressListener } from './model-progress';
import { listModels, modelInfo, removeModel, verifyModel, type ModelInfo, type VerifyReport } from './model-status';
import { setModelsFolder, type MoveOptions } from './models-folder';
import { modelsDir, studioHome } from './paths';
import { pullModel, type PullOptions, type PullOutcome } from './pull';

export interface TaskContext {
  signal?: AbortSignal;
  onProgress?: ProgressListener;
}

export interface ModelManagerOptions {
  home?: string;
  /** Default: $PURE_STUDIO_CATALOG or the built-in catalog. */
  catalog?: ModelEntry[];
  env?: NodeJS.ProcessEnv;
  /** Defaults for every pull (transfer settings, converters, a free-space probe...). */
  pull?: Omit<PullOptions, 'home' | 'catalog' | 'signal' | 'onProgress'>;
}

export type PullRequest = TaskContext & Pick<PullOptions, 'wait' | 'keepDownloads' | 'retrust'>;

interface InFlight {
  promise: Promise<PullOutcome>;
  controller: AbortController;
  listeners: Set<ProgressListener>;
}

export class ModelManager {
  readonly home: string;
  readonly catalog: ModelEntry[];
  private readonly inFlight = new Map<string, InFlight>();

  constructor(private readonly options: ModelManagerOptions = {}) {
    const env = options.env ?? process.env;
    this.home = options.home ?? studioHome(env);
    this.catalog = options.catalog ?? loadCatalog(env);
  }

  get modelsDir(): string {
    return modelsDir(this.home);
  }

  list(): Promise<ModelInfo[]> {
    return listModels({ home: this.home, catalog: this.catalog });
  }

  info(id: string): Promise<ModelInfo> {
    return modelInfo(modelEntry(id, this.catalog), this.home);
  }

  /**
   * Downloads, converts and installs a model. A second pull of the same model from this manager
   * joins the first (both see its progress; either signal cancels it).
   */
  pull(id: string, request: PullRequest = {}): Promise<PullOutcome> {
    const running = this.inFlight.get(id);
    if (running) return this.join(running, request);
    const controller = new AbortController();
    const listeners = new Set<ProgressListener>();
    const onProgress = (p: ModelProgress): void => listeners.forEach((listen) => listen(p));
    const promise = pullModel(id, { ...this.options.pull, env: this.options.env, ...request, home: this.home, catalog: this.catalog, signal: controller.signal, onProgress }).finally(() =>
      this.inFlight.delete(id),
    );
    const flight = { promise, controller, listeners };
    this.inFlight.set(id, flight);
    return this.join(flight, request);
  }

  verify(id: string, ctx: TaskContext = {}): Promise<VerifyReport> {
    return verifyModel(id, { home: this.home, catalog: this.catalog, ...ctx });
  }

  remove(id: string, options: { keepDownloads?: boolean } = {}): Promise<number> {
    return removeModel(id, { home: this.home, catalog: this.catalog, ...options });
  }

  import(folder: string, request: TaskContext & Pick<ImportOptions, 'id' | 'converters'> = {}): Promise<ImportResult> {
    return importModel(folder, { home: this.home, catalog: this.catalog, converters: this.options.pull?.converters, ...request });
  }

  setModelsFolder(folder: string, options: Omit<MoveOptions, 'home'> = {}): Promise<string> {
    return setModelsFolder(folder, { home: this.home, ...options });
  }

  private join(flight: InFlight, request: PullRequest): Promise<PullOutcome> {
    const { signal, onProgress } = request;
    if (onProgress) flight.listeners.add(onProgress);
    const onAbort = (): void => flight.controller.abort();
    if (signal?.aborted) flight.controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    return flight.promise.finally(() => {
      if (onProgress) flight.listeners.delete(onProgress);
      signal?.removeEventListener('abort', onAbort);
    });
  }
}
