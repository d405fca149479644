// The engine's handle on a PURE child process: load a converted package once, restore photos in
// it, stream progress and previews, and cancel for real by killing the process.
import type { ChildProcess } from 'node:child_process';
import { EngineError, cancelledError } from '../../common/errors';
import type { RasterImage } from '../../image/types';
import { spawnWorker, workerScript } from '../../runtime/inference-worker';
import { workerExitError } from '../../runtime/worker-exit';
import type { ProviderAttempt } from '../../runtime/worker-messages';
import type { GenerationProgress } from '../generation/progress';
import type { KvCacheDesign } from './decoder-runner-choice';
import type { FromPureWorker, PureDone } from './pure-messages';
import type { PureSettings } from './pure-pipeline';

export interface PureJobHooks {
  signal?: AbortSignal;
  onProgress?: (p: GenerationProgress) => void;
  onPreview?: (rgb: Uint8Array, size: number, rowsDone: number) => void;
}

export class PureEngine {
  peakRssBytes = 0;
  private busy = false;

  private constructor(
    private readonly child: ChildProcess,
    /** How the model is named to people ("... (TEST MODEL ...)" for test models). */
    readonly modelName: string,
    readonly testModel: boolean,
    /** The execution provider PURE runs on, and each provider tried before it with why it was refused. */
    readonly provider: string = 'cpu',
    readonly providerAttempts: readonly ProviderAttempt[] = [],
    /** Where the KV cache lives on that provider: 'device' (webgpu), 'host-static' or 'host-concat'. */
    readonly kvCache: KvCacheDesign = 'host-static',
    /** onnxruntime's intra-op threads in every PURE session (the default resolved). */
    readonly threads = 1,
  ) {}

  /** `providers`: tried in order, the first that loads every PURE graph is used (as for Real-ESRGAN). */
  static async load(modelDir: string, threads: number, providers: readonly string[] = ['cpu']): Promise<PureEngine> {
    const child = spawnWorker(workerScript('pure-worker', import.meta.url, process.env.PURE_STUDIO_PURE_WORKER));
    try {
      const loaded = await new Promise<Extract<FromPureWorker, { type: 'loaded' }>>((resolve, reject) => {
        child.on('message', (m: FromPureWorker) => {
          if (m.type === 'loaded') resolve(m);
          else if (m.type === 'error') reject(EngineError.fromPayload(m.error));
        });
        child.once('exit', (code, signal) => reject(new EngineError('WORKER_CRASHED', `The PURE process stopped while loading (${signal ?? code}).`)));
        child.send({ type: 'load', modelDir, threads, providers: [...providers] });
      });
      child.removeAllListeners('message');
      child.removeAllListeners('exit');
      return new PureEngine(child, loaded.name, loaded.testModel, loaded.provider, loaded.providerAttempts, loaded.kvCache, loaded.threads);
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    }
  }

  restore(image: RasterImage, settings: PureSettings, hooks: PureJobHooks = {}): Promise<PureDone> {
    if (this.busy) return Promise.reject(new EngineError('INTERNAL', 'The PURE engine runs one photo at a time.'));
    if (hooks.signal?.aborted) return Promise.reject(cancelledError());
    this.busy = true;
    return new Promise<PureDone>((resolve, reject) => {
      const finish = (): void => {
        this.busy = false;
        this.child.off('message', onMessage);
        this.child.off('exit', onExit);
        hooks.signal?.removeEventListener('abort', onAbort);
      };
      const onMessage = (m: FromPureWorker): void => {
        if (m.type === 'progress') hooks.onProgress?.(m.progress);
        else if (m.type === 'preview') hooks.onPreview?.(m.rgb, m.size, m.rowsDone);
        else if (m.type === 'done') {
          this.peakRssBytes = Math.max(this.peakRssBytes, m.peakRssBytes);
          finish();
          resolve(m.result);
        } else if (m.type === 'error') {
          finish();
          reject(EngineError.fromPayload(m.error));
        }
      };
      const onExit = (code: number | null, signal: string | null): void => {
        finish();
        reject(workerExitError('PURE process', code, signal as NodeJS.Signals | null, this.peakRssBytes));
      };
      const onAbort = (): void => {
        finish();
        this.child.kill('SIGKILL');
        reject(cancelledError());
      };
      this.child.on('message', onMessage);
      this.child.once('exit', onExit);
      hooks.signal?.addEventListener('abort', onAbort, { once: true });
      this.child.send({ type: 'restore', image, settings });
    });
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async close(): Promise<void> {
    if (!this.alive) return;
    const gone = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.kill('SIGKILL');
    await gone;
  }
}
