// Moving the models folder (PURE alone is ~15 GB: users put it on a bigger disk). Everything in
// it moves (models, partial downloads), by rename on the same disk, or copy-then-delete across
// disks, after a free-space check; the new place is recorded only once the move is done. Refused
// while any model is busy, since a download writing into the old folder would be lost.
import { cp, mkdir, readdir, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { isAbsolute, join, resolve, sep } from 'node:path';
import { EngineError } from '../common/errors';
import { ensureFreeSpace, type FreeSpaceProbe } from './disk-space';
import { readLock } from './model-lock';
import { defaultModelsDir, locksDir, modelsDir, modelsLocationFile, studioHome } from './paths';

export interface MoveOptions {
  home?: string;
  freeSpace?: FreeSpaceProbe;
}

async function entries(dir: string): Promise<string[]> {
  return readdir(dir).catch(() => []);
}

async function treeBytes(dir: string): Promise<number> {
  let total = 0;
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => [])) {
    if (e.isFile()) total += await stat(join(e.parentPath, e.name)).then((s) => s.size, () => 0);
  }
  return total;
}

async function moveEntry(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    await cp(from, to, { recursive: true, errorOnExist: true, force: false });
    await rm(from, { recursive: true, force: true });
  }
}

/** Moves every model to `target` and makes it the models folder; returns the new folder. */
export async function setModelsFolder(target: string, options: MoveOptions = {}): Promise<string> {
  const home = options.home ?? studioHome();
  if (!isAbsolute(target)) throw new EngineError('INVALID_OPTION', `The models folder must be an absolute path (got ${target}).`);
  const to = resolve(target);
  const from = modelsDir(home);
  if (to === from) return to;
  if (to.startsWith(`${from}${sep}`) || from.startsWith(`${to}${sep}`)) throw new EngineError('INVALID_OPTION', `${to} is inside the current models folder (or holds it).`);

  for (const name of await entries(locksDir(home))) {
    const lock = await readLock(name.replace(/\.lock$/, ''), home);
    if (lock && !lock.stale) throw new EngineError('MODEL_LOCKED', `Model "${name.replace(/\.lock$/, '')}" is busy (${lock.activity}, process ${lock.pid}).`, 'Wait for it to finish (or cancel it), then move the folder.');
  }
  const moving = (await entries(from)).filter((n) => n !== '.locks');
  const clash = (await entries(to)).filter((n) => moving.includes(n));
  if (clash.length) throw new EngineError('INVALID_OPTION', `${to} already holds ${clash.join(', ')}.`, 'Choose an empty folder, or remove those first.');

  await mkdir(to, { recursive: true });
  const fromDev = await stat(from).then((s) => s.dev, () => undefined);
  // On the same disk a rename costs no space; across disks everything is copied first.
  if (fromDev !== undefined && fromDev !== (await stat(to)).dev) await ensureFreeSpace(to, await treeBytes(from), 'Moving the models', options.freeSpace);
  for (const name of moving) await moveEntry(join(from, name), join(to, name));

  if (to === defaultModelsDir(home)) await rm(modelsLocationFile(home), { force: true });
  else {
    await mkdir(home, { recursive: true });
    await writeFile(`${modelsLocationFile(home)}.tmp`, JSON.stringify({ modelsDir: to }, null, 2));
    await rename(`${modelsLocationFile(home)}.tmp`, modelsLocationFile(home));
  }
  await rm(join(from, '.locks'), { recursive: true, force: true });
  await rmdir(from).catch(() => undefined); // only if nothing else (not ours) is left in it
  return to;
}
