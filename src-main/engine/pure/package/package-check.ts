// Proving a PURE package's files before a load, without reading 5-15 GB every time.
// The full proof (sha256 of every byte against the manifest) runs once: when the converter writes
// the package, on `models verify`, and at a load that finds a file changed since. What it proved
// is recorded beside the files (VERIFIED_FILE: each file's size, mtime and sha256); a load then
// only stats the files: every size must match the manifest (a truncated copy is refused at once),
// and when size, mtime and digest all match the record, the bytes are not read again. A file
// changed without touching its size or mtime (bit rot, a tool that restores mtimes) is caught by
// an explicit verify, which drops the record when it finds damage so the next load hashes again.
import { createReadStream } from 'node:fs';
import { createHash } from 'node:crypto';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GUI_HINTS } from '../../models/gui-hints';
import { EngineError, throwIfAborted } from '../../common/errors';

/** Written next to manifest.json; not listed in it (it describes the files, it is not one). */
export const VERIFIED_FILE = '.verified.json';

interface ManifestFile {
  name: string;
  size: number;
  sha256: string;
}

interface VerifiedRecord {
  version: 1;
  files: { name: string; size: number; mtimeMs: number; sha256: string }[];
}

export interface PackageCheck {
  /** 'recorded': sizes and mtimes matched the last full proof, nothing hashed; 'hashed': proven now. */
  how: 'recorded' | 'hashed';
  /** Bytes read to hash (0 when the record matched). */
  hashedBytes: number;
}

/** sha256 of a file, saying how many bytes it has read as it goes (a 7B weights file takes a minute). */
export async function hashFile(path: string, onBytes?: (bytes: number) => void, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  let done = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 22 })) {
    throwIfAborted(signal);
    hash.update(chunk as Buffer);
    done += (chunk as Buffer).length;
    onBytes?.(done);
  }
  return hash.digest('hex');
}

const damaged = (dir: string, name: string) => new EngineError('DIGEST_MISMATCH', `The PURE model in ${dir} is damaged or incomplete: ${name}.`, 'Convert the model again (or `npm run models -- verify <id>` to check it).', {
    gui: { hint: GUI_HINTS.repair },
  });

async function readRecord(dir: string): Promise<VerifiedRecord | undefined> {
  try {
    const record = JSON.parse(await readFile(join(dir, VERIFIED_FILE), 'utf8')) as VerifiedRecord;
    return record.version === 1 && Array.isArray(record.files) ? record : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Records that `files` were just proven against their sha256. Best effort: a read-only package
 * (a bundled one) keeps working, it is only hashed at each load.
 */
export async function recordVerified(dir: string, files: readonly ManifestFile[]): Promise<void> {
  const entries = [];
  for (const f of files) entries.push({ name: f.name, size: f.size, mtimeMs: (await stat(join(dir, f.name))).mtimeMs, sha256: f.sha256 });
  const record: VerifiedRecord = { version: 1, files: entries };
  await writeFile(join(dir, VERIFIED_FILE), `${JSON.stringify(record, null, 2)}\n`).catch(() => undefined);
}

/** Forgets the last proof (after damage was found), so the next load hashes every file. */
export async function forgetVerified(dir: string): Promise<void> {
  await rm(join(dir, VERIFIED_FILE), { force: true }).catch(() => undefined);
}

/** Full proof: every file's sha256 against the manifest; records it when all match. */
export async function verifyPackageFiles(dir: string, files: readonly ManifestFile[], signal?: AbortSignal): Promise<PackageCheck> {
  let hashedBytes = 0;
  for (const file of files) {
    throwIfAborted(signal);
    const ok = await hashFile(join(dir, file.name), undefined, signal).then((h) => h === file.sha256, () => false);
    if (!ok) {
      await forgetVerified(dir);
      throw damaged(dir, file.name);
    }
    hashedBytes += file.size;
  }
  await recordVerified(dir, files);
  return { how: 'hashed', hashedBytes };
}

/** The load's check: sizes always, the bytes only when a file differs from the recorded proof. */
export async function checkPackageFiles(dir: string, files: readonly ManifestFile[], signal?: AbortSignal): Promise<PackageCheck> {
  const record = await readRecord(dir);
  let matchesRecord = record !== undefined;
  for (const file of files) {
    const info = await stat(join(dir, file.name)).catch(() => undefined);
    if (!info || info.size !== file.size) throw damaged(dir, file.name);
    const seen = record?.files.find((r) => r.name === file.name);
    if (!seen || seen.size !== info.size || seen.mtimeMs !== info.mtimeMs || seen.sha256 !== file.sha256) matchesRecord = false;
  }
  return matchesRecord ? { how: 'recorded', hashedBytes: 0 } : verifyPackageFiles(dir, files, signal);
}
