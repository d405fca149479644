// Live preview of a tiled PURE restoration: one small PNG of the whole output so far, written to a
// folder beside the output and named in the restore progress (the page shows it in the viewer's
// "after" slot, through the same media scope as results). The picture starts as the bicubic
// upscale of the input; each finished tile is pasted in, and the tile being generated is shown
// over that with its rows so far (the pipeline's preview: generated rows decoded, the LQ codes
// standing in for the rest). At most one file every `minIntervalMs`; the last few files are kept,
// and the folder outlives the job by a few seconds, so a page that is a little behind can still
// load the one it was just told about instead of asking for a file already removed (a 404).
import { rmSync } from 'node:fs';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type { TilePlan } from '../common/tiling';

/** Longest side of the preview picture: enough for the viewer, cheap to encode twice a second. */
export const PREVIEW_MAX_SIDE = 640;
/** Files kept: at one every 500 ms, a page two seconds behind still finds the one it was told of. */
export const PREVIEW_FILES_KEPT = 4;
/** How long the folder outlives its job: the 'done' report reaches the page after the job ends. */
export const PREVIEW_LINGER_MS = 10_000;

// Folders whose removal waits: removed at once if the process ends first (the next run's temp
// sweep catches a process that was killed).
const lingering = new Set<string>();
process.once('exit', () => {
  for (const dir of lingering) rmSync(dir, { recursive: true, force: true });
});

interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

async function resizeRgb(rgb: Uint8Array, width: number, height: number, toWidth: number, toHeight: number): Promise<Uint8Array> {
  const out = await sharp(rgb, { raw: { width, height, channels: 3 } }).resize(toWidth, toHeight, { kernel: 'cubic', fit: 'fill' }).raw().toBuffer();
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/** (h, w, 3) -> the (height, width) rectangle at (x, y). */
function cropRgb(rgb: Uint8Array, stride: number, x: number, y: number, width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height * 3);
  for (let row = 0; row < height; row++) out.set(rgb.subarray(((y + row) * stride + x) * 3, ((y + row) * stride + x + width) * 3), row * width * 3);
  return out;
}

export interface PreviewSource {
  /** (height, width, 3) RGB8 of the (cropped) input photo. */
  rgb: Uint8Array;
  width: number;
  height: number;
}

