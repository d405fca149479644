// Where PURE Studio keeps its data. PURE_STUDIO_HOME overrides everything (tests, portable
// installs, advanced users); otherwise the platform's usual per-user data folder. The models
// folder may be moved elsewhere (a bigger disk): that choice is kept in <home>/models-location.json.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

export function studioHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PURE_STUDIO_HOME) return env.PURE_STUDIO_HOME;
  const home = homedir();
  switch (process.platform) {
    case 'win32':
      return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'PURE Studio');
    case 'darwin':
      return join(home, 'Library', 'Application Support', 'PURE Studio');
    default:
      return join(env.XDG_DATA_HOME ?? join(home, '.local', 'share'), 'pure-studio');
  }
}

export const modelsLocationFile = (home = studioHome()): string => join(home, 'models-location.json');

/** The user's chosen models folder, if any (a damaged or relative setting is ignored). */
export function customModelsDir(home = studioHome()): string | undefined {
  try {
    const json = JSON.parse(readFileSync(modelsLocationFile(home), 'utf8')) as { modelsDir?: unknown };
    return typeof json.modelsDir === 'string' && isAbsolute(json.modelsDir) ? json.modelsDir : undefined;
  } catch {
    return undefined;
  }
}

export const defaultModelsDir = (home = studioHome()): string => join(home, 'models');
export const modelsDir = (home = studioHome()): string => customModelsDir(home) ?? defaultModelsDir(home);
export const cacheDir = (home = studioHome()): string => join(home, 'cache');
/** Partial and finished downloads, one folder per model; on the same disk as the models. */
export const downloadsDir = (home = studioHome()): string => join(modelsDir(home), '.downloads');
/** One lock file per model being installed or removed. */
export const locksDir = (home = studioHome()): string => join(modelsDir(home), '.locks');
/** sha256 of files trusted on first use, one record per URL. Kept when a model is removed. */
export const trustDir = (home = studioHome()): string => join(home, 'trusted-downloads');
