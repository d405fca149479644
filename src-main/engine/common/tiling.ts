// Tiling maths for fully convolutional upscalers: split an image into overlapping tiles, give
// each tile extra context that is thrown away, and blend neighbours with linear ramps whose
// weights sum to exactly 1 everywhere (a partition of unity), so no weight buffer is needed.
// Pure TypeScript: no Node built-ins.

/** One tile along one axis, in input pixels. */
export interface Span {
  /** The tile proper: [start, end). Neighbouring tiles overlap inside it. */
  start: number;
  end: number;
  /** What is fed to the model: the tile plus context, clipped to the image: [readStart, readEnd). */
  readStart: number;
  readEnd: number;
}

export interface TilePlan {
  xs: Span[];
  ys: Span[];
  count: number;
}

export interface TileSettings {
  /** Tile edge in input pixels (before context). */
  tile: number;
  /** How much neighbouring tiles overlap, blended with a linear ramp. */
  overlap: number;
  /** Context added on each side and discarded after inference. */
  pad: number;
}

/**
 * Spans of at most `tile` pixels, each starting `tile - overlap` after the previous one; the last
 * may be shorter. Overlap is capped at tile/4 so that no pixel is covered by three spans.
 */
export function planSpans(length: number, settings: TileSettings): Span[] {
  if (!(length > 0)) throw new RangeError(`length must be positive, got ${length}`);
  const tile = Math.max(1, Math.floor(settings.tile));
  const overlap = Math.min(Math.max(0, Math.floor(settings.overlap)), Math.floor(tile / 4));
  const step = tile - overlap;
  const spans: Span[] = [];
  for (let start = 0; ; start += step) {
    const end = Math.min(start + tile, length);
    spans.push({
      start,
      end,
      readStart: Math.max(0, start - settings.pad),
      readEnd: Math.min(length, end + settings.pad),
    });
    if (end >= length) break;
  }
  return spans;
}

export function planTiles(width: number, height: number, settings: TileSettings): TilePlan {
  const xs = planSpans(width, settings);
  const ys = planSpans(height, settings);
  return { xs, ys, count: xs.length * ys.length };
}

/**
 * Blend weights of span `index` along one axis, in output pixels (input * scale), one per output
 * pixel of [start*scale, end*scale). Where span i and i+1 overlap, i fades out as i+1 fades in,
 * measured at pixel centres, so the two weights add up to 1.
 */
export function spanWeights(spans: readonly Span[], index: number, scale: number): Float32Array {
  const span = spans[index];
  const from = span.start * scale;
  const weights = new Float32Array((span.end - span.start) * scale).fill(1);
  const prev = index > 0 ? spans[index - 1] : undefined;
  const next = index + 1 < spans.length ? spans[index + 1] : undefined;
  if (prev && prev.end > span.start) {
    const a = span.start * scale;
    const b = prev.end * scale; // fade-in over [a, b)
    for (let x = a; x < b; x++) weights[x - from] *= (x + 0.5 - a) / (b - a);
  }
  if (next && span.end > next.start) {
    const a = next.start * scale;
    const b = span.end * scale; // fade-out over [a, b)
    for (let x = a; x < b; x++) weights[x - from] *= 1 - (x + 0.5 - a) / (b - a);
  }
  return weights;
}
