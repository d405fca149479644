// What a killed run can leave beside its outputs, cleaned by the next run: the atomic writer's
// hidden temporary files (".<name>.<12 hex>.tmp", image/output-file.ts) for outputs of the batch,
// and PURE's live-preview folders. Only names derived from the batch's own planned outputs are
// touched: a person's files that merely look similar stay.
import { readdir, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

const TEMP = /^\.(.+)\.[0-9a-f]{12}\.tmp$/;

/** `photo-restored.jpg` -> the names its writes may use: itself and its entropy map. */
function ownedNames(output: string): string[] {
  const name = basename(output);
  return [name, name.replace(/\.[^.]+$/, '') + '.entropy.png'];
}

/** Removes leftover temporary files of `outputs`; returns the paths removed. */
export async function removeLeftoverTemps(outputs: Iterable<string>): Promise<string[]> {
  const byFolder = new Map<string, Set<string>>();
  for (const output of outputs) {
    const folder = dirname(output);
    let names = byFolder.get(folder);
    if (!names) byFolder.set(folder, (names = new Set()));
    for (const n of ownedNames(output)) names.add(n);
  }
  const removed: string[] = [];
  for (const [folder, names] of byFolder) {
    const entries = await readdir(folder).catch(() => [] as string[]);
    for (const entry of entries) {
      if (entry.startsWith('.pure-preview-')) {
        // PURE's live previews (restore/pure-tile-preview.ts), removed at the end of a run that was not killed.
        await rm(join(folder, entry), { recursive: true, force: true });
        removed.push(join(folder, entry));
        continue;
      }
      const target = TEMP.exec(entry)?.[1];
      if (target === undefined || !names.has(target)) continue;
      const path = join(folder, entry);
      await rm(path, { force: true });
      removed.push(path);
    }
  }
  return removed;
}
