// "Save all restored" when auto-save is off: every finished result not saved yet is copied from
// the state folder to its mirrored place in the output folder (the same naming as auto-save and
// the CLI), and only then is the working copy removed: a result is never deleted unsaved.
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';
import { EngineError, toErrorPayload } from '../../engine/common/errors';
import { writeFileAtomic } from '../../engine/image/output-file';
import type { LibraryStore, PhotoRecord } from '../../engine/library/library-types';
import { outputFolder, planOutputPath } from '../../engine/library/output-plan';
import { entropyMapPath } from '../../engine/restore/pure-restore';
import type { SaveOutcome } from '../../protocol/api';
import { isInside } from '../../protocol/media-scope';
import { OriginalsIndex } from './known-originals';
import type { KnownOriginals } from './known-originals';
import { savedTo } from './library-view';

/** Done, not saved, and its result still there to copy. */
export function unsaved(record: PhotoRecord): boolean {
  return record.state === 'done' && record.savedAt === undefined && record.output !== undefined;
}

/** Saves one result; returns where it went. */
async function saveOne(record: PhotoRecord, store: LibraryStore, outputRoot: string, workDir: string, originals: OriginalsIndex): Promise<string> {
  const source = record.output!;
  const ext = extname(source);
  const folder = outputFolder(record, outputRoot);
  await mkdir(folder, { recursive: true }).catch((error: unknown) => {
    throw new EngineError('OUTPUT_UNWRITABLE', `Cannot create the folder "${folder}": ${(error as Error).message}.`, 'Choose an output folder you can write to.');
  });
  const earlier = savedTo(record);
  const mine = earlier !== undefined && dirname(earlier) === folder && extname(earlier) === ext ? earlier : undefined;
  // The earlier save is replaced in place, unless that file has since become a photo's original
  // (opened through a linked folder, say): then the result takes a free name.
  const own = mine !== undefined && (await originals.at(mine)) === undefined ? mine : undefined;
  const target = own ?? (await planOutputPath(record, folder, ext, { plannedByOthers: (p) => store.isOutput(p), overwrite: false }));
  const bytes = await readFile(source).catch(() => {
    throw new EngineError('INPUT_NOT_FOUND', 'The restored result is no longer there.', 'Restore the photo again.');
  });
  // The original's modification time, as the restore gave the working copy (photo managers sort by it).
  const modifiedTime = await stat(record.input).then((info) => info.mtime, () => undefined);
  // The target is this photo's own (planned or its earlier save): replacing it is not overwriting
  // someone's file. No original is, whatever happened on disk since the plan.
  await originals.refuse(target);
  await writeFileAtomic(target, bytes, { overwrite: true, modifiedTime });
  const map = await saveEntropyMap(record, target);
  store.planOutput(record.id, target);
  if (map && record.settingsHash !== undefined && record.fingerprint !== undefined) {
    // The photo's result names the saved map from now on: the working one goes below.
    const result = { ...record.result, pure: { ...(record.result!.pure as object), entropyMap: map } };
    store.markDone(record.id, { output: target, settingsHash: record.settingsHash, fingerprint: record.fingerprint, result });
  }
  store.markSaved(record.id, Date.now());
  // Saved: the working copy (and its folder) may go now.
  if (isInside(source, workDir)) await rm(dirname(source), { recursive: true, force: true });
  return target;
}

/** PURE's entropy map of the working result, copied beside the saved one as the restore names it; its path. */
async function saveEntropyMap(record: PhotoRecord, target: string): Promise<string | undefined> {
  const working = (record.result?.pure as { entropyMap?: unknown } | undefined)?.entropyMap;
  if (typeof working !== 'string') return undefined;
  const bytes = await readFile(working).catch(() => undefined);
  if (!bytes) return undefined; // gone with an earlier save: the result itself matters, not its map
  const map = entropyMapPath(target);
  await writeFileAtomic(map, bytes, { overwrite: true });
  return map;
}

export async function saveAll(
  records: readonly PhotoRecord[],
  store: LibraryStore,
  outputRoot: string,
  workDir: string,
  originals: KnownOriginals,
): Promise<{ outcome: SaveOutcome; saved: number[] }> {
  const outcome: SaveOutcome = { saved: 0, failed: [] };
  const saved: number[] = [];
  // The originals are read once for the whole Save all, on the first target that exists.
  const index = new OriginalsIndex(originals);
  for (const record of records.filter(unsaved)) {
    try {
      await saveOne(record, store, outputRoot, workDir, index);
      outcome.saved += 1;
      saved.push(record.id);
    } catch (error) {
      outcome.failed.push({ id: record.id, error: toErrorPayload(error) });
    }
  }
  return { outcome, saved };
}

/** The working folder of a photo's unsaved results. */
export function workFolder(workDir: string, id: number): string {
  return join(workDir, String(id));
}
