// The renderer's requests, as IPC handlers. Only the app's own window may call them, every
// argument is checked (WorkerHost validates restore requests), and errors go back as data.
import { dialog, ipcMain } from 'electron';
import type { BrowserWindow, IpcMainInvokeEvent } from 'electron';
import { toErrorPayload } from '../engine/common/errors';
import { IPC_CHANNELS } from '../protocol/api';
import type { RestoreReply } from '../protocol/api';
import type { JobEvent } from '../protocol/messages';
import type { WorkerHost } from './worker-host';

/** What the file dialog offers: the formats the engine decodes. */
const PHOTO_EXTENSIONS = ['jpg', 'jpeg', 'png', 'webp', 'tif', 'tiff', 'avif', 'gif', 'heic', 'heif'];

export function registerIpc(host: WorkerHost, getWindow: () => BrowserWindow | undefined): void {
  function trustedWindow(event: IpcMainInvokeEvent): BrowserWindow {
    const window = getWindow();
    if (!window || event.sender !== window.webContents) throw new Error('IPC from an unknown sender');
    return window;
  }

  ipcMain.handle(IPC_CHANNELS.openPhoto, async (event): Promise<string | undefined> => {
    const result = await dialog.showOpenDialog(trustedWindow(event), {
      title: 'Open a photo',
      properties: ['openFile'],
      filters: [{ name: 'Photos', extensions: PHOTO_EXTENSIONS }],
    });
    return result.canceled ? undefined : result.filePaths[0];
  });

  ipcMain.handle(IPC_CHANNELS.restore, (event, input: unknown, output: unknown, options: unknown): RestoreReply => {
    trustedWindow(event);
    try {
      return { ok: true, jobId: host.restore(input, output, options) };
    } catch (error) {
      return { ok: false, error: toErrorPayload(error) };
    }
  });

  ipcMain.handle(IPC_CHANNELS.cancel, (event, jobId: unknown): void => {
    trustedWindow(event);
    if (typeof jobId === 'string') host.cancel(jobId);
  });
}

export function sendJobEvent(window: BrowserWindow | undefined, event: JobEvent): void {
  if (window && !window.isDestroyed()) window.webContents.send(IPC_CHANNELS.event, event);
}
