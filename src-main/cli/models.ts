// `npm run models -- list | pull <id> | import <dir> | verify <id> | remove <id> | move <dir>`:
// the model manager from a terminal. Ctrl-C during a pull pauses it (the partial files stay);
// the same command resumes. PURE_STUDIO_HOME and PURE_STUDIO_CATALOG point it elsewhere.
import { abortOnCtrlC } from './interrupt';
import { runModels } from './models-command';

const signal = abortOnCtrlC('Pausing');

process.exitCode = await runModels(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, signal });
