// The photo PURE's VQ encoder is given, from a decoded image: 8-bit RGB with transparent pixels
// composited onto white, as upstream does (spec section 5: ImageTokenizer._whiten_transparency).
// Passing only the RGB channels let the model see whatever colour lies under transparent pixels
// (often black, or leftovers of an editor), which changes its codes and its output. The alpha is
// re-attached to the restored image afterwards, as for every engine.
import { joinAlpha, to8Bit } from '../../image/raster';
import type { RasterImage } from '../../image/types';
import { toWhitenedRgb8 } from './vq-preprocess';

export function vqLqRgb8(rgb: RasterImage, alpha: RasterImage | undefined): RasterImage {
  const rgb8 = to8Bit(rgb);
  if (!alpha) return rgb8;
  const rgba = joinAlpha(rgb8, to8Bit(alpha));
  return { width: rgb.width, height: rgb.height, channels: 3, bitDepth: 8, data: toWhitenedRgb8(rgba) };
}
