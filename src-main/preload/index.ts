// The bridge between the sandboxed page and main: one object, `window.pureStudio`, and nothing
// of Electron itself (no ipcRenderer, no event objects) reaches the page.
// Built as CommonJS (out/preload/index.cjs): sandboxed preload scripts cannot be ES modules.
import { contextBridge, ipcRenderer } from 'electron';
import type { IpcRendererEvent } from 'electron';
import { IPC_CHANNELS } from '../protocol/api';
import type { PureStudioApi, RestoreReply } from '../protocol/api';
import type { JobEvent } from '../protocol/messages';

/** The app's version, written in at build time (electron.vite.config.ts): a sandboxed preload
 * cannot read package.json. */
declare const __PURE_VERSION__: string;

const api: PureStudioApi = {
  version: __PURE_VERSION__,

  openPhoto: () => ipcRenderer.invoke(IPC_CHANNELS.openPhoto) as Promise<string | undefined>,

  async restore(input, output, options) {
    const reply = (await ipcRenderer.invoke(IPC_CHANNELS.restore, input, output, options)) as RestoreReply;
    // A plain {code, message, hint} object, not an Error: contextBridge keeps only the message of
    // an Error, and the page needs the code to say what to do.
    // eslint-disable-next-line @typescript-eslint/only-throw-error
    if (!reply.ok) throw reply.error;
    return reply.jobId;
  },

  async cancel(jobId) {
    await ipcRenderer.invoke(IPC_CHANNELS.cancel, jobId);
  },

  onEvent(callback) {
    const listener = (_event: IpcRendererEvent, payload: JobEvent): void => callback(payload);
    ipcRenderer.on(IPC_CHANNELS.event, listener);
    return () => {
      ipcRenderer.removeListener(IPC_CHANNELS.event, listener);
    };
  },
};

contextBridge.exposeInMainWorld('pureStudio', api);
