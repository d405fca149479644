// What the library and Save keep and leave behind: Save all copies PURE's entropy map beside the
// saved result (and the photo's result names the copy) and gives the copy the original's
// modification time; removing a photo removes its unsaved working result; a saved export keeps
// the original's modification time and says what the output could not keep.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { hugeProfile, jpegWithProfile } from '../../engine/image/test-fixtures';
import { entropyMapPath } from '../../engine/restore/pure-restore';
import type { LibraryEvent } from '../../protocol/api';
import { photo, tempDir } from '../../testing/fixtures';
import { exportResult } from './export';
import { StudioHost } from './studio-host';
import { bridgeHost } from './library-test-host';
import { TestWorker } from './test-worker';

/** A month ago, to the second: clearly not "now". */
const LAST_MONTH = new Date(Math.floor(Date.now() / 1000 - 30 * 24 * 3600) * 1000);

async function libraryWithOne(base: string): Promise<{ host: StudioHost; worker: TestWorker; events: LibraryEvent[]; id: number; input: string }> {
  const album = join(base, 'root', 'album');
  mkdirSync(album, { recursive: true });
  const input = join(album, 'cat.png');
  copyFileSync(photo('chelsea.png'), input);
  utimesSync(input, LAST_MONTH, LAST_MONTH);
  const worker = new TestWorker();
  worker.entropyMaps = true;
  const { host, events } = bridgeHost(base, () => worker);
  await host.start();
  await host.library.setSettings({ autoSave: false }, false);
  const [opened] = await host.open([album], 'browse');
  return { host, worker, events, id: opened.id!, input };
}

async function restored(host: StudioHost, events: LibraryEvent[], id: number) {
  await host.library.restorePhotos({ ids: [id], options: { engine: 'realesrgan-x4fast' } });
  const end = Date.now() + 20_000;
  while (!events.some((e) => e.type === 'queue-finished')) {
    if (Date.now() > end) throw new Error('the queue did not finish');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const item = (await host.library.snapshot()).items.find((i) => i.id === id)!;
  assert.equal(item.state, 'done');
  return item;
}

describe('the library’s leftovers', () => {
  test('Save all copies PURE’s entropy map beside the saved result, with the original’s time', async () => {
    const base = tempDir('pure-leftovers-save-');
    const { host, events, id } = await libraryWithOne(base);
    try {
      const done = await restored(host, events, id);
      const workingMap = done.result?.pure?.entropyMap;
      assert.ok(workingMap && existsSync(workingMap), 'the working result has its map');
      assert.deepEqual(await host.library.saveAllRestored(), { saved: 1, failed: [] });
      const saved = (await host.library.snapshot()).items.find((i) => i.id === id)!;
      const target = join(base, 'root', 'restored', 'cat-restored.png');
      assert.equal(saved.output, target);
      assert.ok(existsSync(entropyMapPath(target)), 'the map beside the saved result');
      assert.equal(saved.result?.pure?.entropyMap, entropyMapPath(target), 'and the photo’s result names it');
      assert.ok(!existsSync(workingMap), 'the working copy went');
      assert.equal(statSync(target).mtime.getTime(), LAST_MONTH.getTime(), 'the saved result has the original’s modification time');
    } finally {
      await host.stop();
    }
  });

  test('removing a photo removes its unsaved working result', async () => {
    const base = tempDir('pure-leftovers-remove-');
    const { host, events, id } = await libraryWithOne(base);
    try {
      const done = await restored(host, events, id);
      assert.ok(done.output && existsSync(done.output));
      await host.library.remove([id]);
      assert.ok(!existsSync(dirname(done.output)), 'its working folder is gone');
    } finally {
      await host.stop();
    }
  });
});

describe('export', () => {
  test('a copy and a re-encoded save both get the original’s modification time', async () => {
    const dir = tempDir('pure-leftovers-export-');
    const original = join(dir, 'cat.png');
    copyFileSync(photo('chelsea.png'), original);
    utimesSync(original, LAST_MONTH, LAST_MONTH);
    const source = join(dir, 'work', 'cat-restored.png');
    mkdirSync(dirname(source));
    copyFileSync(photo('chelsea.png'), source);
    for (const format of ['png', 'jpeg'] as const) {
      const outcome = await exportResult({ source, sourceFormat: 'png', original, destination: join(dir, `saved-${format}`), format, overwrite: false });
      assert.equal(statSync(outcome.path).mtime.getTime(), LAST_MONTH.getTime(), format);
      assert.equal(outcome.warnings, undefined, 'nothing to warn about');
    }
  });

  test('what the saved file could not keep is said in the outcome', { timeout: 120_000 }, async () => {
    const dir = tempDir('pure-leftovers-export-warn-');
    const source = join(dir, 'big-icc.jpg');
    writeFileSync(source, await jpegWithProfile(hugeProfile(8 * 1024 * 1024)));
    const outcome = await exportResult({ source, sourceFormat: 'jpeg', original: source, destination: join(dir, 'saved.png'), format: 'png', overwrite: false });
    assert.equal(outcome.warnings?.length, 1, JSON.stringify(outcome));
    assert.match(outcome.warnings[0], /colour profile/);
  });
});
