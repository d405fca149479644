// Streaming sha256 of files: model files are tens of MB (and PURE's are GB), never read whole.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export function sha256Bytes(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** npm's Subresource-Integrity form: "sha512-<base64>". */
export function sriSha512(bytes: Uint8Array): string {
  return `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
}

export interface FileDigest {
  size: number;
  sha256: string;
  /** Git's blob id: sha1 of "blob <size>\0" + content (what Hugging Face lists for small files). */
  gitSha1?: string;
}

/** sha256 (and, on request, the git blob id) of a file in one read. */
export async function digestFile(path: string, options: { gitSha1?: boolean } = {}): Promise<FileDigest> {
  const sha256 = createHash('sha256');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const bytes = chunk as Buffer;
    sha256.update(bytes);
    if (options.gitSha1) chunks.push(bytes);
    size += bytes.length;
  }
  if (!options.gitSha1) return { size, sha256: sha256.digest('hex') };
  // Only small files carry a git id (large ones are LFS with a sha256), so buffering is fine.
  const sha1 = createHash('sha1').update(`blob ${size}\0`);
  for (const bytes of chunks) sha1.update(bytes);
  return { size, sha256: sha256.digest('hex'), gitSha1: sha1.digest('hex') };
}
