// A loaded fully convolutional x`scale` upscaler (the Real-ESRGAN models): runs an RGB raster
// through it tile by tile, with context and blending, in bounded memory. A model that splits at
// its first upsampling (x4plus) runs as two graphs in two processes, the body on the caller's
// tiles and the head on small ones (split-upscale.ts); the others run whole.
import { throwIfAborted } from '../common/errors';
import { rasterRectToNCHW } from '../common/raster-ops';
import { TileAccumulator, tileReadRect } from '../common/tile-accumulator';
import { planTiles, type TileSettings } from '../common/tiling';
import type { RasterImage } from '../image/types';
import { InferenceWorker, type LoadedModel } from '../runtime/inference-worker';
import type { ConcreteProvider } from '../runtime/resolve-providers';
import type { ProviderAttempt } from '../runtime/worker-messages';
import { splitGraphs } from './realesrgan-split';
import { upscaleSplit } from './split-upscale';

export interface UpscaleProgress {
  tilesDone: number;
  tilesTotal: number;
}

export interface UpscaleOptions {
  /** Tile edge in input pixels (a split model: the body's tiles; the head's are its own). */
  tile: number;
  /** Input pixels neighbouring tiles share and blend (default: min(16, tile/4)); a split model blends its feature map. */
  overlap?: number;
  /** Context around each tile (default: the pad the model was loaded with). */
  pad?: number;
  /** Output bit depth (16 keeps the precision of 16-bit sources). */
  bitDepth: 8 | 16;
  signal?: AbortSignal;
  onTile?: (progress: UpscaleProgress) => void;
}

/** Overlap and context around each tile. Context >= the model's effective receptive field keeps seams invisible. */
export function tileSettings(tile: number, pad: number, overlap = Math.min(16, Math.floor(tile / 4))): TileSettings {
  return { tile, overlap, pad };
}

export class Upscaler {
  private constructor(
    private readonly worker: InferenceWorker,
    readonly model: LoadedModel,
    readonly scale: number,
    readonly pad: number,
    /** The head's process when the model runs split (`worker` then runs the body). */
    private readonly head?: InferenceWorker,
  ) {}

  /**
   * `pad`: context around each tile; it must cover the model's effective receptive field.
   * `split: false` runs a splittable model whole (for comparisons); by default it runs split.
   */
  static async load(
    onnxPath: string,
    geometry: { scale: number; pad: number },
    providers: readonly ConcreteProvider[],
    threads: number,
    options: { split?: boolean } = {},
  ): Promise<Upscaler> {
    const split = options.split === false ? undefined : await splitGraphs(onnxPath);
    if (!split) {
      const { worker, model } = await InferenceWorker.start(onnxPath, [...providers], threads);
      return new Upscaler(worker, model, geometry.scale, geometry.pad);
    }
    const [body, head] = await Promise.allSettled([InferenceWorker.start(split.body, [...providers], threads), InferenceWorker.start(split.head, [...providers], threads)]);
    if (body.status === 'rejected' || head.status === 'rejected') {
      for (const r of [body, head]) if (r.status === 'fulfilled') await r.value.worker.close();
      throw body.status === 'rejected' ? body.reason : (head as PromiseRejectedResult).reason;
    }
    return new Upscaler(body.value.worker, body.value.model, geometry.scale, geometry.pad, head.value.worker);
  }

  /** Whether the model runs as body and head graphs. */
  get split(): boolean {
    return this.head !== undefined;
  }

  get provider(): string {
    return this.model.provider;
  }

  /** The intra-op threads the session runs with. */
  get threads(): number {
    return this.model.threads;
  }

  /** Every provider tried when loading, in order; the ones before `provider` say why they were refused. */
  get providerAttempts(): readonly ProviderAttempt[] {
    return this.model.attempts;
  }

  /** Peak RSS of the inference process (split: the sum of both processes' peaks), in bytes. */
  get peakRssBytes(): number {
    return this.worker.peakRssBytes + (this.head?.peakRssBytes ?? 0);
  }

  async upscale(rgb: RasterImage, options: UpscaleOptions): Promise<RasterImage & { channels: 3 }> {
    if (this.head) {
      const head = this.head;
      return upscaleSplit(rgb, (data, dims) => this.worker.run(data, dims, options.signal), (data, dims) => head.run(data, dims, options.signal), {
        body: tileSettings(options.tile, options.pad ?? this.pad, options.overlap),
        scale: this.scale,
        bitDepth: options.bitDepth,
        signal: options.signal,
        onTile: options.onTile,
      });
    }
    const plan = planTiles(rgb.width, rgb.height, tileSettings(options.tile, options.pad ?? this.pad, options.overlap));
    const acc = new TileAccumulator(plan, this.scale, rgb.width, rgb.height, options.bitDepth);
    let done = 0;
    for (let row = 0; row < plan.ys.length; row++) {
      for (let col = 0; col < plan.xs.length; col++) {
        throwIfAborted(options.signal);
        const r = tileReadRect(plan, row, col);
        const input = rasterRectToNCHW(rgb, r.x, r.y, r.width, r.height); // (1, 3, h, w)
        const out = await this.worker.run(input, [1, 3, r.height, r.width], options.signal); // (1, 3, h*s, w*s)
        acc.add(row, col, { data: out.data, width: out.dims[3], height: out.dims[2] });
        options.onTile?.({ tilesDone: ++done, tilesTotal: plan.count });
      }
    }
    return { width: acc.outWidth, height: acc.outHeight, channels: 3, bitDepth: options.bitDepth, data: acc.finish() };
  }

  async close(): Promise<void> {
    await Promise.all([this.worker.close(), this.head?.close()]);
  }
}
