// A stand-in worker for host tests: "restores" by re-encoding the input at 2x with sharp, keeping
// its EXIF, and answers like the real one (progress, done, failed). Fast and needs no model.
// Estimates are the engine's own (Restorer.estimate in this process): they load no model either.
import { existsSync } from 'node:fs';
import sharp from 'sharp';
import { toErrorPayload } from '../../engine/common/errors';
import { Restorer } from '../../engine/restore/restore';
import type { WorkerRequestInput } from '../../protocol/messages';
import { entropyMapPath } from '../../engine/restore/pure-restore';
import type { RestoreOptionsInput, RestoreResult } from '../../protocol/restore';
import type { ExitReason, WorkerChild } from './worker-host';

export class TestWorker implements WorkerChild {
  readonly pid = 4242;
  readonly requests: WorkerRequestInput[] = [];
  /** While true, restores wait for a cancel instead of finishing. */
  hang = false;
  /** While true, results come as PURE's do: with an entropy map beside the output. */
  entropyMaps = false;
  private listeners: ((message: unknown) => void)[] = [];
  /** Restores held while `hang` was set, not yet cancelled or released. */
  private held: { jobId: string; input: string; output: string }[] = [];
  private exits: ((code: number, reason?: ExitReason) => void)[] = [];

  post(message: WorkerRequestInput): void {
    this.requests.push(message);
    if (message.type === 'restore') {
      const job = { jobId: message.jobId, input: message.input, output: message.output ?? `${message.input}.out.png` };
      if (this.hang) this.held.push(job);
      else void this.restore(job.jobId, job.input, job.output);
    }
    if (message.type === 'estimate') void this.estimate(message.requestId, message.input, message.options);
    if (message.type === 'cancel') this.held = this.held.filter((job) => job.jobId !== message.jobId);
    if (message.type === 'cancel') this.emit({ type: 'failed', jobId: message.jobId, error: { code: 'CANCELLED', message: 'Cancelled.' } });
    if (message.type === 'shutdown') setTimeout(() => this.exits.forEach((listener) => listener(0)), 1);
  }
  onMessage(listener: (message: unknown) => void): void {
    this.listeners.push(listener);
  }
  onExit(listener: (code: number, reason?: ExitReason) => void): void {
    this.exits.push(listener);
  }
  /** Finishes the held restores now, as if their work had just ended. */
  release(): void {
    const held = this.held;
    this.held = [];
    for (const job of held) void this.restore(job.jobId, job.input, job.output);
  }
  kill(): void {
    this.exits.forEach((listener) => listener(137, 'killed'));
  }

  private emit(message: unknown): void {
    for (const listener of this.listeners) listener(message);
  }

  private async estimate(requestId: string, input: string, options: RestoreOptionsInput | undefined): Promise<void> {
    try {
      this.emit({ type: 'estimated', requestId, result: await new Restorer().estimate(input, options ?? {}) });
    } catch (error) {
      this.emit({ type: 'estimate-failed', requestId, error: toErrorPayload(error) });
    }
  }

  private async restore(jobId: string, input: string, output: string): Promise<void> {
    this.emit({ type: 'progress', jobId, progress: { stage: 'restoring', fraction: 0.5 } });
    try {
      const meta = await sharp(input).metadata();
      if (existsSync(output)) throw new Error('output exists');
      await sharp(input).resize(meta.width * 2).keepMetadata().toFile(output);
      const result: RestoreResult = {
        input,
        output,
        engine: 'realesrgan-x4fast',
        provider: 'cpu',
        inputSize: { width: meta.width, height: meta.height },
        outputSize: { width: meta.width * 2, height: meta.height * 2 },
        tiles: 1,
        timings: { decodeMs: 1, loadModelMs: 1, inferenceMs: 1, encodeMs: 1, totalMs: 4 },
        workerPeakRssBytes: 1,
      };
      if (this.entropyMaps) {
        const entropyMap = entropyMapPath(output);
        await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } }).png().toFile(entropyMap);
        const estimate = { tiles: 1, columns: 1, rows: 1, tileSize: 128, factor: 4, tokensPerTile: 1, tokensPerSecond: 1, overheadSecondsPerTile: 0, seconds: 1, source: 'assumed' } as const;
        result.pure = { model: 'TEST MODEL', testModel: true, text: 'test', caption: 'test', parsed: false, entropyMap, imageComplete: true, tokensPerSecond: 1, kvCache: 'host-static', estimate };
      }
      this.emit({ type: 'done', jobId, result });
    } catch (error) {
      this.emit({ type: 'failed', jobId, error: { code: 'CORRUPT_IMAGE', message: (error as Error).message } });
    }
  }
}
