// Which file names are photos PURE Studio reads, when a folder is searched (a file named
// explicitly is taken whatever its name: the decoder says what it is).

const PHOTO_EXTENSIONS = new Set(['jpg', 'jpeg', 'jpe', 'png', 'webp', 'tif', 'tiff', 'avif', 'gif', 'heic', 'heif']);
export const PHOTO_EXTENSION_LIST = [...PHOTO_EXTENSIONS];

/** A visible file with a photo extension (hidden files are never photos of the library). */
export function isPhotoName(name: string): boolean {
  const ext = /\.([^.]+)$/.exec(name)?.[1]?.toLowerCase();
  return ext !== undefined && PHOTO_EXTENSIONS.has(ext) && !name.startsWith('.');
}

/** Natural order ("img2" before "img10"), the order people expect a folder in. */
export function compareNames(a: string, b: string): number {
  return a.localeCompare(b, undefined, { numeric: true });
}
