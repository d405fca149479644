// Utility-process entry (Electron's utilityProcess.fork of out/main/worker.js): the job loop
// wired to the parent port and the engine. Inference runs here so a crash or an out-of-memory
// takes down this process, not the window.
import { closeEngines, restoreImage } from '../engine/restore/restore';
import { startJobLoop } from './job-loop';

/** The part of Electron's ParentPort used here; typed locally so this file never loads electron. */
interface ParentPortLike {
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  postMessage(message: unknown): void;
}

const tag = `[worker ${process.pid}]`;
const parentPort = (process as unknown as { parentPort?: ParentPortLike | null }).parentPort;
if (!parentPort) {
  console.error(`${tag} not started as an Electron utility process (process.parentPort is missing)`);
  process.exit(1);
}

startJobLoop(
  { post: (message) => parentPort.postMessage(message), onMessage: (handler) => parentPort.on('message', (event) => handler(event.data)) },
  {
    restore: restoreImage,
    log: (line) => console.error(`${tag} ${line}`),
    onShutdown: async () => {
      await closeEngines();
      process.exit(0);
    },
  },
);
