// The converter writes a package into a hidden staging folder beside its destination and renames
// it into place only when complete. A run killed outright (a terminal's Ctrl-C reaches the whole
// process group; a crash; a power cut) cannot delete its folder, and a 7B one can hold 14 GB, so
// each run first removes the folders of runs that are no longer alive. The owner's pid is in the
// folder's name: a folder whose process still runs (a conversion beside this one) is left alone.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

const MARK = '.staging-';

/** Creates `.<name>.staging-<pid>-XXXXXX` beside `out`. */
export function makeStaging(out: string): Promise<string> {
  return mkdtemp(join(dirname(out), `.${basename(out)}${MARK}${process.pid}-`));
}

/** True while a process with this id exists (EPERM: it exists but is someone else's). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The staging folders in `parent` that no running process owns: ours (`.<any>.staging-<pid>-*`)
 * whose pid is gone, and those of converters from before the pid was in the name
 * (`.<name>.staging-XXXXXX`) for this destination's name only.
 */
export async function staleStagingFolders(out: string): Promise<string[]> {
  const parent = dirname(out);
  const entries = await readdir(parent, { withFileTypes: true }).catch(() => []);
  const stale: string[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory() || !entry.name.startsWith('.')) continue;
    const at = entry.name.lastIndexOf(MARK);
    if (at < 0) continue;
    const tail = entry.name.slice(at + MARK.length);
    const withPid = /^(\d+)-[A-Za-z0-9]{6}$/.exec(tail);
    if (withPid) {
      if (!isAlive(Number(withPid[1]))) stale.push(join(parent, entry.name));
    } else if (/^[A-Za-z0-9]{6}$/.test(tail) && entry.name.slice(1, at) === basename(out)) {
      stale.push(join(parent, entry.name));
    }
  }
  return stale;
}

/** Deletes stale staging folders beside `out`; returns what was removed. */
export async function removeStaleStaging(out: string): Promise<string[]> {
  const stale = await staleStagingFolders(out);
  for (const dir of stale) await rm(dir, { recursive: true, force: true });
  return stale;
}
