// Where an output may go, and writing it so that nothing partial is ever left: the bytes go to a
// hidden temporary file in the same folder, are flushed to disk, and only then take the final
// name. An original is never written over, whatever the flags and however the path reaches it.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import type { Stats } from 'node:fs';
import { access, link, lstat, open, realpath, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { EngineError, throwIfAborted } from '../common/errors';

const WRITE_CHUNK = 4 * 1024 * 1024; // between chunks a cancel is noticed

/**
 * Longest file name on the filesystems photos live on: 255 bytes of UTF-8 on ext4, btrfs, XFS
 * and APFS; 255 UTF-16 units on NTFS. Checked before any work is done.
 */
export const NAME_MAX_BYTES = 255;

/** A name's length as this platform's filesystems count it. */
export function nameLength(name: string): number {
  return process.platform === 'win32' ? name.length : Buffer.byteLength(name);
}

function errnoOf(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/** realpath of the path, or of its folder plus its name when the file does not exist (yet). */
async function canonical(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    try {
      return join(await realpath(dirname(path)), basename(path));
    } catch {
      return path;
    }
  }
}

async function identity(path: string): Promise<string | undefined> {
  try {
    const info = await stat(path, { bigint: true });
    return info.ino === 0n ? undefined : `${info.dev}:${info.ino}`; // some Windows filesystems report no inode
  } catch {
    return undefined;
  }
}

/** Same file by name, by resolved symlinks, or by device and inode (hard links, case-insensitive names). */
export async function isSameFile(a: string, b: string): Promise<boolean> {
  const [ra, rb] = [resolve(a), resolve(b)];
  if (ra === rb) return true;
  if ((await canonical(ra)) === (await canonical(rb))) return true;
  const [ia, ib] = await Promise.all([identity(ra), identity(rb)]);
  return ia !== undefined && ia === ib;
}

/** A taken name, as the window says it: its Save dialog offers Replace (the terminal's is --overwrite). */
const OUTPUT_EXISTS_GUI = { hint: 'Choose another name, or choose Replace to replace that file.' };

/** The checks that need no encoding: run them first so that a wrong path fails at once. */
export async function checkOutputPath(path: string, options: { overwrite: boolean; protectedPaths: string[] }): Promise<void> {
  const target = resolve(path);
  const nameBytes = nameLength(basename(target));
  if (nameBytes > NAME_MAX_BYTES) {
    const unit = process.platform === 'win32' ? 'characters' : 'bytes';
    throw new EngineError(
      'OUTPUT_UNWRITABLE',
      `The output name "${basename(target).slice(0, 40)}..." is ${nameBytes} ${unit} long; file names can be at most ${NAME_MAX_BYTES}.`,
      'Choose a shorter output name.',
    );
  }
  for (const original of options.protectedPaths) {
    if (await isSameFile(target, original)) {
      throw new EngineError(
        'OUTPUT_IS_INPUT',
        `Refusing to write "${path}": it is the input "${original}", and originals are never overwritten.`,
        'Choose another output name or folder.',
      );
    }
  }
  const folder = dirname(target);
  try {
    const info = await stat(folder);
    if (!info.isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    await access(folder, constants.W_OK);
  } catch (error) {
    throw writeError(error, path);
  }
  let existing: Stats | undefined;
  try {
    existing = await lstat(target); // lstat: a dangling symlink is still a name in the way
  } catch (error) {
    if (errnoOf(error) !== 'ENOENT') throw writeError(error, path);
  }
  if (!existing) return;
  const followed = existing.isSymbolicLink() ? await stat(target).catch(() => existing) : existing;
  if (followed.isDirectory()) {
    throw new EngineError('OUTPUT_UNWRITABLE', `"${path}" is a folder; give a file name for the output.`);
  }
  if (!options.overwrite) {
    throw new EngineError('OUTPUT_EXISTS', `"${path}" already exists.`, 'Pass --overwrite to replace it, or choose another name.', { gui: OUTPUT_EXISTS_GUI });
  }
}

/** Maps a write failure to the error a user can act on. */
export function writeError(error: unknown, path: string): EngineError {
  if (error instanceof EngineError) return error;
  const code = errnoOf(error);
  const folder = dirname(resolve(path));
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new EngineError('DISK_FULL', `The disk is full: "${path}" was not written (nothing was written).`, 'Free some space or choose another folder.', { cause: error });
  }
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new EngineError('OUTPUT_UNWRITABLE', `The output folder "${folder}" does not exist.`, 'Create it first or choose another folder.', { cause: error });
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new EngineError('OUTPUT_UNWRITABLE', `No permission to write in "${folder}".`, 'Choose a folder you can write to.', { cause: error });
  }
  if (code === 'EEXIST') {
    return new EngineError('OUTPUT_EXISTS', `"${path}" already exists.`, 'Pass --overwrite to replace it, or choose another name.', { cause: error, gui: OUTPUT_EXISTS_GUI });
  }
  const detail = error instanceof Error ? error.message.split('\n')[0] : String(error);
  return new EngineError('OUTPUT_UNWRITABLE', `Could not write "${path}": ${detail}.`, 'Check the disk and the folder, then try again.', { cause: error });
}

