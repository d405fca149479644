// Progress outside the page: a direct MessagePort from the worker to the page for the stream of
// progress events (main never relays them), and the taskbar / dock progress while a job runs.
import { MessageChannelMain } from 'electron';
import type { BrowserWindow } from 'electron';
import { IPC_CHANNELS } from '../protocol/api';
import type { JobEvent } from '../protocol/messages';
import type { ElectronWorkerChild } from './spawn-worker';

export class ProgressPorts {
  private worker: ElectronWorkerChild | undefined;

  constructor(private readonly getWindow: () => BrowserWindow | undefined) {}

  /** A new worker started: connect it to the page. */
  workerStarted(worker: ElectronWorkerChild): void {
    this.worker = worker;
    this.connect();
  }

  /** The page (re)loaded: it needs a port of its own. */
  pageLoaded(): void {
    this.connect();
  }

  private connect(): void {
    const window = this.getWindow();
    if (!this.worker || !window || window.isDestroyed()) return;
    const { port1, port2 } = new MessageChannelMain();
    this.worker.attachProgressPort(port1);
    window.webContents.postMessage(IPC_CHANNELS.progressPort, null, [port2]);
  }
}

/** The taskbar button (Windows, Linux) or dock icon (macOS) shows how far the running job is. */
export function showTaskbarProgress(window: BrowserWindow | undefined, event: JobEvent, activeJobs: number): void {
  if (!window || window.isDestroyed()) return;
  if (event.type === 'progress') window.setProgressBar(event.progress.fraction);
  else if (activeJobs > 0) window.setProgressBar(2); // > 1: indeterminate, the next job is starting
  else if (event.type === 'failed' && event.error.code !== 'CANCELLED') window.setProgressBar(1, { mode: 'error' });
  else window.setProgressBar(-1);
}
