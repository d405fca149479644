// A photo's pixel size for the PURE estimate, decoded once per version of the file: the app asks
// for an estimate again at every change of region or settings, and decoding a 40-megapixel JPEG
// or a HEIC each time costs seconds for a number that has not changed. A version is the path,
// byte size and modification time; the limit on pixels is checked at every ask.
import { stat } from 'node:fs/promises';
import { checkDimensions, decodeImage } from '../image/decode';

export interface PhotoSize {
  width: number;
  height: number;
}

/** How many files' sizes are kept (a session's recent photos). */
const KEEP = 16;

export class PhotoSizes {
  private readonly sizes = new Map<string, PhotoSize>();

  async of(path: string, maxPixels: number): Promise<PhotoSize> {
    // A missing or unreadable file falls through to decodeImage, whose errors say what to do.
    const version = await stat(path).then((s) => `${path}\0${s.size}\0${s.mtimeMs}`, () => undefined);
    const known = version === undefined ? undefined : this.sizes.get(version);
    if (known) {
      checkDimensions(known.width, known.height, maxPixels, path);
      return known;
    }
    const { rgb } = await decodeImage(path, { maxPixels });
    const size = { width: rgb.width, height: rgb.height };
    if (version !== undefined) {
      this.sizes.set(version, size);
      if (this.sizes.size > KEEP) this.sizes.delete(this.sizes.keys().next().value!);
    }
    return size;
  }
}
