// Test helpers for the library host (never imported by the app): a StudioHost as the bridge makes
// it, over `<base>/root` with its state in `<base>/state`, its library and job events collected;
// and a wait for a condition that polls instead of sleeping a fixed time.
import { join } from 'node:path';
import type { LibraryEvent } from '../../protocol/api';
import type { JobEvent } from '../../protocol/messages';
import { StudioHost } from './studio-host';
import type { WorkerChild } from './worker-host';

export interface TestHost {
  host: StudioHost;
  /** Library and queue events, in order. */
  events: LibraryEvent[];
  /** Job events (progress, done, failed), in order. */
  jobs: JobEvent[];
}

export function bridgeHost(base: string, spawnWorker: () => WorkerChild): TestHost {
  const host = new StudioHost({
    info: { version: '0.0.0', transport: 'bridge', nativeDialogs: false, menu: false, reveal: false },
    stateDir: join(base, 'state'),
    settingsFile: join(base, 'state', 'settings.json'),
    browseRoot: join(base, 'root'),
    spawnWorker,
  });
  const events: LibraryEvent[] = [];
  const jobs: JobEvent[] = [];
  host.library.onEvent((event) => events.push(event));
  host.onEvent((event) => jobs.push(event));
  return { host, events, jobs };
}

/** Resolves once `condition` holds; fails naming `what` after `timeoutMs`. */
export async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
