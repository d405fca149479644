#!/usr/bin/env node
// `pure-studio <command> [args]` (also `npx pure-studio`, and `npm run restore`): the command-line
// tools from any folder. Relative paths mean the folder the command was typed in.
// The tools run from the build (out/main/cli.js, the main target of electron-vite's build, the
// one the app ships): no TypeScript is compiled at start. When the sources changed since that build
// (build-state.js compares them with the build's stamp), it is rebuilt first (~2 s, one line
// says so); if that fails, or PURE_STUDIO_FROM_SOURCE=1, the sources run through tsx instead.
// serve, metrics and eval read files of the source tree and always run from the sources.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildState } from './build-state.js';

const COMMANDS = {
  restore: 'restore.ts',
  models: 'models.ts',
  convert: 'convert.ts',
  serve: 'serve.ts',
  providers: 'providers.ts',
  perceive: 'perceive.ts',
  metrics: 'metrics.ts',
  eval: 'eval.ts',
};
/** The commands in out/main/cli.js (src-main/cli/main.ts). */
const BUILT = new Set(['restore', 'models', 'convert', 'providers', 'perceive']);

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [command, ...args] = process.argv.slice(2);
if (!command || command === '-h' || command === '--help' || !(command in COMMANDS)) {
  const known = Object.keys(COMMANDS).join(', ');
  process.stderr.write(`${command && command !== '-h' && command !== '--help' ? `error INVALID_OPTION: unknown command "${command}".\n` : ''}Usage: pure-studio <command> [options]\n  commands: ${known}\n  pure-studio restore --help   shows the restore options\n`);
  process.exit(command && command !== '-h' && command !== '--help' ? 2 : 0);
}
// `npm run restore` starts this in the package's folder and keeps the caller's in INIT_CWD, which
// callerCwd() reads; anyone else typed the command where they are.
if (!(process.env.npm_lifecycle_event && process.env.INIT_CWD)) process.env.PURE_STUDIO_CWD ??= process.cwd();

const note = (line) => process.stderr.write(`pure-studio: ${line}\n`);

/** out/main/cli.js when it is (or could be made) as new as the sources; undefined for tsx. */
function freshBuild() {
  const cli = join(root, 'out', 'main', 'cli.js');
  const state = buildState(root);
  if (state.fresh) return cli;
  if (!existsSync(join(root, 'scripts', 'build-main.mjs'))) {
    note(`${state.reason}, and nothing here can build it: running from the sources (tsx).`);
    return undefined;
  }
  note(`${state.reason}: building the command-line tools first (out/main, a few seconds)...`);
  const built = spawnSync(process.execPath, [join(root, 'scripts', 'build-main.mjs')], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const after = buildState(root);
  if (built.status === 0 && after.fresh) return cli;
  const why = built.status !== 0 ? `the build failed: ${(built.stderr || built.error?.message || '').trim().split('\n').find((l) => l.trim()) ?? `exit ${built.status}`}` : after.reason;
  note(`${why}; running from the sources (tsx).`);
  return undefined;
}

const cli = BUILT.has(command) && process.env.PURE_STUDIO_FROM_SOURCE !== '1' ? freshBuild() : undefined;
if (cli) {
  process.argv = [process.argv[0], cli, command, ...args];
  await import(pathToFileURL(cli).href);
} else {
  // tsx's loader, registered here by absolute path (a devDependency: a checkout has it).
  const { register } = await import('tsx/esm/api').catch(() => {
    process.stderr.write('error INTERNAL: neither a current build (out/main) nor tsx to run the sources is here.\n  Run `npm install` in the project folder, then try again.\n');
    process.exit(1);
  });
  const source = join(root, 'src-main', 'cli', COMMANDS[command]);
  register();
  process.argv = [process.argv[0], source, ...args];
  await import(pathToFileURL(source).href);
}
