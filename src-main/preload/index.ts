// The bridge between the sandboxed page and main: one object, `window.pureStudio`, implementing
// the same PureStudioApi as the browser's HTTP client, and nothing of Electron itself (no
// ipcRenderer, no event objects) reaches the page. Job events are checked here before the page
// sees them: done/failed come from main, progress straight from the worker over a MessagePort.
// Built as CommonJS (out/preload/index.cjs): sandboxed preload scripts cannot be ES modules.
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import type { IpcRendererEvent } from 'electron';
import { APP_COMMANDS, IPC_CHANNELS, MEDIA_SCHEME } from '../protocol/api';
import type { AppCommand, LibraryEvent, PhotoItem, PureStudioApi, Reply } from '../protocol/api';
import { parseJobEvent, parseModelEvent } from '../protocol/messages';
import type { JobEvent, ModelEvent } from '../protocol/messages';

/** A rejection carrying an ErrorPayload, which is what the page expects (see PureStudioApi). */
function refuse(message: string): Promise<never> {
  // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
  return Promise.reject({ code: 'INTERNAL', message });
}

/** Invokes a channel and unwraps its Reply: the value, or a rejection with the ErrorPayload. */
async function invoke<T>(channel: string, ...args: unknown[]): Promise<T> {
  const reply = (await ipcRenderer.invoke(channel, ...args)) as Reply<T>;
  // A plain {code, message, hint} object, not an Error: contextBridge keeps only the message of
  // an Error, and the page needs the code to say what to do.
  // eslint-disable-next-line @typescript-eslint/only-throw-error
  if (!reply.ok) throw reply.error;
  return reply.value;
}

const eventListeners = new Set<(event: JobEvent) => void>();

function deliver(raw: unknown, from: string): void {
  let event: JobEvent;
  try {
    event = parseJobEvent(raw);
  } catch (error) {
    console.error(`[preload] dropped a malformed job event from ${from}: ${(error as Error).message}`);
    return;
  }
  for (const listener of eventListeners) listener(event);
}

ipcRenderer.on(IPC_CHANNELS.event, (_event: IpcRendererEvent, payload: unknown) => deliver(payload, 'main'));
// Each (re)started worker sends a fresh port; progress arrives on it without passing through main.
// (A DOM MessagePort; this file is type-checked with Node's types, hence the local shape.)
interface PagePort {
  onmessage: ((message: { data: unknown }) => void) | null;
  close(): void;
}
let progressPort: PagePort | undefined;
ipcRenderer.on(IPC_CHANNELS.progressPort, (event: IpcRendererEvent) => {
  progressPort?.close();
  progressPort = (event as unknown as { ports: readonly PagePort[] }).ports[0];
  if (!progressPort) return;
  progressPort.onmessage = (message) => deliver(message.data, 'the worker');
});

const modelListeners = new Set<(event: ModelEvent) => void>();
ipcRenderer.on(IPC_CHANNELS.modelEvent, (_event: IpcRendererEvent, payload: unknown) => {
  let event: ModelEvent;
  try {
    event = parseModelEvent(payload);
  } catch (error) {
    console.error(`[preload] dropped a malformed model event: ${(error as Error).message}`);
    return;
  }
  for (const listener of modelListeners) listener(event);
});

// Library events come from main only (never from the worker); a light check of their shape keeps
// a stray message from reaching the page's handlers.
const LIBRARY_EVENT_TYPES: ReadonlySet<string> = new Set(['library', 'library-removed', 'library-changed', 'queue', 'queue-finished']);
const libraryListeners = new Set<(event: LibraryEvent) => void>();
ipcRenderer.on(IPC_CHANNELS.libraryEvent, (_event: IpcRendererEvent, payload: unknown) => {
  const type = (payload as { type?: unknown } | null)?.type;
  if (typeof type !== 'string' || !LIBRARY_EVENT_TYPES.has(type)) {
    console.error('[preload] dropped a malformed library event');
    return;
  }
  for (const listener of libraryListeners) listener(payload as LibraryEvent);
});

