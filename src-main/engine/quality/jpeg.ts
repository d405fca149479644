// JPEG round trip for the degradation pipeline: libjpeg through sharp, 4:2:0 chroma as Real-ESRGAN's
// DiffJPEG does, at an integer quality. Deterministic for a given sharp/libjpeg build.
import sharp from 'sharp';
import { EngineError } from '../common/errors';
import { toFloatImage, toRaster8 } from './plane';
import type { FloatImage } from './plane';

export async function jpegRoundTrip(image: FloatImage, quality: number): Promise<FloatImage> {
  const q = Math.round(quality);
  if (!(q >= 1 && q <= 100)) throw new EngineError('INVALID_OPTION', `JPEG quality must be 1..100, got ${quality}.`);
  const raster = toRaster8(image);
  const jpeg = await sharp(raster.data, { raw: { width: raster.width, height: raster.height, channels: 3 } })
    .jpeg({ quality: q, chromaSubsampling: '4:2:0', mozjpeg: false, optimiseCoding: false })
    .toBuffer();
  const { data, info } = await sharp(jpeg).toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new EngineError('INTERNAL', `JPEG decode gave ${info.channels} channels.`);
  return toFloatImage({ width: info.width, height: info.height, channels: 3, bitDepth: 8, data: new Uint8Array(data.buffer, data.byteOffset, data.length) });
}