async function removeQuietly(path: string): Promise<void> {
  await unlink(path).catch(() => undefined);
}

/** Best effort: makes the new name durable too. Not possible on Windows, and not worth failing for. */
async function syncFolder(folder: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(folder, 'r').catch(() => undefined);
  await handle?.sync().catch(() => undefined);
  await handle?.close().catch(() => undefined);
}

/** Puts the finished temporary file in place; without overwrite, never replaces a file that appeared meanwhile. */
async function publish(temp: string, target: string, overwrite: boolean): Promise<void> {
  if (overwrite) return rename(temp, target);
  try {
    await link(temp, target); // fails with EEXIST instead of replacing: no race with another writer
  } catch (error) {
    const code = errnoOf(error);
    // Filesystems without hard links (FAT, some network shares): check, then rename.
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw error;
    const exists = await lstat(target).then(() => true, () => false);
    if (exists) throw Object.assign(new Error('exists'), { code: 'EEXIST' });
    return rename(temp, target);
  }
  await removeQuietly(temp);
}

/**
 * ".name.<12 hex>.tmp" beside the target, so a leftover says what it was; a name within 18 bytes
 * of the limit would overflow it, so those get a short generic temporary name instead.
 */
export function tempName(name: string): string {
  const suffix = `.${randomBytes(6).toString('hex')}.tmp`;
  const full = `.${name}${suffix}`;
  return nameLength(full) <= NAME_MAX_BYTES ? full : `.pure-studio${suffix}`;
}

/**
 * Writes `data` to `path` atomically: a temporary ".name.<random>.tmp" beside it, fsync, then the
 * final name. On any failure or cancel the temporary file is removed and `path` is untouched.
 * `modifiedTime` becomes the file's modification time (rename and link keep it).
 */
export async function writeFileAtomic(
  path: string,
  data: Uint8Array,
  options: { overwrite: boolean; signal?: AbortSignal; modifiedTime?: Date },
): Promise<void> {
  const target = resolve(path);
  const temp = join(dirname(target), tempName(basename(target)));
  let created = false;
  let published = false;
  try {
    throwIfAborted(options.signal);
    const handle = await open(temp, 'wx', 0o644); // 'wx': never follow or reuse an existing name
    created = true;
    try {
      for (let at = 0; at < data.length; at += WRITE_CHUNK) {
        throwIfAborted(options.signal);
        const chunk = data.subarray(at, Math.min(at + WRITE_CHUNK, data.length));
        let written = 0;
        while (written < chunk.length) {
          const { bytesWritten } = await handle.write(chunk, written, chunk.length - written);
          written += bytesWritten;
        }
      }
      // Set on the temporary file, so the final name never shows the moment of the restore.
      if (options.modifiedTime) await handle.utimes(new Date(), options.modifiedTime);
      await handle.sync(); // the data must be on disk before the name points at it
    } finally {
      await handle.close();
    }
    throwIfAborted(options.signal); // the last moment a cancel can still leave nothing behind
    await publish(temp, target, options.overwrite);
    published = true;
    await syncFolder(dirname(target));
  } catch (error) {
    throw writeError(error, path);
  } finally {
    if (created && !published) await removeQuietly(temp);
  }
}
