// Recognising an input that has not changed since its output was made: size and modification
// time first (free), the SHA-256 of the bytes when they differ (a copy or a `touch` changes the
// time, not the photo).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { InputFingerprint } from './library-types';

export async function sha256File(path: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20, signal })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export async function fingerprintFile(path: string, signal?: AbortSignal): Promise<InputFingerprint> {
  const before = await stat(path);
  const sha256 = await sha256File(path, signal);
  return { size: before.size, mtimeMs: before.mtimeMs, sha256 };
}

/** Whether `path` still holds the bytes `previous` describes. */
export async function isUnchanged(path: string, previous: InputFingerprint): Promise<boolean> {
  const now = await stat(path).catch(() => undefined);
  if (!now || now.size !== previous.size) return false;
  if (now.mtimeMs === previous.mtimeMs) return true;
  return (await sha256File(path)) === previous.sha256;
}
