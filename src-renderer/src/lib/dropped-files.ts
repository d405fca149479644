// Which dropped files are photos: the ones with a photo's extension (the formats the engine reads,
// as src-main/engine/library/photo-names.ts lists them; the page may not import the engine).

const PHOTO_EXTENSIONS = new Set(['jpg', 'jpeg', 'jpe', 'png', 'webp', 'tif', 'tiff', 'avif', 'gif', 'heic', 'heif']);

/**
 * False for a file whose extension is not a photo's. A name with no extension goes to the host,
 * which decides: the desktop app opens a dropped folder, the bridge says folders cannot be dropped.
 */
export function isPhotoFile(name: string): boolean {
  const ext = /\.([^.]+)$/.exec(name)?.[1]?.toLowerCase();
  return ext === undefined || PHOTO_EXTENSIONS.has(ext);
}

/** The notice for files that were not opened: "notes.txt is not a photo…", or undefined. */
export function refusedText(names: string[]): string | undefined {
  if (names.length === 0) return undefined;
  const list = names.length <= 3 ? names.join(', ') : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`;
  return `${list} ${names.length === 1 ? 'is not a photo' : 'are not photos'}: only JPEG, PNG, WebP, TIFF, AVIF, GIF and HEIC are opened.`;
}
