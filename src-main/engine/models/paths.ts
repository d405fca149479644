// Where PURE Studio keeps its data. PURE_STUDIO_HOME overrides everything (tests, portable
// installs, advanced users); otherwise the platform's usual per-user data folder.
import { homedir } from 'node:os';
import { join } from 'node:path';

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

export const modelsDir = (home = studioHome()): string => join(home, 'models');
export const cacheDir = (home = studioHome()): string => join(home, 'cache');
