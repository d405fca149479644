// Adapts Electron's utilityProcess to the WorkerChild interface WorkerHost works with, and lets
// main hand the worker MessagePorts on which it streams progress straight to the page.
import { app, utilityProcess } from 'electron';
import type { MessagePortMain } from 'electron';
import type { ExitReason, WorkerChild } from '../worker/host/worker-host';

export const WORKER_SERVICE_NAME = 'PURE Studio worker';

export interface ElectronWorkerChild extends WorkerChild {
  /** Gives the worker one end of a channel; it posts every progress event on it. */
  attachProgressPort(port: MessagePortMain): void;
}

/** Electron reports why a child died (oom, crashed...) in an app event, apart from 'exit'. */
let lastGone: { reason: string; at: number } | undefined;
app.on('child-process-gone', (_event, details) => {
  if (details.type === 'Utility' && details.serviceName === WORKER_SERVICE_NAME) lastGone = { reason: details.reason, at: Date.now() };
});

function exitReason(code: number): ExitReason | undefined {
  const gone = lastGone && Date.now() - lastGone.at < 2000 ? lastGone.reason : undefined;
  if (gone === 'oom') return 'oom';
  if (gone === 'killed') return 'killed';
  return code === 0 ? undefined : 'crashed';
}

export function spawnWorker(modulePath: string, log: (line: string) => void): ElectronWorkerChild {
  const child = utilityProcess.fork(modulePath, [], {
    serviceName: WORKER_SERVICE_NAME,
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
    // 'child-process-gone' may come just after 'exit': wait a moment to learn the reason.
    onExit: (listener) => void child.on('exit', (code) => setTimeout(() => listener(code, exitReason(code)), 100)),
    kill: () => void child.kill(),
    attachProgressPort: (port) => child.postMessage({ type: 'attach-progress-port' }, [port]),
  };
}
