// Default tiling per Real-ESRGAN engine, chosen by bench/tile-sweep.bench.ts (numbers in
// docs/tiling.md). What costs time is the context read around each tile (`tilePad` in the
// catalog): inference per pixel is flat in the tile size, so fewer, larger tiles win until the
// memory target (a 2000x1500 photo at x4 within 3 GB peak RSS, all processes) stops them.
// Overlap is blending; it is only paid where the context alone leaves visible seams.
//
// x4plus runs split (split-upscale.ts): `tile` is the body's tile (23 RRDB blocks at input
// resolution, 64 channels), with the catalog's 40 px of context and `overlap` blended in the
// feature map; the head (x4 upsampling) has its own small exact tiles. --tile sets the body's.
import type { TileSettings } from '../common/tiling';

export interface EngineTiling {
  /** Tile edge in input pixels, before the context. */
  tile: number;
  /** Input pixels shared (and blended) by neighbouring tiles. */
  overlap: number;
  /** Context on each side, when it must be more than the catalog's tilePad (x4plus's body). */
  pad?: number;
}

const DEFAULTS: Record<string, EngineTiling> = {
  // The deep RRDB body needs 56 px of context and a 16 px blend of its feature map to stay within
  // 2/255 of an untiled run wherever the seams fall (40 px with a 32 px blend gave 2/255 or 4/255
  // on the test photo depending on where the seams fell; docs/tiling.md). Its tiles cost ~3-4 KB
  // per read pixel in the inference process, per distinct read shape: 512 px puts a 512x512
  // photo in one tile and a 2000x1500 one in 4x3 balanced tiles read as one 624x623 shape
  // (split-upscale.ts); 768 px (3x2) took the processes past 3.4 GB.
  'realesrgan-x4plus': { tile: 512, overlap: 16, pad: 56 },
  // The compact net's 24 px of context alone stays within 1/255: no blend, and big tiles fit.
  'realesrgan-x4fast': { tile: 512, overlap: 0 },
};

/** For a model without measured defaults: the long-standing 192 px with a blend. */
const FALLBACK: EngineTiling = { tile: 192, overlap: 16 };

export function engineTiling(engine: string): EngineTiling {
  return DEFAULTS[engine] ?? FALLBACK;
}

/**
 * The tile settings for `engine`: its default, or the caller's tile with the engine's overlap
 * (capped at a quarter of the tile, as planSpans does); the context is the larger of `pad` (the
 * catalog's) and the engine's own.
 */
export function realesrganTileSettings(engine: string, pad: number, tile?: number): TileSettings {
  const chosen = engineTiling(engine);
  const edge = tile ?? chosen.tile;
  return { tile: edge, overlap: Math.min(chosen.overlap, Math.floor(edge / 4)), pad: Math.max(pad, chosen.pad ?? 0) };
}