const api: PureStudioApi = {
  info: () => invoke(IPC_CHANNELS.info),
  loadSettings: () => invoke(IPC_CHANNELS.loadSettings),
  saveSettings: (patch) => invoke(IPC_CHANNELS.saveSettings, patch),
  openDialog: (kind) => invoke(IPC_CHANNELS.openDialog, kind),
  browse: () => refuse('The desktop app uses the system’s file dialog.'),
  openPaths: (paths) => invoke(IPC_CHANNELS.openPaths, paths),

  // Only the preload can turn a dropped File into its path (webUtils), and only for files that
  // really came from the disk: a page cannot forge one, so main may trust these paths.
  openDropped: (files) => {
    const paths = files.map((file) => webUtils.getPathForFile(file as unknown as File)).filter((path) => path !== '');
    return paths.length ? invoke(IPC_CHANNELS.openDropped, paths) : Promise.resolve([]);
  },

  mediaUrl: (path, kind) => `${MEDIA_SCHEME}://${kind}/?path=${encodeURIComponent(path)}`,
  restore: (call) => invoke(IPC_CHANNELS.restore, call),
  estimate: (call) => invoke(IPC_CHANNELS.estimate, call),
  cancel: (jobId) => invoke(IPC_CHANNELS.cancel, jobId),

  onEvent(callback) {
    eventListeners.add(callback);
    return () => {
      eventListeners.delete(callback);
    };
  },

  exportResult: (call) => invoke(IPC_CHANNELS.exportResult, call),
  reveal: (path) => invoke(IPC_CHANNELS.reveal, path),
  setViewing: (viewing) => invoke(IPC_CHANNELS.viewing, viewing),

  onCommand(callback) {
    const listener = (_event: IpcRendererEvent, command: unknown): void => {
      if ((APP_COMMANDS as readonly unknown[]).includes(command)) callback(command as AppCommand);
    };
    ipcRenderer.on(IPC_CHANNELS.command, listener);
    return () => {
      ipcRenderer.removeListener(IPC_CHANNELS.command, listener);
    };
  },

  onOpened(callback) {
    const listener = (_event: IpcRendererEvent, items: unknown): void => {
      if (Array.isArray(items)) callback(items as PhotoItem[]);
    };
    ipcRenderer.on(IPC_CHANNELS.opened, listener);
    return () => {
      ipcRenderer.removeListener(IPC_CHANNELS.opened, listener);
    };
  },

  listModels: () => invoke(IPC_CHANNELS.listModels),
  pullModel: (id) => invoke(IPC_CHANNELS.pullModel, id),
  pauseModel: (id) => invoke(IPC_CHANNELS.pauseModel, id),
  cancelModel: (id) => invoke(IPC_CHANNELS.cancelModel, id),
  verifyModel: (id) => invoke(IPC_CHANNELS.verifyModel, id),
  removeModel: (id) => invoke(IPC_CHANNELS.removeModel, id),
  // The system dialog chooses the folder: a path from the page is never used.
  importModel: () => invoke(IPC_CHANNELS.importModel),
  moveModelsFolder: () => invoke(IPC_CHANNELS.moveModelsFolder),
  onModelEvent(callback) {
    modelListeners.add(callback);
    return () => {
      modelListeners.delete(callback);
    };
  },

  library: () => invoke(IPC_CHANNELS.library),
  restorePhotos: (call) => invoke(IPC_CHANNELS.restorePhotos, call),
  restoreAll: (call) => invoke(IPC_CHANNELS.restoreAll, call),
  pauseQueue: (paused) => invoke(IPC_CHANNELS.pauseQueue, paused),
  retryFailed: () => invoke(IPC_CHANNELS.retryFailed),
  cancelPhotos: (ids) => invoke(IPC_CHANNELS.cancelPhotos, ids),
  movePhoto: (id, toIndex) => invoke(IPC_CHANNELS.movePhoto, id, toIndex),
  removePhotos: (ids) => invoke(IPC_CHANNELS.removePhotos, ids),
  setPhotoOverrides: (id, overrides) => invoke(IPC_CHANNELS.setPhotoOverrides, id, overrides),
  // The desktop app chooses the output folder with the system dialog when the page gives none.
  setLibrarySettings: (patch) => invoke(IPC_CHANNELS.setLibrarySettings, patch),
  saveAllRestored: () => invoke(IPC_CHANNELS.saveAllRestored),
  onLibraryEvent(callback) {
    libraryListeners.add(callback);
    return () => {
      libraryListeners.delete(callback);
    };
  },
};

contextBridge.exposeInMainWorld('pureStudio', api);
