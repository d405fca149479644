// An image as tokens (PURE-SPEC section 4): image start, height grid token, width grid token, then
// each latent row's codes followed by a row end, then image end. 64x64 codes -> 4164 tokens.
// The grid tokens count 32 px patches (Lumina-mGPT's patch_size): gridBase + pixels / 32, which is
// latent / 4 with the 8 px-per-latent VQ. Pure data code.

import type { TokenIds } from '../config';

/** Pixels per grid unit in the grid tokens: Lumina-mGPT / PURE FlexARItemProcessor.patch_size. */
export const GRID_PATCH_PX = 32;

type LayoutIds = Pick<TokenIds, 'imageStart' | 'imageEnd' | 'rowEnd' | 'gridBase'>;

/** Latent tokens per grid unit: 32 px / (8 px per latent) = 4. */
export function latentPerGrid(vqDownsample: number): number {
  const n = GRID_PATCH_PX / vqDownsample;
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`VQ downsample ${vqDownsample} does not divide the ${GRID_PATCH_PX} px grid.`);
  return n;
}

/** The grid token for a side of `latent` tokens: 8804 + 64 / 4 = 8820 at 512 px. */
export function gridToken(ids: LayoutIds, latent: number, perGrid: number): number {
  if (latent % perGrid !== 0) throw new RangeError(`A side of ${latent} latent tokens is not a whole number of grid units.`);
  return ids.gridBase + latent / perGrid;
}

/** 3 markers + height * (width + 1) + 1: 4164 for 64x64. */
export function imageSequenceLength(height: number, width: number): number {
  return 3 + height * (width + 1) + 1;
}

/** codes (height * width,) row-major -> token ids (imageSequenceLength,). */
export function serializeImage(codes: Int32Array, height: number, width: number, codeToId: Int32Array, ids: LayoutIds, perGrid: number): Int32Array {
  if (codes.length !== height * width) throw new RangeError(`Expected ${height * width} codes, got ${codes.length}.`);
  const out = new Int32Array(imageSequenceLength(height, width));
  let o = 0;
  out[o++] = ids.imageStart;
  out[o++] = gridToken(ids, height, perGrid);
  out[o++] = gridToken(ids, width, perGrid);
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      const code = codes[r * width + c];
      if (!(code >= 0 && code < codeToId.length)) throw new RangeError(`VQ code ${code} at (${r}, ${c}) is outside the codebook.`);
      out[o++] = codeToId[code];
    }
    out[o++] = ids.rowEnd;
  }
  out[o++] = ids.imageEnd;
  return out;
}

export interface ParsedImage {
  codes: Int32Array; // (height * width,) row-major VQ codes
  height: number; // latent rows
  width: number; // latent columns
}

/** The inverse of serializeImage; throws on anything that breaks the layout. */
export function parseImage(tokens: ArrayLike<number>, idToCode: Int32Array, ids: LayoutIds, perGrid: number): ParsedImage {
  const fail = (why: string): never => {
    throw new RangeError(`Not an image token sequence: ${why}.`);
  };
  if (tokens.length < 4) fail('too short');
  if (tokens[0] !== ids.imageStart) fail(`starts with ${tokens[0]}, not the image start`);
  const height = (tokens[1] - ids.gridBase) * perGrid;
  const width = (tokens[2] - ids.gridBase) * perGrid;
  if (!(height > 0 && width > 0)) fail(`grid tokens ${tokens[1]}, ${tokens[2]}`);
  if (tokens.length !== imageSequenceLength(height, width)) fail(`${tokens.length} tokens for ${height}x${width}`);
  if (tokens[tokens.length - 1] !== ids.imageEnd) fail('no image end');
  const codes = new Int32Array(height * width);
  let t = 3;
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      const id = tokens[t++];
      const code = id >= 0 && id < idToCode.length ? idToCode[id] : -1;
      if (code < 0) fail(`token ${id} at row ${r}, column ${c} is not an image code`);
      codes[r * width + c] = code;
    }
    if (tokens[t++] !== ids.rowEnd) fail(`row ${r} does not end with the row end`);
  }
  return { codes, height, width };
}
