// No save ever lands on an original the app knows: the Save dialog's Replace, the desktop's
// system save dialog, auto-save and "Save all" check their target against the source file of
// every photo in the library (opened photos and uploads join it too), not only the photo being
// saved. Compared as the file itself: its path however spelt (a linked folder), its real path,
// and device + inode (a hard link). Only a target that exists can be an original, so a free name
// costs one lstat; an existing one is compared against all of them (10,000 photos: a fraction
// of a second, once per save).
import { lstat, realpath, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { EngineError } from '../../engine/common/errors';
import type { LibraryStore } from '../../engine/library/library-types';
import { mapLimited } from './library';
import { LIBRARY_SCOPE } from './library-settings';

/** The originals' paths, asked for only when a target exists. */
export type KnownOriginals = () => Iterable<string>;

async function identity(path: string): Promise<string | undefined> {
  const info = await stat(path, { bigint: true }).catch(() => undefined);
  return info && info.ino !== 0n ? `${info.dev}:${info.ino}` : undefined;
}

/**
 * Every photo of the app's library, those of other roots sharing the state folder too (the
 * bridge lists only its own, but their files are originals all the same).
 */
export function storedOriginals(store: LibraryStore): KnownOriginals {
  return () => store.list(LIBRARY_SCOPE).map((record) => record.input);
}

/** The known original `target` is (the same file), or undefined when it is none of them. */
export async function knownOriginalAt(target: string, originals: KnownOriginals): Promise<string | undefined> {
  const path = resolve(target);
  if (!(await lstat(path).then(() => true, () => false))) return undefined;
  const list = [...new Set(originals())];
  const same = list.find((original) => resolve(original) === path);
  if (same !== undefined) return same;
  const real = await realpath(path).catch(() => path);
  const id = await identity(path);
  const hits = await mapLimited(list, 16, async (original) => {
    if ((await realpath(original).catch(() => resolve(original))) === real) return true;
    return id !== undefined && (await identity(original)) === id;
  });
  return list[hits.indexOf(true)];
}

/** Refuses (OUTPUT_IS_INPUT) a target that is the source file of a photo the app knows. */
export async function assertNotKnownOriginal(target: string, originals: KnownOriginals): Promise<void> {
  const original = await knownOriginalAt(target, originals);
  if (original === undefined) return;
  throw new EngineError(
    'OUTPUT_IS_INPUT',
    `Refusing to write "${target}": it is the original "${original}" of a photo in the library, and originals are never overwritten.`,
    'Choose another output name or folder.',
    {
      gui: {
        message: `“${basename(target)}” is the original of a photo in the library, and originals are never replaced.`,
        hint: 'Choose another name or folder.',
      },
    },
  );
}
