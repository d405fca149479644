// Adapts Node's child_process.fork to the WorkerChild interface, for hosts outside Electron (the
// HTTP bridge). The same worker entry runs under both: see worker/index.ts.
import { fork } from 'node:child_process';
import type { ExitReason, WorkerChild } from './worker-host';
import { loaderArgsFor } from '../../engine/runtime/tsx-loader';

/**
 * Forks `entry` (worker/index.ts under tsx, or a bundled worker.js). A TypeScript entry needs the
 * tsx loader in the child, which `--import tsx` gives whatever the parent was started with.
 */
export function forkNodeWorker(entry: string, log: (line: string) => void): WorkerChild {
  const child = fork(entry, [], {
    execArgv: loaderArgsFor(entry),
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  child.on('error', (error) => log(`worker process error: ${error.message}`));
  return {
    get pid() {
      return child.pid;
    },
    post: (message) => {
      if (child.connected) child.send(message);
    },
    onMessage: (listener) => void child.on('message', listener),
    onExit: (listener) =>
      void child.on('exit', (code, signal) => {
        // SIGKILL from outside is nearly always the kernel's out-of-memory killer.
        const reason: ExitReason | undefined = signal === 'SIGKILL' ? 'killed' : signal || code !== 0 ? 'crashed' : undefined;
        listener(code ?? 128, reason);
      }),
    kill: () => void child.kill('SIGKILL'),
  };
}
