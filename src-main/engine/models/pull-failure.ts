// Why a model's last pull failed, kept beside its downloads (<models>/.downloads/<id>/failure.json)
// so that the list, the CLI and the Models page all say "failed" with the error and its hint,
// even after a restart, instead of passing the kept partial file off as a pause. Written when a
// pull ends in an error (never for a pause or cancel); cleared when the next pull starts, and
// gone with the download folder (discard, or a successful install).
import * as v from 'valibot';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ERROR_CODES, toErrorPayload } from '../common/errors';
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
  /** ISO time of the failure. */
  at: v.string(),
});

export type PullFailure = v.InferOutput<typeof PullFailureSchema>;

const failurePath = (id: string, home: string): string => join(downloadsDir(home), id, FAILURE_FILE);

export async function recordPullFailure(id: string, home: string, stage: PullStage, error: unknown): Promise<PullFailure> {
  const { code, message, hint } = toErrorPayload(error);
  const failure: PullFailure = { stage, code, message, ...(hint === undefined ? {} : { hint }), at: new Date().toISOString() };
  const path = failurePath(id, home);
  await mkdir(join(downloadsDir(home), id), { recursive: true });
  await writeFile(`${path}.tmp`, JSON.stringify(failure, null, 2));
  await rename(`${path}.tmp`, path);
  return failure;
}

/** The recorded failure, if any; a damaged record reads as none (the next pull rewrites it). */
export async function readPullFailure(id: string, home: string): Promise<PullFailure | undefined> {
  try {
    const parsed = v.safeParse(PullFailureSchema, JSON.parse(await readFile(failurePath(id, home), 'utf8')));
    return parsed.success ? parsed.output : undefined;
  } catch {
    return undefined;
  }
}

export async function clearPullFailure(id: string, home: string): Promise<void> {
  await rm(failurePath(id, home), { force: true });
}
