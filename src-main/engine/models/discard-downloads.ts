// Cancelling a pull from the app: unlike a pause, the user does not want the bytes that arrived.
// Only the download folder goes (partial files, sidecars, finished originals); a model already
// installed is never touched, even if the cancel lost a race with the pull's last step.
import { rm, stat } from 'node:fs/promises';
import { acquireModelLock } from './model-lock';
import { studioHome } from './paths';
import { downloadDirFor } from './pull';

/** Deletes `<models>/.downloads/<id>/` under the model's lock; resolves to whether it existed. */
export async function discardDownloads(id: string, options: { home?: string; wait?: boolean; signal?: AbortSignal } = {}): Promise<boolean> {
  const home = options.home ?? studioHome();
  const dir = downloadDirFor(id, home);
  if (!(await stat(dir).then(() => true, () => false))) return false;
  // The lock keeps this from deleting files another instance is writing right now.
  const lock = await acquireModelLock(id, { home, activity: 'removing', wait: options.wait, signal: options.signal });
  try {
    await rm(dir, { recursive: true, force: true });
    return true;
  } finally {
    await lock.release();
  }
}
