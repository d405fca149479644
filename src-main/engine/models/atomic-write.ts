// Small JSON records (sidecars, plans, failures, trust) are written to <name>.tmp and renamed,
// so a reader sees the old or the new record, never half of one. When the write fails (a full
// disk creates the .tmp and then cannot fill it) the .tmp is removed, not left behind empty.
import { rename, rm, writeFile } from 'node:fs/promises';

export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const temp = `${path}.tmp`;
  try {
    await writeFile(temp, data);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
}
