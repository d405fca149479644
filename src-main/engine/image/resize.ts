// Lanczos resampling of raw pixels: downscales the x4 model output for scale 2 and 1, and upscales
// the alpha plane, which the models do not see, to the size of the restored RGB.
import sharp from 'sharp';
import { EngineError } from '../common/errors';
import { assertRaster, samplesFrom } from './raster';
import type { RasterImage } from './types';

/** Resizes to exactly width x height with lanczos3; keeps channels and bit depth. */
export async function resizeRaster(image: RasterImage, width: number, height: number): Promise<RasterImage> {
  assertRaster(image);
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new EngineError('INVALID_OPTION', `Cannot resize to ${width}x${height}.`);
  }
  if (width === image.width && height === image.height) return { ...image, data: image.data.slice() };
  const deep = image.bitDepth === 16;
  // Without an explicit colour space sharp would expand grey to sRGB and drop 16-bit to 8.
  const space = image.channels === 1 ? (deep ? 'grey16' : 'b-w') : deep ? 'rgb16' : 'srgb';
  const { data, info } = await sharp(image.data, {
    raw: { width: image.width, height: image.height, channels: image.channels },
    // A x4 result easily passes sharp's default input limit (0x3FFF * 0x3FFF pixels); the
    // decompression-bomb guard applies to files, not to pixels this app made itself.
    limitInputPixels: false,
  })
    .resize(width, height, { kernel: 'lanczos3', fit: 'fill' }) // alpha is premultiplied around this
    .toColourspace(space)
    .raw({ depth: deep ? 'ushort' : 'uchar' })
    .toBuffer({ resolveWithObject: true });
  if (info.width !== width || info.height !== height || info.channels !== image.channels) {
    throw new EngineError(
      'INTERNAL',
      `Resize produced ${info.width}x${info.height}x${info.channels}, expected ${width}x${height}x${image.channels}.`,
    );
  }
  return { width, height, channels: image.channels, bitDepth: image.bitDepth, data: samplesFrom(data, image.bitDepth) };
}
