// Photos uploaded to the bridge (a browser page cannot hand over a path): each in its own folder,
// `<state>/uploads/<random>/<name>`. An upload is the library's copy of the browser's photo: it
// lives as long as that photo is in the library (PhotoLibrary.remove removes it), a start removes
// the ones no photo uses any more (a killed upload, a photo removed while the folder was busy),
// and all of them together stay under a limit, so that a page cannot fill the disk by accident.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { EngineError } from '../../engine/common/errors';
import { isInside } from '../../protocol/media-scope';

/** All uploads together, by default: a few hundred photos, far below filling a disk. */
export const UPLOADS_LIMIT_BYTES = 8 * 1024 ** 3;

const mb = (bytes: number): string => `${Math.ceil(bytes / 1024 ** 2)} MB`;

/** The upload folder a photo lives in, when it is an upload. */
export function uploadFolderOf(input: string, uploadsDir: string): string | undefined {
  const folder = dirname(resolve(input));
  return dirname(folder) === resolve(uploadsDir) && isInside(folder, resolve(uploadsDir)) ? folder : undefined;
}

async function folderBytes(folder: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(folder, { withFileTypes: true }).catch(() => [])) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) total += await folderBytes(path);
    else total += (await stat(path).catch(() => undefined))?.size ?? 0;
  }
  return total;
}

/** Removes the upload folders none of `inputs` lies in; returns how many. */
export async function removeUnusedUploads(uploadsDir: string, inputs: Iterable<string>): Promise<number> {
  const used = new Set<string>();
  for (const input of inputs) {
    const folder = uploadFolderOf(input, uploadsDir);
    if (folder) used.add(folder);
  }
  let removed = 0;
  for (const name of await readdir(uploadsDir).catch(() => [])) {
    const folder = join(resolve(uploadsDir), name);
    if (used.has(folder)) continue;
    await rm(folder, { recursive: true, force: true });
    removed += 1;
  }
  return removed;
}

/** A place for one upload, with the bytes it may still take; `release` when it is written or given up. */
export interface UploadSlot {
  folder: string;
  room: number;
  release(): void;
}

/** Hands out upload folders while all uploads (those on disk and those being written) fit the limit. */
export class UploadQuota {
  /** Bytes promised to uploads being written right now. */
  private reserved = 0;

  constructor(
    readonly dir: string,
    readonly limitBytes = UPLOADS_LIMIT_BYTES,
  ) {}

  /** A fresh folder for an upload of `declared` bytes (unknown: whatever room is left). */
  async begin(declared: number | undefined, perUpload: number): Promise<UploadSlot> {
    const used = (await folderBytes(this.dir)) + this.reserved;
    const room = Math.min(perUpload, this.limitBytes - used);
    if (room <= 0 || (declared !== undefined && declared > room)) throw this.full(used);
    const take = declared ?? room;
    this.reserved += take;
    const folder = join(this.dir, randomBytes(8).toString('hex'));
    let released = false;
    const release = (): void => {
      if (!released) this.reserved -= take;
      released = true;
    };
    try {
      await mkdir(folder, { recursive: true });
    } catch (error) {
      release();
      throw error;
    }
    return { folder, room: take, release };
  }

  /** Why an upload was stopped: over the limit of all uploads (413). */
  full(used?: number): EngineError {
    return new EngineError(
      'PAYLOAD_TOO_LARGE',
      `The uploaded photos would take more than the ${mb(this.limitBytes)} this session keeps for them${used === undefined ? '' : ` (${mb(used)} taken)`}.`,
      'Remove uploaded photos you no longer need from the library, then upload again.',
    );
  }
}
