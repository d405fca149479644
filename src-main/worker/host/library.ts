// Turning what a person opened (files, folders) into library items, and listing folders for the
// bridge's in-page picker. Folders are searched to any depth (engine/library/find-inputs.ts:
// hidden files skipped, symlinked folders not followed); the library states its own limit rather
// than silently stopping, and a photo's header is read only when asked (a folder of 10,000 photos
// opens without reading 10,000 headers).
import { readdir, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { EngineError, toErrorPayload } from '../../engine/common/errors';
import { probeImage } from '../../engine/image/thumbnail';
import { isPhotoName } from '../../engine/library/photo-names';
import { recogniseModelFolder } from '../../engine/models/model-folder';
import type { FolderEntry, FolderListing, PhotoItem } from '../../protocol/api';
import { isInside } from '../../protocol/media-scope';

export { isPhotoName, PHOTO_EXTENSION_LIST } from '../../engine/library/photo-names';

/** The most photos the app's library holds; more are reported (`truncated`), never dropped silently. */
export const LIBRARY_LIMIT = 50_000;

export interface FoundPhoto {
  path: string;
  /** The opened folder it was found in. */
  folder?: string;
}

/**
 * A library item: name and size, and with `probe` the pixel size from the header or what is
 * wrong with the file. Without it the header is not read (a large folder opens at once).
 */
export async function describePhoto(found: FoundPhoto, probe = true): Promise<PhotoItem> {
  const info = await stat(found.path);
  const item: PhotoItem = { path: found.path, name: basename(found.path), bytes: info.size };
  if (found.folder) item.folder = found.folder;
  if (!probe) return item;
  try {
    const header = await probeImage(found.path);
    if (header.width) item.width = header.width;
    if (header.height) item.height = header.height;
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
  const otherFiles = { count: 0, bytes: 0 };
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(real, entry.name);
    // A symlinked folder could lead outside the root: only real folders are offered.
    if (entry.isDirectory()) listed.push({ name: entry.name, path, kind: 'folder' });
    else if (entry.isFile() && isPhotoName(entry.name)) listed.push({ name: entry.name, path, kind: 'photo' });
    else if (entry.isFile()) {
      // Counted, not listed: inside a model's folder the picker says what it holds instead of "empty".
      otherFiles.count++;
      otherFiles.bytes += await stat(path).then((s) => s.size, () => 0);
    }
  }
  listed.sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name, undefined, { numeric: true }) : a.kind === 'folder' ? -1 : 1));
  const listing: FolderListing = { path: real, entries: listed, otherFiles };
  const modelPackage = otherFiles.count > 0 ? await recogniseModelFolder(real) : undefined;
  if (modelPackage) listing.modelPackage = modelPackage;
  if (real !== realRoot) listing.parent = dirname(real);
  return listing;
}

export async function assertWithinRoot(paths: readonly string[], root: string): Promise<void> {
  for (const path of paths) if (!(await isWithin(path, root))) throw outsideRoot(path);
}
