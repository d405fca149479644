// Turning what a person opened (files, folders) into library items, and listing folders for the
// bridge's in-page picker. Folders are read a few levels deep and only photo files are kept, so
// opening "Pictures" does not drag in a whole disk.
import { readdir, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { EngineError, toErrorPayload } from '../../engine/common/errors';
import { probeImage } from '../../engine/image/thumbnail';
import type { FolderEntry, FolderListing, PhotoItem } from '../../protocol/api';
import { isInside } from '../../protocol/media-scope';

const PHOTO_EXTENSIONS = new Set(['jpg', 'jpeg', 'jpe', 'png', 'webp', 'tif', 'tiff', 'avif', 'gif', 'heic', 'heif']);
export const PHOTO_EXTENSION_LIST = [...PHOTO_EXTENSIONS];
const MAX_DEPTH = 3;
export const MAX_PHOTOS = 1000;

export function isPhotoName(name: string): boolean {
  const ext = /\.([^.]+)$/.exec(name)?.[1]?.toLowerCase();
  return ext !== undefined && PHOTO_EXTENSIONS.has(ext) && !name.startsWith('.');
}

export interface FoundPhoto {
  path: string;
  /** The opened folder it was found in. */
  folder?: string;
}

async function walk(folder: string, depth: number, out: FoundPhoto[], top: string): Promise<void> {
  if (depth > MAX_DEPTH || out.length >= MAX_PHOTOS) return;
  const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
  entries.sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }));
  for (const entry of entries) {
    if (out.length >= MAX_PHOTOS) return;
    if (entry.name.startsWith('.')) continue;
    const path = join(folder, entry.name);
    if (entry.isDirectory()) await walk(path, depth + 1, out, top);
    else if (entry.isFile() && isPhotoName(entry.name)) out.push({ path, folder: top });
  }
}

/** The photo files named by `paths`: files as they are, folders searched a few levels deep. */
export async function findPhotos(paths: readonly string[]): Promise<FoundPhoto[]> {
  const out: FoundPhoto[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => undefined);
    if (!info) throw new EngineError('INPUT_NOT_FOUND', `"${path}" does not exist any more.`, 'It may have been moved or deleted.');
    if (info.isDirectory()) await walk(path, 0, out, path);
    // A file is taken whatever its name: the person chose it, and the probe says what it is.
    else out.push({ path });
    if (out.length >= MAX_PHOTOS) break;
  }
  return out;
}

/** A library item: name, size and, from the header, pixel size or what is wrong with it. */
export async function describePhoto(found: FoundPhoto): Promise<PhotoItem> {
  const info = await stat(found.path);
  const item: PhotoItem = { path: found.path, name: basename(found.path), bytes: info.size };
  if (found.folder) item.folder = found.folder;
  try {
    const probe = await probeImage(found.path);
    if (probe.width) item.width = probe.width;
    if (probe.height) item.height = probe.height;
  } catch (error) {
    item.problem = toErrorPayload(error);
  }
  return item;
}

/** Runs `fn` over `items` with at most `limit` at a time, keeping the order. */
export async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

/** Whether `path` (resolved) lies inside `root` (resolved). */
export async function isWithin(path: string, root: string): Promise<boolean> {
  const [realPath, realRoot] = await Promise.all([realpath(path).catch(() => undefined), realpath(root)]);
  return realPath !== undefined && isInside(realPath, realRoot);
}

function outsideRoot(path: string): EngineError {
  return new EngineError('INPUT_UNREADABLE', `"${path}" is outside the folder this session may open.`, 'Choose a photo inside the served folder.');
}

/** One folder's sub-folders and photos, for the in-page picker; never outside `root`. */
export async function listFolder(folder: string, root: string): Promise<FolderListing> {
  if (!(await isWithin(folder, root))) throw outsideRoot(folder);
  const real = await realpath(folder);
  const realRoot = await realpath(root);
  const entries = await readdir(real, { withFileTypes: true }).catch((error: unknown) => {
    throw new EngineError('INPUT_UNREADABLE', `Cannot list "${folder}": ${(error as Error).message}.`, 'Check its permissions.');
  });
  const listed: FolderEntry[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(real, entry.name);
    // A symlinked folder could lead outside the root: only real folders are offered.
    if (entry.isDirectory()) listed.push({ name: entry.name, path, kind: 'folder' });
    else if (entry.isFile() && isPhotoName(entry.name)) listed.push({ name: entry.name, path, kind: 'photo' });
  }
  listed.sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name, undefined, { numeric: true }) : a.kind === 'folder' ? -1 : 1));
  const listing: FolderListing = { path: real, entries: listed };
  if (real !== realRoot) listing.parent = dirname(real);
  return listing;
}

export async function assertWithinRoot(paths: readonly string[], root: string): Promise<void> {
  for (const path of paths) if (!(await isWithin(path, root))) throw outsideRoot(path);
}
