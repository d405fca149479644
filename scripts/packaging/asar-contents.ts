// What an app.asar holds: every file with its size, and whether it lives in app.asar.unpacked.
// Used by the packaging test to prove what ships, and to print the size and file count.
import { statSync } from 'node:fs';
import { getRawHeader } from '@electron/asar';

export interface AsarFile {
  /** Relative to the archive root, with forward slashes: "out/main/index.js". */
  path: string;
  size: number;
  unpacked: boolean;
}

interface HeaderNode {
  files?: Record<string, HeaderNode>;
  size?: number;
  unpacked?: boolean;
  link?: string;
}

function walk(node: HeaderNode, prefix: string, out: AsarFile[]): void {
  for (const [name, child] of Object.entries(node.files ?? {})) {
    const path = prefix ? `${prefix}/${name}` : name;
    if (child.files) walk(child, path, out);
    else if (child.link === undefined) out.push({ path, size: child.size ?? 0, unpacked: child.unpacked === true });
  }
}

export function asarFiles(archive: string): AsarFile[] {
  const out: AsarFile[] = [];
  walk(getRawHeader(archive).header as HeaderNode, '', out);
  return out;
}

export interface AsarSummary {
  archiveBytes: number;
  files: number;
  /** Sum of the files kept inside the archive / in app.asar.unpacked. */
  packedBytes: number;
  unpackedBytes: number;
}

export function summarize(archive: string): AsarSummary {
  const files = asarFiles(archive);
  const sum = (list: AsarFile[]): number => list.reduce((n, f) => n + f.size, 0);
  return {
    archiveBytes: statSync(archive).size,
    files: files.length,
    packedBytes: sum(files.filter((f) => !f.unpacked)),
    unpackedBytes: sum(files.filter((f) => f.unpacked)),
  };
}
