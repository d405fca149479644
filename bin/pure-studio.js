#!/usr/bin/env node
// `pure-studio <command> [args]` (also `npx pure-studio`): the command-line tools from any folder.
// Relative paths mean the folder the command was typed in; the tools run from this package's
// sources through tsx, whose loader is registered here by absolute path.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

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

const [command, ...args] = process.argv.slice(2);
const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'src-main', 'cli');
if (!command || command === '-h' || command === '--help' || !(command in COMMANDS)) {
  const known = Object.keys(COMMANDS).join(', ');
  process.stderr.write(`${command && command !== '-h' && command !== '--help' ? `error INVALID_OPTION: unknown command "${command}".\n` : ''}Usage: pure-studio <command> [options]\n  commands: ${known}\n  pure-studio restore --help   shows the restore options\n`);
  process.exit(command && command !== '-h' && command !== '--help' ? 2 : 0);
}
process.env.PURE_STUDIO_CWD ??= process.cwd();
register();
process.argv = [process.argv[0], join(cli, COMMANDS[command]), ...args];
await import(join(cli, COMMANDS[command]));
