// What is already at the place the Save dialog would write: nothing, a file the person may choose
// to replace, a folder (never replaced), or the photo's own original (never replaced either). The
// host refuses the last two whatever the page says; the dialog says so before Save is pressed.
import { fileName, folderOf } from './format';

export type SaveClash = 'none' | 'file' | 'folder' | 'original';

/**
 * `entries`: the chosen folder's listing, names lower-cased (a name that differs only in case is
 * the same file on Windows and macOS). `original`: the photo's own path.
 */
export function clashOf(folder: string, name: string, entries: ReadonlyMap<string, 'folder' | 'photo'>, original?: string): SaveClash {
  const key = name.toLowerCase();
  const kind = entries.get(key);
  if (kind === undefined) return 'none';
  if (kind === 'folder') return 'folder';
  if (original && folderOf(original) === folder && fileName(original).toLowerCase() === key) return 'original';
  return 'file';
}
