// The one app window, with Electron's secure defaults spelled out so a reader need not know
// which of them changed between versions.
import { BrowserWindow, nativeTheme } from 'electron';
import type { WebContents } from 'electron';

export interface MainWindowOptions {
  preload: string;
  /** The renderer: the dev server's URL in development, else the built index.html. */
  renderer: { url: string } | { file: string };
  log: (line: string) => void;
}

export function createMainWindow({ preload, renderer, log }: MainWindowOptions): BrowserWindow {
  const window = new BrowserWindow({
    width: 1440,
    height: 900,
    // The library, the viewer and the side panel side by side need about this much.
    minWidth: 1024,
    minHeight: 640,
    title: 'PURE Studio',
    show: false, // shown once painted, so there is no white flash before the first frame
    // Matches the page's own background, for the same reason.
    backgroundColor: nativeTheme.shouldUseDarkColors ? '#121416' : '#f3f2ee',
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  });
  window.once('ready-to-show', () => window.show());
  lockNavigation(window.webContents, log);

  const loaded = 'url' in renderer ? window.loadURL(renderer.url) : window.loadFile(renderer.file);
  loaded.catch((error: unknown) => log(`could not load the renderer: ${String(error)}`));
  return window;
}

/** The page never leaves the app: no navigation, no new windows, no <webview>. */
function lockNavigation(contents: WebContents, log: (line: string) => void): void {
  contents.on('will-navigate', (event, url) => {
    // A reload of the page itself (the dev server's full reload) is the only move allowed.
    if (url === contents.getURL()) return;
    event.preventDefault();
    log(`blocked navigation to ${url}`);
  });
  contents.setWindowOpenHandler(({ url }) => {
    log(`blocked a new window for ${url}`);
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}
