// Installs a model folder atomically: it is filled under a hidden staging name in the models
// folder (same disk), then swapped in with renames, so a reader sees the old model or the new
// one, never half of either. The manifest, written last by `fill`, marks a folder complete.
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { EngineError } from '../common/errors';
import { modelDir } from './model-store';
import { modelsDir } from './paths';
import { GUI_HINTS } from './gui-hints';

export async function publishModel(id: string, home: string, fill: (staging: string) => Promise<void>, retryHint = 'Free some space and try again.'): Promise<void> {
  const root = modelsDir(home);
  await mkdir(root, { recursive: true });
  const staging = await mkdtemp(join(root, `.${id}.staging-`));
  const final = modelDir(id, home);
  const old = `${staging}.old`;
  try {
    await fill(staging);
    await rename(final, old).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
    await rename(staging, final);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOSPC') {
      throw new EngineError('DISK_FULL', `The disk is full: model "${id}" could not be installed.`, retryHint, { gui: { hint: GUI_HINTS.freeSpace } });
    }
    throw error;
  } finally {
    await rm(staging, { recursive: true, force: true });
    await rm(old, { recursive: true, force: true });
  }
}
