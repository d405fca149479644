// `npm run models -- list | pull <id> | import <dir> | verify <id> | remove <id> | move <dir>`:
// the model manager from a terminal. Ctrl-C during a pull pauses it (the partial files stay);
// the same command resumes. PURE_STUDIO_HOME and PURE_STUDIO_CATALOG point it elsewhere.
import { EXIT } from './exit-codes';
import { runModels } from './models-command';

const controller = new AbortController();
process.on('SIGINT', () => {
  if (controller.signal.aborted) process.exit(EXIT.CANCELLED);
  process.stderr.write('\nPausing... (Ctrl-C again to quit at once)\n');
  controller.abort();
});

process.exitCode = await runModels(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, signal: controller.signal });
