// Worker process entry: the job loop wired to its parent and to the engine. Inference runs here
// so a crash or an out-of-memory takes down this process, not the window or the bridge.
// Two parents are possible: Electron's utilityProcess.fork (process.parentPort, which can also
// hand over MessagePorts on which progress goes straight to a page), and Node's child_process.fork
// (process.send / 'message'), which the HTTP bridge and the tests use.
import { closeEngines, Restorer, restoreImage } from '../engine/restore/restore';
import type { WorkerEvent } from '../protocol/messages';
import { startJobLoop } from './job-loop';
import type { JobPort } from './job-loop';

/** The parts of Electron's ParentPort and MessagePortMain used here; typed locally so this file
 * never loads electron. */
interface PortLike {
  postMessage(message: unknown): void;
  on(event: 'close', listener: () => void): unknown;
  start(): void;
}
interface ParentPortLike {
  on(event: 'message', listener: (event: { data: unknown; ports?: PortLike[] }) => void): unknown;
  postMessage(message: unknown): void;
}

const tag = `[worker ${process.pid}]`;
const log = (line: string): void => console.error(`${tag} ${line}`);

/** Pages that asked for progress directly (Electron only). */
const progressPorts = new Set<PortLike>();

function attachProgressPort(port: PortLike): void {
  progressPorts.add(port);
  port.on('close', () => progressPorts.delete(port));
  port.start();
}

function streamProgress(message: WorkerEvent): void {
  if (message.type !== 'progress') return;
  for (const port of progressPorts) port.postMessage(message);
}

function connect(): JobPort {
  const parentPort = (process as unknown as { parentPort?: ParentPortLike | null }).parentPort;
  if (parentPort) {
    return {
      post: (message) => {
        parentPort.postMessage(message);
        streamProgress(message);
      },
      onMessage: (handler) =>
        void parentPort.on('message', ({ data, ports }) => {
          const port = ports?.[0];
          if (port && (data as { type?: unknown } | null)?.type === 'attach-progress-port') attachProgressPort(port);
          handler(data);
        }),
    };
  }
  if (process.send) {
    // The parent going away closes the channel: nobody is left to report to.
    process.on('disconnect', () => process.exit(0));
    return { post: (message) => void process.send?.(message), onMessage: (handler) => void process.on('message', handler) };
  }
  log('not started as a worker (no Electron parent port and no Node IPC channel)');
  process.exit(1);
}

// Estimates load no model, so they need none of the shared restorer's caches.
const estimator = new Restorer();

startJobLoop(connect(), {
  restore: restoreImage,
  estimate: (input, options) => estimator.estimate(input, options),
  log,
  onShutdown: async () => {
    await closeEngines();
    process.exit(0);
  },
});
