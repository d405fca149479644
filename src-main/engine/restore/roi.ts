// Region of interest: restore one part of a big photo. The region is given in input pixels of the
// upright photo (after EXIF rotation, as the viewer shows it), checked against the decoded size,
// and cut out before any engine sees the pixels, so every engine supports it the same way.
import { EngineError } from '../common/errors';
import { MIN_SIDE } from '../image/decode';
import type { DecodedImage, RasterImage } from '../image/types';
import type { Region } from '../../protocol/restore';

const HINT = 'Give the region as x,y,width,height in pixels of the photo as shown (top-left is 0,0).';

/** `--roi 10,20,300,200` -> a region; shape only, the photo's bounds are checked by checkRoi. */
export function parseRoiFlag(text: string): Region {
  const parts = text.split(',').map((p) => p.trim());
  const numbers = parts.map(Number);
  if (parts.length !== 4 || parts.some((p) => p === '') || !numbers.every((n) => Number.isInteger(n) && n >= 0)) {
    throw new EngineError('INVALID_OPTION', `--roi must be four whole numbers x,y,width,height, got "${text}".`, HINT, {
      gui: { message: 'The region must be four whole numbers: x, y, width and height.', hint: 'Select the region again.' },
    });
  }
  const [x, y, width, height] = numbers;
  return { x, y, width, height };
}

/** Throws INVALID_OPTION unless the region lies inside a width x height photo and is big enough to restore. */
export function checkRoi(roi: Region, width: number, height: number): void {
  const where = `${roi.x},${roi.y},${roi.width},${roi.height}`;
  if (roi.width < MIN_SIDE || roi.height < MIN_SIDE) {
    throw new EngineError('INVALID_OPTION', `The region ${where} is too small: at least ${MIN_SIDE}x${MIN_SIDE} pixels are needed.`, HINT);
  }
  if (roi.x + roi.width > width || roi.y + roi.height > height) {
    throw new EngineError('INVALID_OPTION', `The region ${where} reaches outside the ${width}x${height} photo.`, HINT);
  }
}

/** The pixels of `roi` as a new raster (any channels, any depth). */
export function cropRaster<T extends RasterImage>(image: T, roi: Region): T {
  const { channels } = image;
  const rowLength = roi.width * channels;
  const data = image.bitDepth === 16 ? new Uint16Array(rowLength * roi.height) : new Uint8Array(rowLength * roi.height);
  for (let y = 0; y < roi.height; y++) {
    const from = ((roi.y + y) * image.width + roi.x) * channels;
    data.set(image.data.subarray(from, from + rowLength), y * rowLength);
  }
  return { ...image, width: roi.width, height: roi.height, data };
}

/**
 * The decoded photo cut to `roi` (colour and alpha alike). Metadata stays the source's, except its
 * pixel size: the print density scales from the region's size, so the region keeps its print size.
 */
export function cropDecoded(decoded: DecodedImage, roi: Region): DecodedImage {
  checkRoi(roi, decoded.rgb.width, decoded.rgb.height);
  return {
    ...decoded,
    metadata: { ...decoded.metadata, width: roi.width, height: roi.height },
    rgb: cropRaster(decoded.rgb, roi),
    ...(decoded.alpha && { alpha: cropRaster(decoded.alpha, roi) }),
  };
}
