// The page's requests, as IPC handlers over StudioHost. Only the app's own window may call them,
// every argument is checked (StudioHost parses each call), and errors go back as data.
import { basename, dirname, extname, join } from 'node:path';
import { app, dialog, ipcMain, nativeTheme, Notification, shell } from 'electron';
import type { BrowserWindow, IpcMainInvokeEvent } from 'electron';
import { toErrorPayload } from '../engine/common/errors';
import { IPC_CHANNELS, OUTPUT_FORMAT_IDS } from '../protocol/api';
import type { OutputFormatId, PhotoItem, Reply } from '../protocol/api';
import type { JobEvent } from '../protocol/messages';
import { EXTENSION_OF } from '../worker/host/export';
import { PHOTO_EXTENSION_LIST } from '../worker/host/library';
import type { StudioHost } from '../worker/host/studio-host';

type Handler = (window: BrowserWindow, ...args: unknown[]) => unknown;

/**
 * `afterOpen` runs whenever photos were opened (the recent-files menu changes); `onViewing` when
 * the page says whether a photo is on show (the menu's zoom and comparison items).
 */
export function registerIpc(
  host: StudioHost,
  getWindow: () => BrowserWindow | undefined,
  afterOpen: () => void,
  onViewing: (viewing: boolean) => void = () => {},
): void {
  /** Registers a handler that answers only the app's window, with a Reply either way. */
  function handle(channel: string, handler: Handler): void {
    ipcMain.handle(channel, async (event: IpcMainInvokeEvent, ...args: unknown[]): Promise<Reply<unknown>> => {
      const window = getWindow();
      if (!window || event.sender !== window.webContents) return { ok: false, error: { code: 'INTERNAL', message: 'Request from an unknown page.' } };
      try {
        return { ok: true, value: (await handler(window, ...args)) ?? null };
      } catch (error) {
        return { ok: false, error: toErrorPayload(error) };
      }
    });
  }

  const opened = (items: PhotoItem[], paths: string[]): PhotoItem[] => {
    for (const path of paths) app.addRecentDocument(path);
    afterOpen();
    return items;
  };

  handle(IPC_CHANNELS.info, () => host.info());
  handle(IPC_CHANNELS.loadSettings, () => host.loadSettings());
  handle(IPC_CHANNELS.saveSettings, async (_w, patch) => {
    const settings = await host.saveSettings(patch);
    nativeTheme.themeSource = settings.theme; // the window frame and system dialogs follow the page
    return settings;
  });

  handle(IPC_CHANNELS.openDialog, async (window, kind) => {
    const folder = kind === 'folder';
    const result = await dialog.showOpenDialog(window, {
      title: folder ? 'Open a folder of photos' : 'Open photos',
      properties: folder ? ['openDirectory'] : ['openFile', 'multiSelections'],
      filters: folder ? undefined : [{ name: 'Photos', extensions: PHOTO_EXTENSION_LIST }],
    });
    if (result.canceled || result.filePaths.length === 0) return [];
    return opened(await host.open(result.filePaths, 'os'), result.filePaths);
  });

  // From the page, only paths already on the recent list are opened: anything else must come
  // through a dialog or a drop, which the page cannot fake.
  handle(IPC_CHANNELS.openPaths, async (_w, paths) => opened(await host.open(paths, 'recent'), []));
  handle(IPC_CHANNELS.openDropped, async (_w, paths) => opened(await host.open(paths, 'os'), Array.isArray(paths) ? (paths as string[]) : []));

  handle(IPC_CHANNELS.restore, (_w, call) => host.restore(call));
  handle(IPC_CHANNELS.estimate, (_w, call) => host.estimate(call));
  handle(IPC_CHANNELS.cancel, (_w, jobId) => host.cancel(jobId));

  handle(IPC_CHANNELS.exportResult, async (window, call) => {
    const request = call as { original?: unknown; format?: unknown };
    const format: OutputFormatId = OUTPUT_FORMAT_IDS.includes(request.format as OutputFormatId) ? (request.format as OutputFormatId) : 'png';
    const original = typeof request.original === 'string' ? request.original : '';
    const ext = EXTENSION_OF[format];
    const result = await dialog.showSaveDialog(window, {
      title: 'Save the restored photo',
      defaultPath: original ? join(dirname(original), `${basename(original, extname(original))}-restored${ext}`) : undefined,
      filters: [{ name: format.toUpperCase(), extensions: [ext.slice(1)] }],
      properties: ['showOverwriteConfirmation', 'createDirectory'],
    });
    if (result.canceled || !result.filePath) return undefined;
    // The system dialog already asked before replacing a file; the original is refused regardless.
    return host.exportResult(call, result.filePath);
  });

  handle(IPC_CHANNELS.viewing, (_w, viewing) => onViewing(viewing === true));
  handle(IPC_CHANNELS.reveal, async (_w, path) => {
    const real = await host.revealable(path);
    shell.showItemInFolder(real);
  });

  registerModelIpc(host, handle, getWindow);
  registerLibraryIpc(host, handle, getWindow);
}

