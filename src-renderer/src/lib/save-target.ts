// What is already at the place the Save dialog would write: nothing, a file the person may choose
// to replace, a folder (never replaced), the photo's own original or that of another photo in the
// library (never replaced either). The host refuses the last three whatever the page says (by
// real path and inode too: known-originals.ts); the dialog says so before Save is pressed.
import { fileName, folderOf } from './format';

export type SaveClash = 'none' | 'file' | 'folder' | 'original' | 'library-original';

/**
 * `entries`: the chosen folder's listing, names lower-cased (a name that differs only in case is
 * the same file on Windows and macOS). `original`: the photo's own path; `library`: the paths of
 * every photo the page has opened (the library), each another photo's original.
 */
export function clashOf(
  folder: string,
  name: string,
  entries: ReadonlyMap<string, 'folder' | 'photo'>,
  original?: string,
  library: Iterable<string> = [],
): SaveClash {
  const key = name.toLowerCase();
  const kind = entries.get(key);
  if (kind === undefined) return 'none';
  if (kind === 'folder') return 'folder';
  const here = (path: string): boolean => folderOf(path) === folder && fileName(path).toLowerCase() === key;
  if (original && here(original)) return 'original';
  for (const path of library) if (here(path)) return 'library-original';
  return 'file';
}
