// Reads chosen files out of a gzipped tar (an npm package tarball) in memory, without a tar
// dependency: ustar headers are 512-byte blocks with the name, octal size and type flag.
import { gunzipSync } from 'node:zlib';
import { EngineError } from '../common/errors';

const BLOCK = 512;

function field(header: Uint8Array, offset: number, length: number): string {
  const bytes = header.subarray(offset, offset + length);
  const end = bytes.indexOf(0);
  return new TextDecoder().decode(end === -1 ? bytes : bytes.subarray(0, end));
}

/** The `path` record of a pax extended header ("<len> path=<value>\n" records), if any. */
function paxPath(body: Uint8Array): string | undefined {
  const text = new TextDecoder().decode(body);
  const match = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(text);
  return match?.[1];
}

/** Returns the contents of `wanted` paths found in the archive (missing ones are absent). */
export function extractFromTgz(tgz: Uint8Array, wanted: readonly string[]): Map<string, Uint8Array> {
  let tar: Uint8Array;
  try {
    tar = gunzipSync(tgz);
  } catch (error) {
    throw new EngineError('MODEL_FORMAT', `The package tarball is not valid gzip: ${(error as Error).message}`);
  }
  const want = new Set(wanted);
  const found = new Map<string, Uint8Array>();
  let pos = 0;
  let longName: string | undefined;
  while (pos + BLOCK <= tar.length && found.size < want.size) {
    const header = tar.subarray(pos, pos + BLOCK);
    if (header.every((b) => b === 0)) break; // end-of-archive marker
    const size = parseInt(field(header, 124, 12).trim() || '0', 8);
    const type = String.fromCharCode(header[156] || 48);
    const prefix = field(header, 345, 155);
    const name = longName ?? (prefix ? `${prefix}/${field(header, 0, 100)}` : field(header, 0, 100));
    longName = undefined;
    const body = tar.subarray(pos + BLOCK, pos + BLOCK + size);
    if (body.length !== size) throw new EngineError('MODEL_FORMAT', `The package tarball is truncated at ${name}.`);
    if (type === 'L') longName = field(body, 0, size); // GNU long name for the next entry
    else if (type === 'x') longName = paxPath(body); // POSIX extended header for the next entry
    else if ((type === '0' || type === '\0') && want.has(name)) found.set(name, new Uint8Array(body));
    pos += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
  }
  return found;
}
