// Why a model's last pull failed, kept beside its downloads (<models>/.downloads/<id>/failure.json,
// or an empty failure-<stage>.disk-full when the disk is too full for even that)
// so that the list, the CLI and the Models page all say "failed" with the error and its hint,
// even after a restart, instead of passing the kept partial file off as a pause. Written when a
// pull ends in an error (never for a pause or cancel); cleared when the next pull starts, and
// gone with the download folder (discard, or a successful install).
import * as v from 'valibot';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ERROR_CODES, toErrorPayload } from '../common/errors';
import { writeFileAtomic } from './atomic-write';
import { downloadsDir } from './paths';

export const FAILURE_FILE = 'failure.json';

/** Which half of a pull failed: fetching the files, or turning them into a package. */
export const PULL_STAGES = ['download', 'convert'] as const;
export type PullStage = (typeof PULL_STAGES)[number];

const PullFailureSchema = v.object({
  stage: v.picklist(PULL_STAGES),
  code: v.picklist(ERROR_CODES),
  message: v.string(),
  hint: v.optional(v.string()),
  /** The window's wording of it (errors.ts, GuiWording); absent in records older than it. */
  gui: v.optional(v.object({ message: v.optional(v.string()), hint: v.optional(v.string()) })),
  /** ISO time of the failure. */
  at: v.string(),
});

export type PullFailure = v.InferOutput<typeof PullFailureSchema>;

const failurePath = (id: string, home: string): string => join(downloadsDir(home), id, FAILURE_FILE);

/**
 * A full disk cannot take the record itself (the write fails after creating the file). An empty
 * file needs no data block, so the failure is then kept in a name: failure-<stage>.disk-full.
 */
const diskFullMarker = (id: string, home: string, stage: PullStage): string => join(downloadsDir(home), id, `failure-${stage}.disk-full`);

const DISK_FULL_MESSAGE = 'The disk filled up while installing this model.';
const DISK_FULL_HINT = 'Free some space, then pull again: the download resumes where it stopped.';
const DISK_FULL_GUI = { hint: 'Free some space, then choose Retry: the download resumes where it stopped.' };

export async function recordPullFailure(id: string, home: string, stage: PullStage, error: unknown): Promise<PullFailure> {
  const { code, message, hint, gui } = toErrorPayload(error);
  const failure: PullFailure = { stage, code, message, ...(hint === undefined ? {} : { hint }), ...(gui === undefined ? {} : { gui }), at: new Date().toISOString() };
  await mkdir(join(downloadsDir(home), id), { recursive: true });
  try {
    await writeFileAtomic(failurePath(id, home), JSON.stringify(failure, null, 2));
  } catch (writeError) {
    if ((writeError as NodeJS.ErrnoException).code !== 'ENOSPC') throw writeError;
    await writeFile(diskFullMarker(id, home, stage), '');
  }
  return failure;
}

/** The recorded failure, if any; a damaged record reads as none (the next pull rewrites it). */
export async function readPullFailure(id: string, home: string): Promise<PullFailure | undefined> {
  try {
    const parsed = v.safeParse(PullFailureSchema, JSON.parse(await readFile(failurePath(id, home), 'utf8')));
    if (parsed.success) return parsed.output;
  } catch {
    // no record (or a damaged one): perhaps a disk-full marker
  }
  for (const stage of PULL_STAGES) {
    const marker = await stat(diskFullMarker(id, home, stage)).catch(() => undefined);
    if (marker) return { stage, code: 'DISK_FULL', message: DISK_FULL_MESSAGE, hint: DISK_FULL_HINT, gui: DISK_FULL_GUI, at: marker.mtime.toISOString() };
  }
  return undefined;
}

export async function clearPullFailure(id: string, home: string): Promise<void> {
  await rm(failurePath(id, home), { force: true });
  for (const stage of PULL_STAGES) await rm(diskFullMarker(id, home, stage), { force: true });
}
