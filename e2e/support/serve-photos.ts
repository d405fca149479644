// The usual e2e setup: a temp folder of the test photos, a temp state folder, and `npm run serve`
// over them; close() stops the server and removes both folders.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTestPhotos } from './photos';
import type { TestPhotos } from './photos';
import { startServe } from './serve';
import type { Served } from './serve';

export interface PhotoServer {
  served: Served;
  /** The folder the page may open photos from. */
  root: string;
  /** The host's own folder (settings.json, results). */
  state: string;
  photos: TestPhotos;
  close(): Promise<void>;
}

/** `name` tells the temp folders of one spec from another's. */
export async function servePhotos(name: string): Promise<PhotoServer> {
  const root = mkdtempSync(join(tmpdir(), `pure-e2e-${name}-root-`));
  const state = mkdtempSync(join(tmpdir(), `pure-e2e-${name}-state-`));
  const photos = await makeTestPhotos(root);
  const served = await startServe(root, state);
  return {
    served,
    root,
    state,
    photos,
    async close() {
      await served.stop();
      rmSync(root, { recursive: true, force: true });
      rmSync(state, { recursive: true, force: true });
    },
  };
}
