// Working copies of single restores: one saved somewhere leaves the state folder after a few
// days; one nobody saved is never deleted, however old.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../../testing/fixtures';
import { StudioHost } from './studio-host';
import { TestWorker } from './test-worker';

test('old results are removed only when they were saved', async () => {
  const base = tempDir('pure-results-');
  const results = join(base, 'state', 'results');
  const old = (Date.now() - 10 * 24 * 3600 * 1000) / 1000;
  for (const name of ['saved-old', 'unsaved-old', 'saved-new']) {
    mkdirSync(join(results, name), { recursive: true });
    writeFileSync(join(results, name, 'photo-restored.png'), 'result');
    if (name.startsWith('saved')) writeFileSync(join(results, name, '.saved'), '');
    if (name.endsWith('old')) utimesSync(join(results, name), old, old);
  }
  const host = new StudioHost({
    info: { version: '0.0.0', transport: 'bridge', nativeDialogs: false, menu: false, reveal: false },
    stateDir: join(base, 'state'),
    settingsFile: join(base, 'state', 'settings.json'),
    spawnWorker: () => new TestWorker(),
  });
  await host.start();
  await host.stop();
  assert.equal(existsSync(join(results, 'saved-old')), false);
  assert.equal(existsSync(join(results, 'unsaved-old', 'photo-restored.png')), true);
  assert.equal(existsSync(join(results, 'saved-new', 'photo-restored.png')), true);
});