/**
 * The photo library. The output folder comes only from the system dialog: when the page asks to
 * change it, the dialog opens at the folder it named, and the folder chosen there is used.
 */
function registerLibraryIpc(host: StudioHost, handle: (channel: string, handler: Handler) => void, getWindow: () => BrowserWindow | undefined): void {
  const library = host.library;
  handle(IPC_CHANNELS.library, () => library.snapshot());
  handle(IPC_CHANNELS.restorePhotos, (_w, call) => library.restorePhotos(call));
  handle(IPC_CHANNELS.restoreAll, (_w, call) => library.restoreAll(call));
  handle(IPC_CHANNELS.pauseQueue, (_w, paused) => library.pause(paused));
  handle(IPC_CHANNELS.retryFailed, () => library.retryFailed());
  handle(IPC_CHANNELS.cancelPhotos, (_w, ids) => library.cancel(ids));
  handle(IPC_CHANNELS.movePhoto, (_w, id, toIndex) => library.move(id, toIndex));
  handle(IPC_CHANNELS.removePhotos, (_w, ids) => library.remove(ids));
  handle(IPC_CHANNELS.setPhotoOverrides, (_w, id, overrides) => library.setOverrides(id, overrides));
  handle(IPC_CHANNELS.setLibrarySettings, async (window, patch) => {
    const asked = typeof patch === 'object' && patch !== null ? (patch as Record<string, unknown>) : {};
    const { outputFolder: named, ...rest } = asked;
    if (named === undefined) return library.setSettings(rest, true);
    const result = await dialog.showOpenDialog(window, {
      title: 'Choose the folder for restored photos',
      defaultPath: typeof named === 'string' ? named : undefined,
      properties: ['openDirectory', 'createDirectory'],
    });
    const chosen = result.canceled ? undefined : result.filePaths[0];
    return library.setSettings(chosen === undefined ? rest : { ...rest, outputFolder: chosen }, true);
  });
  handle(IPC_CHANNELS.saveAllRestored, () => library.saveAllRestored());
  library.onEvent((event) => {
    const window = getWindow();
    if (window && !window.isDestroyed()) window.webContents.send(IPC_CHANNELS.libraryEvent, event);
    // A queue left running overnight: the person hears it ended even with the window hidden.
    if (event.type === 'queue-finished' && Notification.isSupported()) {
      const failed = event.failed ? `, ${event.failed} failed` : '';
      new Notification({ title: 'PURE Studio: the queue is finished', body: `${event.restored} photos restored${failed}.` }).show();
    }
  });
}

/**
 * The Models page. Folders come only from the system dialog, never from the page; a pull or a
 * verify runs on after the reply, and its events follow on their own channel.
 */
function registerModelIpc(host: StudioHost, handle: (channel: string, handler: Handler) => void, getWindow: () => BrowserWindow | undefined): void {
  const models = host.models;
  const chooseFolder = async (window: BrowserWindow, title: string): Promise<string | undefined> => {
    const result = await dialog.showOpenDialog(window, { title, properties: ['openDirectory', 'createDirectory'] });
    return result.canceled ? undefined : result.filePaths[0];
  };
  handle(IPC_CHANNELS.listModels, () => models.overview());
  handle(IPC_CHANNELS.pullModel, (_w, id) => void models.pull(id));
  handle(IPC_CHANNELS.pauseModel, (_w, id) => models.pause(id));
  handle(IPC_CHANNELS.cancelModel, (_w, id) => models.cancel(id));
  handle(IPC_CHANNELS.verifyModel, (_w, id) => void models.verify(id));
  handle(IPC_CHANNELS.removeModel, (_w, id) => models.remove(id));
  handle(IPC_CHANNELS.importModel, async (window) => {
    const folder = await chooseFolder(window, 'Import a model from a folder');
    return folder === undefined ? undefined : models.import(folder);
  });
  handle(IPC_CHANNELS.moveModelsFolder, async (window) => {
    const folder = await chooseFolder(window, 'Move the models folder');
    return folder === undefined ? undefined : models.moveFolder(folder);
  });
  models.onEvent((event) => {
    const window = getWindow();
    if (window && !window.isDestroyed()) window.webContents.send(IPC_CHANNELS.modelEvent, event);
  });
}

/** Ends of jobs go to the page over IPC; progress goes over the worker's port (see progress-port.ts). */
export function sendJobEvent(window: BrowserWindow | undefined, event: JobEvent): void {
  if (event.type === 'progress') return;
  if (window && !window.isDestroyed()) window.webContents.send(IPC_CHANNELS.event, event);
}

export function sendOpened(window: BrowserWindow | undefined, items: PhotoItem[]): void {
  if (window && !window.isDestroyed() && items.length) window.webContents.send(IPC_CHANNELS.opened, items);
}
