// A studio host (with the in-process TestWorker) behind a real bridge on a free port, as the
// bridge's tests need it: state under `base`, browsing limited to `root`.
import { join } from 'node:path';
import { startBridge, type Bridge } from '../bridge/server';
import { StudioHost } from '../worker/host/studio-host';
import { TestWorker } from '../worker/host/test-worker';

export interface TestBridge {
  host: StudioHost;
  bridge: Bridge;
  /** Closes the bridge, then stops the host; the caller removes `base`. */
  close(): Promise<void>;
}

export async function startTestBridge(options: { base: string; root: string; rendererDir: string }): Promise<TestBridge> {
  const host = new StudioHost({
    info: { version: '0.0.0', transport: 'bridge', nativeDialogs: false, menu: false, reveal: false },
    stateDir: join(options.base, 'state'),
    settingsFile: join(options.base, 'state', 'settings.json'),
    browseRoot: options.root,
    spawnWorker: () => new TestWorker(),
  });
  await host.start();
  const bridge = await startBridge({ host, rendererDir: options.rendererDir });
  return {
    host,
    bridge,
    async close() {
      await bridge.close();
      await host.stop();
    },
  };
}
