// A loaded fully convolutional x`scale` upscaler (the Real-ESRGAN models): runs an RGB raster
// through it tile by tile, with context and blending, in bounded memory.
import { throwIfAborted } from '../common/errors';
import { rasterRectToNCHW } from '../common/raster-ops';
import { TileAccumulator, tileReadRect } from '../common/tile-accumulator';
import { planTiles, type TileSettings } from '../common/tiling';
import type { RasterImage } from '../image/types';
import { InferenceWorker, type LoadedModel } from '../runtime/inference-worker';
import type { ConcreteProvider } from '../runtime/resolve-providers';
import type { ProviderAttempt } from '../runtime/worker-messages';

export interface UpscaleProgress {
  tilesDone: number;
  tilesTotal: number;
}

export interface UpscaleOptions {
  /** Tile edge in input pixels. */
  tile: number;
  /** Input pixels neighbouring tiles share and blend (default: min(16, tile/4)). */
  overlap?: number;
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
  ) {}

  /** `pad`: context around each tile; it must cover the model's effective receptive field. */
  static async load(onnxPath: string, geometry: { scale: number; pad: number }, providers: readonly ConcreteProvider[], threads: number): Promise<Upscaler> {
    const { worker, model } = await InferenceWorker.start(onnxPath, [...providers], threads);
    return new Upscaler(worker, model, geometry.scale, geometry.pad);
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

  /** Peak RSS of the inference process, in bytes. */
  get peakRssBytes(): number {
    return this.worker.peakRssBytes;
  }

  async upscale(rgb: RasterImage, options: UpscaleOptions): Promise<RasterImage & { channels: 3 }> {
    const plan = planTiles(rgb.width, rgb.height, tileSettings(options.tile, this.pad, options.overlap));
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

  close(): Promise<void> {
    return this.worker.close();
  }
}
