// Whether out/main (electron-vite's main build: the app's main process, its workers and the
// command-line tools) was built from the sources as they are now. The build writes a stamp
// (out/main/build-stamp.json: each source file it bundled, with its size and modification time);
// checking it is one stat per file, a few milliseconds, so every `pure-studio` start can afford it.
// Plain JavaScript: bin/pure-studio.js reads it before anything TypeScript can run.
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';

export const STAMP_NAME = 'build-stamp.json';
/** Not bundled, but they change what the build makes: its config and the installed packages. */
export const BUILD_INPUTS = ['electron.vite.config.ts', 'package.json', 'package-lock.json'];

/**
 * Writes the stamp of a build into `outDir`. `files` are the modules the build read (bundler ids:
 * paths outside `root`, inside node_modules, or not files at all are left out). A file modified
 * after `startedAt` may have changed while it was being read: it is stamped as changed (-1), so the
 * next start builds again rather than trust it.
 */
export function writeStamp(root, outDir, files, startedAt) {
  const paths = new Set(BUILD_INPUTS.map((name) => join(root, name)).filter((path) => existsSync(path)));
  for (const id of files) {
    if (!isAbsolute(id) || id.includes(`${sep}node_modules${sep}`) || relative(root, id).startsWith('..')) continue;
    if (existsSync(id) && statSync(id).isFile()) paths.add(id);
  }
  const entries = [...paths].sort().map((path) => {
    const st = statSync(path);
    return [relative(root, path).split(sep).join('/'), st.size, st.mtimeMs >= startedAt ? -1 : st.mtimeMs];
  });
  writeFileSync(join(outDir, STAMP_NAME), `${JSON.stringify({ version: 1, builtAt: Date.now(), files: entries })}\n`);
}

/**
 * `{ fresh: true }`, or `{ fresh: false, reason }` saying why the build in `<root>/<outDir>` cannot
 * be trusted. A package without sources (src-main/ absent) runs whatever build it carries.
 */
export function buildState(root, outDir = 'out/main') {
  const dir = join(root, outDir);
  if (!existsSync(join(dir, 'cli.js'))) return { fresh: false, reason: 'no build yet' };
  const hasSources = existsSync(join(root, 'src-main'));
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(join(dir, STAMP_NAME), 'utf8'));
  } catch {
    return hasSources ? { fresh: false, reason: 'the build has no stamp' } : { fresh: true };
  }
  if (!hasSources) return { fresh: true };
  if (stamp?.version !== 1 || !Array.isArray(stamp.files)) return { fresh: false, reason: 'the build stamp is unreadable' };
  for (const [path, size, mtimeMs] of stamp.files) {
    let st;
    try {
      st = statSync(join(root, path));
    } catch {
      return { fresh: false, reason: `${path} is gone since the last build` };
    }
    if (st.size !== size || st.mtimeMs !== mtimeMs) return { fresh: false, reason: `${path} changed since the last build` };
  }
  return { fresh: true };
}
