// Where `npm run serve` keeps its results, thumbnails, library and settings when `--state` is not
// given: one folder per served root. A state folder shared by every run let one run's recent list
// and library reach photos of an earlier run's root; the host checks every path anyway
// (studio-host.ts, photo-library.ts), and a folder per root keeps each root's library whole.
import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';

/** `<home>/bridge/<root's name>-<hash of its real path>`: the same root, however spelt, the same folder. */
export function defaultStateDir(root: string, home: string): string {
  const real = realpathSync(resolve(root));
  const hash = createHash('sha256').update(real).digest('hex').slice(0, 12);
  const name = basename(real).replace(/[^\p{L}\p{N}._-]/gu, '_').slice(0, 40) || 'root';
  return join(home, 'bridge', `${name}-${hash}`);
}
