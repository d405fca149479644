// Messages between the engine and its PURE child process (Node IPC, "advanced" serialization).
import type { ErrorPayload } from '../../common/errors';
import type { ProviderAttempt } from '../../runtime/worker-messages';
import type { RasterImage } from '../../image/types';
import type { GenerationResult } from '../generation/generate';
import type { GenerationProgress } from '../generation/progress';
import type { KvCacheDesign } from './decoder-runner-choice';
import type { PureSettings } from './pure-pipeline';

export type ToPureWorker =
  | { type: 'load'; modelDir: string; threads: number; providers?: string[] }
  | { type: 'restore'; image: RasterImage; settings: PureSettings };

export type PureDone = Pick<GenerationResult, 'text' | 'textForced' | 'perception' | 'entropy' | 'stopReason' | 'imageComplete' | 'warnings' | 'timings'> & {
  /** (size, size, 3) RGB after the colour fix. */
  rgb: Uint8Array;
  size: number;
};

export type FromPureWorker =
  | { type: 'loaded'; name: string; testModel: boolean; provider: string; providerAttempts: ProviderAttempt[]; kvCache: KvCacheDesign; threads: number }
  | { type: 'progress'; progress: GenerationProgress }
  | { type: 'preview'; rgb: Uint8Array; size: number; rowsDone: number }
  | { type: 'done'; result: PureDone; peakRssBytes: number }
  | { type: 'error'; error: ErrorPayload };
