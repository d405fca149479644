// Adapts Electron's utilityProcess to the small WorkerChild interface WorkerHost works with.
import { utilityProcess } from 'electron';
import type { WorkerChild } from './worker-host';

export function spawnWorker(modulePath: string, log: (line: string) => void): WorkerChild {
  const child = utilityProcess.fork(modulePath, [], {
    serviceName: 'PURE Studio worker',
    // The worker's log lines (prefixed with its pid) end up next to main's.
    stdio: 'inherit',
  });
  child.on('error', (type, location) => log(`worker ${type} at ${location}`));
  return {
    get pid() {
      return child.pid;
    },
    post: (message) => child.postMessage(message),
    onMessage: (listener) => void child.on('message', listener),
    onExit: (listener) => void child.on('exit', listener),
    kill: () => void child.kill(),
  };
}
