// Builds electron-vite's main target alone (the app's main process, its workers and the
// command-line tools: out/main/cli.js), exactly as `electron-vite build` builds it, in ~2 s instead
// of the whole app's build. bin/pure-studio.js runs it when the sources changed since the last build.
// Plain JavaScript (node scripts/build-main.mjs [--out-dir out/main]): it must run without tsx.
// Built beside the target, then swapped in with renames, so that a command starting meanwhile sees
// either the old build or the new one, never half of one.
import { existsSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const at = process.argv.indexOf('--out-dir');
const target = resolve(root, at > 0 ? process.argv[at + 1] : 'out/main');
// Inside the project, so that the bundle's bare imports (sharp, onnxruntime-node) resolve from
// node_modules wherever the folder ends up.
const building = join(root, 'out', `.main-building-${process.pid}`);

process.env.NODE_ENV_ELECTRON_VITE = 'production'; // as `electron-vite build` sets it
const { resolveConfig } = await import('electron-vite');
const { build } = await import('vite');
try {
  const config = await resolveConfig({ root, logLevel: 'warn' }, 'build', 'production');
  const main = config.config?.main;
  if (!main?.build) throw new Error('electron.vite.config.ts has no main target');
  main.build.outDir = building;
  main.build.emptyOutDir = true;
  await build(main);
  swapIn(building, target);
} finally {
  rmSync(building, { recursive: true, force: true });
}

/** `from` takes `to`'s place; the old `to` is removed afterwards. */
function swapIn(from, to) {
  const olds = [];
  for (let attempt = 0; ; attempt++) {
    try {
      if (existsSync(to)) {
        olds.push(`${to}.old-${process.pid}-${attempt}`);
        renameSync(to, olds.at(-1));
      }
      renameSync(from, to);
      break;
    } catch (error) {
      // Another build swapped its folder in between our two renames: try again (a few times).
      if (attempt >= 5 || !['ENOTEMPTY', 'EEXIST', 'ENOENT'].includes(error.code)) throw error;
    }
  }
  for (const old of olds) rmSync(old, { recursive: true, force: true });
}
