// The command-line tools' built entry, out/main/cli.js (electron.vite.config.ts): `cli.js <command>
// [args]` runs that command's module as if it had been started on its own. bin/pure-studio.js starts
// it when the build is fresh, and the sources through tsx otherwise. Only the commands that run
// from a build are here: serve, metrics and eval read files of the source tree (the renderer's
// folder, the NIQE parameters) and always run from the sources.
import { prewarmWorker } from '../engine/runtime/inference-worker';
import { EXIT } from './exit-codes';

const COMMANDS: Record<string, () => Promise<unknown>> = {
  restore: () => import('./restore'),
  models: () => import('./models'),
  convert: () => import('./convert'),
  providers: () => import('./providers'),
  perceive: () => import('./perceive'),
};

const [command = '', ...args] = process.argv.slice(2);
const load = COMMANDS[command];
if (!load) {
  process.stderr.write(`error INVALID_OPTION: "${command}" is not a built command (${Object.keys(COMMANDS).join(', ')}).\n`);
  process.exit(EXIT.USAGE);
}
/** A restore that will load a Real-ESRGAN model: not help, not an estimate, not PURE (its own process). */
function willUpscale(argv: readonly string[]): boolean {
  const engine = argv.find((a, i) => argv[i - 1] === '--engine') ?? argv.find((a) => a.startsWith('--engine='))?.slice('--engine='.length);
  return !argv.some((a) => a === '--help' || a === '-h' || a === '--estimate') && engine !== 'pure';
}
// The inference process starts now, while the command's modules load and the photo decodes.
if (command === 'restore' && willUpscale(args)) prewarmWorker();
// Each command reads its arguments from process.argv.slice(2), as when started directly.
process.argv = [process.argv[0], process.argv[1], ...args];
await load();
