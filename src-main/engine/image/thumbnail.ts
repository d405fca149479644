// Small pictures for the app's library and viewer, made with sharp and cached on disk:
//  - probeImage: the header's size and format, to list a photo and flag a broken one at once;
//  - thumbnailFile: a WebP at most `maxEdge` pixels on its long side;
//  - displayFile: the photo itself when a browser can show it, else a WebP copy (TIFF, HEIC).
// Cached files are named by a hash of the source's path, size and mtime, so an edited photo gets
// a fresh thumbnail and a stale one is simply never asked for again.
import { createHash } from 'node:crypto';
import { mkdir, open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { EngineError } from '../common/errors';
import { decodeImage } from './decode';
import { writeFileAtomic } from './output-file';
import { to8Bit } from './raster';
import { SNIFF_BYTES, sniffImage } from './sniff';
import type { InputFormat } from './sniff';

/** Formats every browser the app runs in (Chromium) shows as they are. */
const BROWSER_FORMATS: ReadonlySet<InputFormat> = new Set(['jpeg', 'png', 'webp', 'gif', 'avif']);
/** Guards sharp against decompression bombs in the library (restoring has its own, stricter, limit). */
const MAX_PIXELS = 200_000_000;
/** WebP's own limit on a side. */
const MAX_WEBP_SIDE = 16383;
const CACHE_VERSION = 'v1';

export interface ImageProbe {
  format: InputFormat;
  width?: number;
  height?: number;
}

async function head(path: string): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const buffer = new Uint8Array(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Recognises the file and reads its size from the header; throws an EngineError when it is no photo. */
export async function probeImage(path: string): Promise<ImageProbe> {
  let bytes: Uint8Array;
  try {
    bytes = await head(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new EngineError('INPUT_NOT_FOUND', `"${path}" no longer exists.`, 'It may have been moved or deleted.');
    throw new EngineError('INPUT_UNREADABLE', `Could not read "${path}".`, 'Check that the file is readable.');
  }
  if (bytes.length === 0) throw new EngineError('EMPTY_FILE', `"${path}" is empty (0 bytes).`, 'Choose another copy of the photo.');
  const sniffed = sniffImage(bytes, path);
  if (!sniffed.supported) throw new EngineError('UNSUPPORTED_IMAGE', `"${path}" is ${sniffed.label}, not a photo this app can open.`, sniffed.advice);
  try {
    const meta = await sharp(path, { limitInputPixels: false }).metadata();
    const upright = meta.autoOrient ?? meta;
    return { format: sniffed.format, width: upright.width, height: upright.height };
  } catch (error) {
    // HEVC HEIC has no decoder in sharp: its size is found when it is decoded.
    if (sniffed.format === 'heic' || sniffed.format === 'heif') return { format: sniffed.format };
    throw new EngineError(
      'CORRUPT_IMAGE',
      `"${path}" is a damaged ${sniffed.label} file: ${String((error as Error).message).split('\n')[0]}.`,
      'Re-export or re-download the original.',
      // The decoder's own words go under Details in the window.
      { gui: { message: `"${path}" is a damaged ${sniffed.label} file.`, hint: 'Re-export or re-download the original and open that copy.' } },
    );
  }
}

async function cachePath(path: string, cacheDir: string, variant: string): Promise<string> {
  const info = await stat(path);
  const key = createHash('sha256').update([CACHE_VERSION, path, info.size, info.mtimeMs, variant].join('\0')).digest('hex');
  return join(cacheDir, `${key.slice(0, 40)}.webp`);
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

/** Reads any supported photo (HEIC included) upright and shrunk to fit `maxEdge`, as WebP bytes. */
async function renderWebp(path: string, maxEdge: number, quality: number): Promise<Uint8Array> {
  const edge = Math.min(maxEdge, MAX_WEBP_SIDE);
  const resize = { width: edge, height: edge, fit: 'inside', withoutEnlargement: true } as const;
  const sniffed = sniffImage(await head(path), path);
  if (sniffed.supported && (sniffed.format === 'heic' || sniffed.format === 'heif')) {
    // sharp has no HEVC decoder: the engine's own decoder (wasm libheif) reads these.
    const rgb = to8Bit((await decodeImage(path, { maxPixels: MAX_PIXELS })).rgb);
    return sharp(rgb.data, { raw: { width: rgb.width, height: rgb.height, channels: 3 } }).resize(resize).webp({ quality }).toBuffer();
  }
  return sharp(path, { failOn: 'truncated', limitInputPixels: MAX_PIXELS, pages: 1 }).autoOrient().resize(resize).webp({ quality }).toBuffer();
}

async function cached(path: string, cacheDir: string, variant: string, render: () => Promise<Uint8Array>): Promise<string> {
  const target = await cachePath(path, cacheDir, variant);
  if (await exists(target)) return target;
  await mkdir(cacheDir, { recursive: true });
  const bytes = await render();
  // Two requests for the same thumbnail may race: both write the same bytes, the last rename wins.
  await writeFileAtomic(target, bytes, { overwrite: true });
  return target;
}

/** A cached WebP thumbnail of `path`; throws when the photo cannot be read. */
export function thumbnailFile(path: string, cacheDir: string, maxEdge = 320): Promise<string> {
  return cached(path, cacheDir, `thumb-${maxEdge}`, () => renderWebp(path, maxEdge, 80));
}

/** `path` itself when a browser can show it, else a cached full-size WebP rendition of it. */
export async function displayFile(path: string, cacheDir: string): Promise<string> {
  const sniffed = sniffImage(await head(path), path);
  if (sniffed.supported && BROWSER_FORMATS.has(sniffed.format)) return path;
  return cached(path, cacheDir, 'display', () => renderWebp(path, MAX_WEBP_SIDE, 92));
}
