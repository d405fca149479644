// The command-line tools' built entry, out/main/cli.js (electron.vite.config.ts): `cli.js <command>
// [args]` runs that command's module as if it had been started on its own. bin/pure-studio.js starts
// it when the build is fresh, and the sources through tsx otherwise. Only the commands that run
// from a build are here: serve, metrics and eval read files of the source tree (the renderer's
// folder, the NIQE parameters) and always run from the sources.
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
// Each command reads its arguments from process.argv.slice(2), as when started directly.
process.argv = [process.argv[0], process.argv[1], ...args];
await load();
