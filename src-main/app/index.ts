// Electron main: one instance, one window, one worker. Everything here is wiring; the parts with
// logic (StudioHost, WorkerHost, the media scope, the CSP) are plain modules with their own tests.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { app, BrowserWindow, nativeTheme, session } from 'electron';
import { IPC_CHANNELS } from '../protocol/api';
import { contentSecurityPolicy } from '../protocol/csp';
import { StudioHost } from '../worker/host/studio-host';
import { registerIpc, sendJobEvent, sendOpened } from './ipc';
import { handleMediaProtocol, registerMediaScheme } from './media-protocol';
import { installMenu } from './menu';
import { INITIAL_MENU_STATE } from './menu-state';
import type { MenuState } from './menu-state';
import { ProgressPorts, showTaskbarProgress } from './progress';
import { hardenSession } from './security';
import { spawnWorker } from './spawn-worker';
import type { ElectronWorkerChild } from './spawn-worker';
import { createMainWindow } from './window';

const log = (line: string): void => console.log(`[main ${process.pid}] ${line}`);
// Bundled into out/main/index.js, next to worker.js, with out/preload and out/renderer beside.
const here = import.meta.dirname;

if (app.requestSingleInstanceLock()) {
  registerMediaScheme(); // must happen before 'ready'
  run();
} else {
  // A second launch hands its files over to the first (see 'second-instance') and leaves.
  app.quit();
}

/** Photo paths on a command line (a file manager's "Open with"), ignoring Electron's own flags. */
function pathsFromArgv(argv: string[], cwd: string): string[] {
  return argv
    .slice(app.isPackaged ? 1 : 2)
    .filter((arg) => !arg.startsWith('-'))
    .map((arg) => resolve(cwd, arg))
    .filter((path) => existsSync(path));
}

function run(): void {
  app.enableSandbox();
  // The dev server is trusted only in development: a packaged app never loads a URL from env.
  const devUrl = app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL;
  // The default models ship inside the package; the worker inherits this and looks there after
  // the user's own model store.
  if (app.isPackaged) process.env.PURE_STUDIO_BUNDLED_MODELS = join(process.resourcesPath, 'models');
  let window: BrowserWindow | undefined;
  const getWindow = (): BrowserWindow | undefined => window;
  const ports = new ProgressPorts(getWindow);
  const userData = app.getPath('userData');

  const host = new StudioHost({
    info: { version: app.getVersion(), transport: 'electron', nativeDialogs: true, menu: true, reveal: true },
    stateDir: userData,
    settingsFile: join(userData, 'settings.json'),
    spawnWorker: () => spawnWorker(join(here, 'worker.js'), log),
    onWorkerStart: (child) => ports.workerStarted(child as ElectronWorkerChild),
    log,
  });
  host.onEvent((event) => {
    sendJobEvent(window, event);
    showTaskbarProgress(window, event, host.workers.activeJobs);
  });

  /** What the page last reported (a photo on show); reset when the page (re)loads. */
  let menuState: MenuState = INITIAL_MENU_STATE;
  const refreshMenu = (): void =>
    installMenu({
      command: (command) => window?.webContents.send(IPC_CHANNELS.command, command),
      openRecent: (path) => void openFromOutside([path], 'recent'),
      recent: host.loadSettings().recent,
      devTools: !app.isPackaged,
      state: menuState,
    });
  const setMenuState = (state: MenuState): void => {
    if (state.viewing === menuState.viewing) return;
    menuState = state;
    refreshMenu();
  };

  async function openFromOutside(paths: string[], origin: 'os' | 'recent'): Promise<void> {
    if (paths.length === 0) return;
    try {
      sendOpened(window, await host.open(paths, origin));
      refreshMenu();
    } catch (error) {
      log(`could not open ${paths.join(', ')}: ${(error as Error).message}`);
    }
  }

  const openWindow = (): void => {
    window = createMainWindow({
      preload: join(here, '../preload/index.cjs'),
      renderer: devUrl ? { url: devUrl } : { file: join(here, '../renderer/index.html') },
      log,
    });
    window.webContents.on('did-finish-load', () => ports.pageLoaded());
    // A new page has shown nothing yet; it reports its photo once it has one.
    window.webContents.on('did-start-navigation', (details) => {
      if (details.isMainFrame && !details.isSameDocument) setMenuState(INITIAL_MENU_STATE);
    });
    window.on('closed', () => (window = undefined));
  };

  app.on('second-instance', (_event, argv, cwd) => {
    if (!window) return;
    if (window.isMinimized()) window.restore();
    window.focus();
    void openFromOutside(pathsFromArgv(argv, cwd), 'os');
  });
  // macOS: files dropped on the dock icon or opened with the app.
  app.on('open-file', (event, path) => {
    event.preventDefault();
    void openFromOutside([path], 'os');
  });

  app
    .whenReady()
    .then(async () => {
      hardenSession(session.defaultSession, contentSecurityPolicy({ delivery: 'header', dev: devUrl !== undefined }));
      handleMediaProtocol(session.defaultSession, host, log);
      registerIpc(host, getWindow, refreshMenu, (viewing) => setMenuState({ viewing }));
      await host.start();
      nativeTheme.themeSource = host.loadSettings().theme;
      refreshMenu();
      openWindow();
      const initial = pathsFromArgv(process.argv, process.cwd());
      if (initial.length) window?.webContents.once('did-finish-load', () => void openFromOutside(initial, 'os'));
      // macOS keeps apps alive without windows; clicking the dock icon brings one back.
      app.on('activate', () => {
        if (BrowserWindow.getAllWindows().length === 0) openWindow();
      });
    })
    .catch((error: unknown) => {
      log(`startup failed: ${String(error)}`);
      app.exit(1);
    });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  // Quit waits for the worker: ask it to stop, kill it after the grace period, then really quit.
  let workerStopped = false;
  app.on('before-quit', (event) => {
    if (workerStopped) return;
    event.preventDefault();
    const quit = (): void => {
      workerStopped = true;
      app.quit();
    };
    host.stop().then(quit, (error: unknown) => {
      log(`stopping the worker failed: ${String(error)}`);
      quit();
    });
  });
}
