// Turning the files and folders a person names into the photos of a batch, each with its place in
// the mirrored output tree. Hidden files and folders are skipped, symbolic links to folders are
// not followed (a link can loop or lead anywhere), the output folder is never read as input, and
// files PURE Studio wrote itself are recognised and left out (no "-restored-restored").
import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { EngineError } from '../common/errors';
import type { FoundInput } from './library-types';
import { isInside } from '../../protocol/media-scope';
import { compareNames, isPhotoName } from './photo-names';

export interface FindOptions {
  /** Descend into sub-folders (otherwise a folder's top level only). */
  recursive: boolean;
  /** Folders never read (the output folder when it lies inside an input folder); absolute. */
  exclude?: readonly string[];
  /** Whether a path is an output PURE Studio planned or wrote. */
  isOutput?: (path: string) => boolean;
  /** Stop after this many photos (the app's stated limit); unlimited by default. */
  limit?: number;
}

export interface IgnoredInput {
  path: string;
  reason: string;
}

export interface FoundInputs {
  found: FoundInput[];
  /** Named files left out, with why (an earlier output given back as input, a duplicate). */
  ignored: IgnoredInput[];
  /** The limit was reached: more photos exist than were taken. */
  truncated: boolean;
}

/** `photo-restored.entropy.png` belongs to the output `photo-restored.<ext>`. */
function isEntropyMapOf(path: string, isOutput: (p: string) => boolean): boolean {
  if (!path.endsWith('.entropy.png')) return false;
  const stem = path.slice(0, -'.entropy.png'.length);
  return ['.png', '.jpg', '.jpeg', '.webp', '.tif', '.tiff', '.avif'].some((ext) => isOutput(stem + ext));
}

/** The photos named by `paths` (absolute or relative to `cwd`), in a stable natural order. */
export async function findInputs(paths: readonly string[], cwd: string, options: FindOptions): Promise<FoundInputs> {
  const isOutput = options.isOutput ?? (() => false);
  const limit = options.limit ?? Infinity;
  const exclude = await Promise.all((options.exclude ?? []).map((f) => realpath(f).catch(() => resolve(f))));
  const result: FoundInputs = { found: [], ignored: [], truncated: false };
  const seen = new Set<string>();
  const take = (input: string, sourceRoot: string): boolean => {
    if (seen.has(input)) return true;
    if (result.found.length >= limit) {
      result.truncated = true;
      return false;
    }
    seen.add(input);
    result.found.push({ input, sourceRoot, rel: relative(sourceRoot, input).split(sep).join('/') });
    return true;
  };

  const walk = async (folder: string, root: string): Promise<boolean> => {
    let entries: Dirent[];
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch (error) {
      throw new EngineError('INPUT_UNREADABLE', `Cannot list the folder "${folder}": ${(error as Error).message}.`, 'Check that it exists and that you may read it.');
    }
    entries.sort((a, b) => compareNames(a.name, b.name));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const path = join(folder, entry.name);
      if (entry.isDirectory()) {
        if (!options.recursive) continue;
        // Compared by real path: the folder may have been named through a link.
        const real = await realpath(path).catch(() => path);
        if (exclude.some((x) => isInside(real, x))) continue;
        if (!(await walk(path, root))) return false;
      } else if ((entry.isFile() || entry.isSymbolicLink()) && isPhotoName(entry.name)) {
        // A link to a file is read (it is that photo); a link to a folder is not followed.
        if (entry.isSymbolicLink() && !(await stat(path).then((s) => s.isFile(), () => false))) continue;
        if (isOutput(path) || isEntropyMapOf(path, isOutput)) continue;
        if (!take(path, root)) return false;
      }
    }
    return true;
  };

  for (const given of paths) {
    const path = resolve(cwd, given);
    const info = await stat(path).catch(() => undefined);
    if (!info) throw new EngineError('INPUT_NOT_FOUND', `"${given}" does not exist.`, 'Check the path.');
    if (info.isDirectory()) {
      // The folder as named (not its real path): outputs mirror what the person sees.
      const real = await realpath(path);
      if (exclude.some((x) => isInside(real, x))) {
        result.ignored.push({ path, reason: 'it is the output folder' });
        continue;
      }
      if (!(await walk(path, path))) break;
    } else if (isOutput(path) || isEntropyMapOf(path, isOutput)) {
      result.ignored.push({ path, reason: 'it is a restored photo PURE Studio wrote' });
    } else if (!take(path, dirname(path))) {
      break;
    }
  }
  return result;
}
