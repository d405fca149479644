// Tiles for PURE. The model always sees a square LQ patch of imageSize / factor pixels (128 at x4,
// 256 at x2; spec section 5), so unlike the convolutional upscalers every tile is read at full
// size: n tiles spread evenly so that neighbours overlap by at least `overlap`, the last one
// ending at the image edge instead of being cut short. Tiles are generated independently (each
// invents its own detail), so they are blended over a narrow linear ramp in the middle of each
// overlap, where both tiles are far from their borders, rather than over the whole overlap
// (which would cross-fade two different textures into a double exposure).
// The plan is a common/tiling TilePlan: [readStart, readEnd) is the tile the model reads and
// [start, end) the part of it that contributes, ramps included, so spanWeights and the
// TileAccumulator blend it as they blend Real-ESRGAN tiles (weights sum to 1 at every pixel).
// Pure TypeScript: no Node built-ins.
import type { Span, TilePlan } from '../common/tiling';
import type { RestoreOptions } from '../../protocol/restore';

/** The upscaling factor PURE runs at: x4 (128 px tiles) or x2 (256 px tiles) at 512 px. */
export type PureFactor = 2 | 4;

export interface PureTileGeometry {
  factor: PureFactor;
  /** LQ tile side in input pixels: imageSize / factor. */
  tile: number;
  /** Least overlap of neighbouring tiles, and the width of the blending ramp inside it. */
  overlap: number;
}

/**
 * x4 for an output 4x the input (or more, or a width needing more than x2); x2 for scale 2 and 1,
 * which PURE restores at x2 and the engine then downsizes, as it does for Real-ESRGAN.
 */
export function pureFactor(options: Pick<RestoreOptions, 'scale' | 'width'>, inputWidth: number): PureFactor {
  if (options.width !== undefined) return options.width > 2 * inputWidth ? 4 : 2;
  return options.scale === 4 ? 4 : 2;
}

export function pureTileGeometry(imageSize: number, factor: PureFactor): PureTileGeometry {
  const tile = imageSize / factor;
  if (!Number.isInteger(tile)) throw new RangeError(`A ${imageSize} px model cannot run at x${factor}.`);
  return { factor, tile, overlap: Math.max(1, Math.round(tile / 8)) };
}

/**
 * Spans along one axis. A side no longer than a tile is one span (the model stretches it to its
 * input, as it does for any small photo). Longer sides get the fewest full tiles that overlap by
 * at least `overlap`, spread evenly; each ramp is `overlap` wide (or the whole overlap, if
 * narrower) and centred in its overlap.
 */
export function planPureSpans(length: number, tile: number, overlap: number): Span[] {
  if (!(length > 0) || !(tile > overlap) || !(overlap > 0)) throw new RangeError(`bad span request: length ${length}, tile ${tile}, overlap ${overlap}`);
  if (length <= tile) return [{ start: 0, end: length, readStart: 0, readEnd: length }];
  const n = Math.ceil((length - overlap) / (tile - overlap));
  const reads = Array.from({ length: n }, (_, i) => Math.round((i * (length - tile)) / (n - 1)));
  // ramps[i] = [from, to): where tile i hands over to tile i + 1.
  const ramps = reads.slice(1).map((nextStart, i) => {
    const end = reads[i] + tile;
    const width = Math.min(overlap, end - nextStart);
    const from = Math.floor((nextStart + end - width) / 2);
    return { from, to: from + width };
  });
  for (let i = 1; i < ramps.length; i++) {
    // Two ramps touching would put three tiles on one pixel, which spanWeights does not blend.
    if (ramps[i].from < ramps[i - 1].to) throw new Error(`ramps ${i - 1} and ${i} overlap`);
  }
  return reads.map((readStart, i) => ({
    start: i === 0 ? 0 : ramps[i - 1].from,
    end: i === n - 1 ? length : ramps[i].to,
    readStart,
    readEnd: readStart + tile,
  }));
}

export function planPureTiles(width: number, height: number, geometry: PureTileGeometry): TilePlan {
  const xs = planPureSpans(width, geometry.tile, geometry.overlap);
  const ys = planPureSpans(height, geometry.tile, geometry.overlap);
  return { xs, ys, count: xs.length * ys.length };
}

/**
 * The seed of tile `index` (row-major): the user's own seed for the first tile, so a photo that is
 * one tile restores exactly as before tiling existed, and a splitmix64 hash of (seed, index) for
 * the others, so that tiles do not repeat each other's sampling. Always in [0, 2^53).
 */
export function tileSeed(seed: number, index: number): number {
  if (index === 0) return seed;
  let z = (BigInt(seed) + BigInt(index) * 0x9e3779b97f4a7c15n) & 0xffffffffffffffffn;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & 0xffffffffffffffffn;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & 0xffffffffffffffffn;
  z ^= z >> 31n;
  return Number(z >> 11n); // the top 53 bits
}
