// Electron main: one instance, one window, one worker. Everything here is wiring; the parts with
// logic (worker-host, csp) are plain modules with their own tests.
import { join } from 'node:path';
import { app, BrowserWindow, session } from 'electron';
import { contentSecurityPolicy } from './csp';
import { registerIpc, sendJobEvent } from './ipc';
import { hardenSession } from './security';
import { spawnWorker } from './spawn-worker';
import { createMainWindow } from './window';
import { WorkerHost } from './worker-host';

const log = (line: string): void => console.log(`[main ${process.pid}] ${line}`);
// Bundled into out/main/index.js, next to worker.js, with out/preload and out/renderer beside.
const here = import.meta.dirname;

if (app.requestSingleInstanceLock()) {
  run();
} else {
  // A second launch hands over to the first (see 'second-instance') and leaves.
  app.quit();
}

function run(): void {
  app.enableSandbox();
  // The dev server is trusted only in development: a packaged app never loads a URL from env.
  const devUrl = app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL;
  // The default models ship inside the package; the worker inherits this and looks there after
  // the user's own model store.
  if (app.isPackaged) process.env.PURE_STUDIO_BUNDLED_MODELS = join(process.resourcesPath, 'models');
  let window: BrowserWindow | undefined;
  const host = new WorkerHost({
    spawn: () => spawnWorker(join(here, 'worker.js'), log),
    onEvent: (event) => sendJobEvent(window, event),
    log,
  });

  const openWindow = (): void => {
    window = createMainWindow({
      preload: join(here, '../preload/index.cjs'),
      renderer: devUrl ? { url: devUrl } : { file: join(here, '../renderer/index.html') },
      log,
    });
    window.on('closed', () => (window = undefined));
  };

  app.on('second-instance', () => {
    if (!window) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });

  app
    .whenReady()
    .then(() => {
      hardenSession(session.defaultSession, contentSecurityPolicy({ delivery: 'header', dev: devUrl !== undefined }));
      registerIpc(host, () => window);
      host.start();
      openWindow();
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
