// No save ever lands on an original the app knows: the Save dialog's Replace, the desktop's
// system save dialog, auto-save and "Save all" check their target against the source file of
// every photo in the library (opened photos and uploads join it too), not only the photo being
// saved. Compared as the file itself: its path however spelt (a linked folder), its real path,
// and device + inode (a hard link). Only a target that exists can be an original, so a free name
// costs one lstat; the first existing one reads every original once (10,000 photos: a fraction
// of a second), and later targets of the same operation are looked up in that index.
import { lstat, realpath, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { EngineError } from '../../engine/common/errors';
import type { LibraryStore } from '../../engine/library/library-types';
import { mapLimited } from './library';
import { LIBRARY_SCOPE } from './library-settings';

/** The originals' paths, asked for only when a target exists. */
export type KnownOriginals = () => Iterable<string>;

/**
 * Every photo of the app's library, those of other roots sharing the state folder too (the
 * bridge lists only its own, but their files are originals all the same).
 */
export function storedOriginals(store: LibraryStore): KnownOriginals {
  return () => store.list(LIBRARY_SCOPE).map((record) => record.input);
}

async function identity(path: string): Promise<string | undefined> {
  const info = await stat(path, { bigint: true }).catch(() => undefined);
  return info && info.ino !== 0n ? `${info.dev}:${info.ino}` : undefined;
}

/**
 * The ways the originals can be met (path as stored, real path, device + inode), each naming the
 * original: read on the first target that exists. Use one index for all the targets of one
 * operation ("Save all" asks once per photo); a new operation makes a new one (files move).
 */
export class OriginalsIndex {
  private keys: Promise<Map<string, string>> | undefined;

  constructor(private readonly originals: KnownOriginals) {}

  private read(): Promise<Map<string, string>> {
    this.keys ??= (async () => {
      const list = [...new Set(this.originals())];
      const found = await mapLimited(list, 16, async (original) => ({ real: await realpath(original).catch(() => undefined), id: await identity(original) }));
      const keys = new Map<string, string>();
      list.forEach((original, i) => {
        keys.set(`path:${resolve(original)}`, original);
        if (found[i].real !== undefined) keys.set(`path:${found[i].real}`, original);
        if (found[i].id !== undefined) keys.set(`inode:${found[i].id}`, original);
      });
      return keys;
    })();
    return this.keys;
  }

  /** The known original `target` is (the same file), or undefined when it is none of them. */
  async at(target: string): Promise<string | undefined> {
    const path = resolve(target);
    if (!(await lstat(path).then(() => true, () => false))) return undefined;
    const keys = await this.read();
    const real = await realpath(path).catch(() => undefined);
    const id = await identity(path);
    return keys.get(`path:${path}`) ?? (real === undefined ? undefined : keys.get(`path:${real}`)) ?? (id === undefined ? undefined : keys.get(`inode:${id}`));
  }

  /** Refuses (OUTPUT_IS_INPUT) a target that is the source file of a photo the app knows. */
  async refuse(target: string): Promise<void> {
    const original = await this.at(target);
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
}

/** One target checked on its own (a single Save). */
export function assertNotKnownOriginal(target: string, originals: KnownOriginals): Promise<void> {
  return new OriginalsIndex(originals).refuse(target);
}
