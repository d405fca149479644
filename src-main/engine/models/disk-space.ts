// Free space, checked before a big download starts rather than discovered 12 GB in. The probe is
// injectable so a test can pretend the disk is nearly full without filling one.
import { statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import { EngineError } from '../common/errors';
import { GUI_HINTS } from './gui-hints';

export type FreeSpaceProbe = (dir: string) => Promise<number>;

/** Bytes available to this user on the file system that holds `dir` (or its nearest existing parent). */
export const statfsFreeSpace: FreeSpaceProbe = async (dir) => {
  for (let path = dir; ; path = dirname(path)) {
    try {
      const s = await statfs(path);
      return s.bavail * s.bsize;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(path) === path) throw error;
    }
  }
};

export const formatBytes = (n: number): string =>
  n >= 1e9 ? `${(n / 1e9).toFixed(1)} GB` : n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} kB` : `${n} bytes`;

export async function ensureFreeSpace(dir: string, needed: number, what: string, probe: FreeSpaceProbe = statfsFreeSpace): Promise<void> {
  const free = await probe(dir);
  if (free < needed) {
    throw new EngineError(
      'INSUFFICIENT_DISK',
      `${what} needs ${formatBytes(needed)} of free space in ${dir}; only ${formatBytes(free)} is free.`,
      'Free some space, or move the models folder to a bigger disk (`npm run models -- move <folder>`).',
      { gui: { hint: GUI_HINTS.freeSpaceOrMove } },
    );
  }
}
