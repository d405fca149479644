// Puts one file of a user's folder into a staging folder and hashes what was put there, in one
// read: a hard link when both share a disk (instant, no extra space), else a streamed copy that
// hashes as it writes. The digest is of the placed bytes, so what is checked is what is installed.
// The source is only read: never moved, renamed or written.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { link, mkdir, realpath } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { cancelledError } from '../common/errors';
import { digestFile, type FileDigest } from './digest';

export interface Placed extends FileDigest {
  linked: boolean;
}

export async function placeHashed(from: string, to: string, signal?: AbortSignal): Promise<Placed> {
  await mkdir(dirname(to), { recursive: true });
  const real = await realpath(from); // a symlink in the user's folder: place what it points at
  const linked = await link(real, to).then(() => true, () => false); // EXDEV, EPERM, a filesystem without links
  if (linked) return { ...(await digestFile(to)), linked };
  const hash = createHash('sha256');
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  // 'wx': the staging folder is ours and fresh; an existing file here would be a bug, not data.
  try {
    await pipeline(createReadStream(real, { highWaterMark: 1 << 20 }), tap, createWriteStream(to, { flags: 'wx' }), { signal });
  } catch (error) {
    throw signal?.aborted ? cancelledError() : error;
  }
  return { size, sha256: hash.digest('hex'), linked };
}
