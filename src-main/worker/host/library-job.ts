// Everything decided before one library photo goes to the worker: its options (the queue's,
// with the photo's own overrides on top), the settings hash and the input's fingerprint that
// will say later whether it is still done, and where the output goes. With auto-save that is the
// mirrored path in the output folder (the CLI's naming, planned once and then kept, so a redo
// replaces its own file); without, a working folder in the state folder until "Save all".
import { mkdir } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';
import * as v from 'valibot';
import { EngineError } from '../../engine/common/errors';
import { fingerprintFile } from '../../engine/library/fingerprint';
import type { InputFingerprint, LibraryStore, PhotoRecord } from '../../engine/library/library-types';
import { candidateName, outputExtension, outputFolder, planOutputPath } from '../../engine/library/output-plan';
import { settingsHash } from '../../engine/library/settings-hash';
import type { OutputFormatId } from '../../protocol/api';
import { RestoreOptionsSchema } from '../../protocol/restore';
import type { RestoreOptionsInput } from '../../protocol/restore';
import { EXTENSION_OF } from './export';
import { OriginalsIndex, storedOriginals } from './known-originals';
import type { JobSettings } from './library-settings';
import { savedTo } from './library-view';

export interface PreparedJob {
  options: RestoreOptionsInput;
  settingsHash: string;
  output: string;
  /** Whether `output` is in the output folder (auto-save) or a working folder of the state folder. */
  saved: boolean;
  quality?: number;
  format: OutputFormatId;
}

/** The queue's options with the photo's overrides on top (only fields it has set). */
export function photoOptions(job: JobSettings, record: PhotoRecord): RestoreOptionsInput {
  const options: Record<string, unknown> = { ...job.options };
  for (const [key, value] of Object.entries(record.overrides ?? {})) if (value !== undefined) options[key] = value;
  // The caption of a photo is its own: never one carried over from the queue call.
  if (record.overrides?.caption === undefined) delete options.caption;
  return options;
}

/** The output extension and hash a photo would get now: equal to the record's means "same settings". */
export function photoSettings(job: JobSettings, record: PhotoRecord): { options: RestoreOptionsInput; ext: string; hash: string } {
  const options = photoOptions(job, record);
  const ext = job.format ? EXTENSION_OF[job.format] : outputExtension(record.input);
  const parsed = v.safeParse(RestoreOptionsSchema, options);
  if (!parsed.success) throw new EngineError('INVALID_OPTION', `This photo's settings are not valid: ${parsed.issues[0].message}.`, 'Change its settings, then restore it again.');
  return { options, ext, hash: settingsHash(parsed.output, ext) };
}

function formatOf(ext: string): OutputFormatId {
  const found = (Object.entries(EXTENSION_OF) as [OutputFormatId, string][]).find(([, e]) => e === ext.toLowerCase());
  return found?.[0] ?? (ext.toLowerCase() === '.jpeg' ? 'jpeg' : ext.toLowerCase() === '.tiff' ? 'tiff' : 'png');
}

/** A file of this photo's in `folder` with extension `ext`, if it has one (its own earlier output). */
function ownOutput(record: PhotoRecord, folder: string, ext: string): string | undefined {
  return [record.output, savedTo(record)].find((p) => p !== undefined && dirname(p) === folder && extname(p) === ext);
}

export async function prepareJob(
  record: PhotoRecord,
  ctx: { job: JobSettings; store: LibraryStore; autoSave: boolean; outputRoot: string; workDir: string },
): Promise<PreparedJob> {
  const { options, ext, hash } = photoSettings(ctx.job, record);
  const folder = ctx.autoSave ? outputFolder(record, ctx.outputRoot) : join(ctx.workDir, String(record.id));
  await mkdir(folder, { recursive: true }).catch((error: unknown) => {
    throw new EngineError('OUTPUT_UNWRITABLE', `Cannot create the folder "${folder}": ${(error as Error).message}.`, 'Choose an output folder you can write to.');
  });
  let output: string;
  if (!ctx.autoSave) {
    output = join(folder, candidateName(record.input, ext, 1));
  } else {
    // Its own earlier output is replaced in place, unless that file has since become a photo's
    // original (opened through a linked folder, say): then a free name is planned.
    const originals = new OriginalsIndex(storedOriginals(ctx.store));
    const own = ownOutput(record, folder, ext);
    const kept = own !== undefined && (await originals.at(own)) === undefined ? own : undefined;
    output = kept ?? (await planOutputPath(record, folder, ext, { plannedByOthers: (p) => ctx.store.isOutput(p), overwrite: false }));
    // The worker writes it with overwrite (its own file): never an original, whatever changed on disk.
    await originals.refuse(output);
    // Fixed before anything is written: after a kill, the rerun replaces this file, never adds "-2".
    ctx.store.planOutput(record.id, output);
  }
  const prepared: PreparedJob = { options, settingsHash: hash, output, saved: ctx.autoSave, format: formatOf(ext) };
  if (options.quality !== undefined) prepared.quality = options.quality;
  return prepared;
}

/** The input as it is now; a vanished input is said plainly. */
export async function fingerprintInput(path: string): Promise<InputFingerprint> {
  try {
    return await fingerprintFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new EngineError('INPUT_NOT_FOUND', `"${path}" does not exist any more.`, 'It may have been moved or deleted; remove it from the library.');
    throw new EngineError('INPUT_UNREADABLE', `Cannot read "${path}": ${(error as Error).message}.`, 'Check that you may read it.');
  }
}