export class PureTilePreview {
  private readonly finished: Uint8Array; // (height, width, 3) at preview size
  private lastEmit = -Infinity;
  private count = 0;
  private readonly files: string[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  /** Row previews of any other tile than this one arrive late and are dropped. */
  private currentTile = 0;

  private constructor(
    private readonly dir: string,
    readonly width: number,
    readonly height: number,
    private readonly plan: TilePlan,
    /** Output pixels per input pixel of the tiles (the model's factor). */
    private readonly factor: number,
    base: Uint8Array,
    private readonly emit: (path: string) => void,
    private readonly now: () => number,
    private readonly minIntervalMs: number,
    private readonly lingerMs: number,
  ) {
    this.finished = base;
  }

  /** `parent`: the folder the preview folder is made in (the output's). */
  static async create(
    parent: string,
    source: PreviewSource,
    plan: TilePlan,
    factor: number,
    emit: (path: string) => void,
    options: { now?: () => number; minIntervalMs?: number; lingerMs?: number } = {},
  ): Promise<PureTilePreview> {
    const outW = source.width * factor;
    const outH = source.height * factor;
    const k = Math.min(1, PREVIEW_MAX_SIDE / Math.max(outW, outH));
    const width = Math.max(1, Math.round(outW * k));
    const height = Math.max(1, Math.round(outH * k));
    const base = await resizeRgb(source.rgb, source.width, source.height, width, height);
    const dir = await mkdtemp(join(parent, '.pure-preview-'));
    return new PureTilePreview(dir, width, height, plan, factor, base, emit, options.now ?? (() => performance.now()), options.minIntervalMs ?? 500, options.lingerMs ?? PREVIEW_LINGER_MS);
  }

  get folder(): string {
    return this.dir;
  }

  /**
   * A tile is final: paste the part of it that counts (its core, where the blend gives it weight,
   * so its borders do not cover its neighbours) and show the picture, unless one was shown just now.
   */
  tileDone(index: number, rgb: Uint8Array, width: number, height: number): Promise<void> {
    const core = this.core(index);
    if (core.x + core.width > width || core.y + core.height > height) return Promise.reject(new Error(`tile ${index} is ${width}x${height}, smaller than its core`));
    return this.serial(async () => {
      this.currentTile = index + 1;
      const part = cropRgb(rgb, width, core.x, core.y, core.width, core.height);
      await this.paste(this.finished, this.rect(index, 'core'), part, core.width, core.height);
      if (this.due()) await this.write(this.finished);
    });
  }

  /** The current tile's rows so far ((size, size, 3) from the pipeline): shown over the finished tiles. */
  tileRows(index: number, rgb: Uint8Array, size: number): Promise<void> {
    if (index !== this.currentTile || !this.due()) return Promise.resolve();
    this.lastEmit = this.now(); // claim the slot now: the next row preview may already be on its way
    return this.serial(async () => {
      if (index !== this.currentTile) return;
      const picture = this.finished.slice();
      await this.paste(picture, this.rect(index, 'read'), rgb, size, size);
      await this.write(picture);
    });
  }

  /**
   * Waits for pending writes, then removes the folder and every preview in it: `lingerMs` later
   * (the page may be loading the last one as the job ends), at once with 0. Resolves when the
   * removal is scheduled, not done: the job does not wait for it.
   */
  async close(): Promise<void> {
    await this.queue.catch(() => undefined);
    const dir = this.dir;
    if (this.lingerMs <= 0) return rm(dir, { recursive: true, force: true });
    lingering.add(dir);
    const timer = setTimeout(() => {
      void rm(dir, { recursive: true, force: true })
        .catch(() => undefined)
        .finally(() => lingering.delete(dir));
    }, this.lingerMs);
    timer.unref(); // never keeps a finished process alive: the exit hook removes it instead
  }

  private due(): boolean {
    return this.now() - this.lastEmit >= this.minIntervalMs || this.count === 0;
  }

  private serial(work: () => Promise<void>): Promise<void> {
    const next = this.queue.then(work);
    // A failed preview must never fail the restoration; the next one simply tries again.
    this.queue = next.catch(() => undefined);
    return next.catch(() => undefined);
  }

  private spans(index: number) {
    const cols = this.plan.xs.length;
    return { xs: this.plan.xs[index % cols], ys: this.plan.ys[Math.floor(index / cols)] };
  }

  /** The core of tile `index` inside its own output, in output pixels. */
  private core(index: number): Rect {
    const { xs, ys } = this.spans(index);
    const f = this.factor;
    return { x: (xs.start - xs.readStart) * f, y: (ys.start - ys.readStart) * f, width: (xs.end - xs.start) * f, height: (ys.end - ys.start) * f };
  }

  /** Where tile `index` (row-major) lies in the preview picture: its whole read area, or its core. */
  private rect(index: number, part: 'read' | 'core'): Rect {
    const { xs, ys } = this.spans(index);
    const [x0, x1, y0, y1] = part === 'read' ? [xs.readStart, xs.readEnd, ys.readStart, ys.readEnd] : [xs.start, xs.end, ys.start, ys.end];
    const sx = this.width / (this.plan.xs[this.plan.xs.length - 1].readEnd * this.factor);
    const sy = this.height / (this.plan.ys[this.plan.ys.length - 1].readEnd * this.factor);
    const x = Math.round(x0 * this.factor * sx);
    const y = Math.round(y0 * this.factor * sy);
    const width = Math.max(1, Math.min(this.width, Math.round(x1 * this.factor * sx)) - x);
    const height = Math.max(1, Math.min(this.height, Math.round(y1 * this.factor * sy)) - y);
    return { x, y, width, height };
  }

  private async paste(picture: Uint8Array, r: Rect, rgb: Uint8Array, width: number, height: number): Promise<void> {
    const small = await resizeRgb(rgb, width, height, r.width, r.height);
    for (let y = 0; y < r.height; y++) picture.set(small.subarray(y * r.width * 3, (y + 1) * r.width * 3), ((r.y + y) * this.width + r.x) * 3);
  }

  private async write(picture: Uint8Array): Promise<void> {
    this.lastEmit = this.now();
    const path = join(this.dir, `preview-${String(++this.count).padStart(5, '0')}.png`);
    const png = await sharp(picture, { raw: { width: this.width, height: this.height, channels: 3 } }).png({ compressionLevel: 3 }).toBuffer();
    // Whole files only: the page may read the name the moment it is announced.
    await writeFile(`${path}.tmp`, png);
    await rename(`${path}.tmp`, path);
    this.files.push(path);
    if (this.files.length > PREVIEW_FILES_KEPT) await rm(this.files.shift()!, { force: true });
    this.emit(path);
  }
}
