// The app's photo library end to end on the host side, with the real worker process (forked like
// `npm run serve` does) and the fast engine on tiny photos: a folder tree in, a mirrored restored
// tree out, the library and its states surviving a restart, reruns that do only what changed,
// a corrupt photo failing and then retried, auto-save off with "Save all".
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import sharp from 'sharp';
import type { LibraryEvent, LibraryPhoto } from '../../protocol/api';
import type { RestoreOptionsInput } from '../../protocol/restore';
import { tempDir } from '../../testing/fixtures';
import { forkNodeWorker } from './node-worker';
import { StudioHost } from './studio-host';
import { bridgeHost } from './library-test-host';

const entry = fileURLToPath(new URL('../index.ts', import.meta.url));
const FAST: RestoreOptionsInput = { engine: 'realesrgan-x4fast', providers: ['cpu'], threads: 1 };

async function tinyPhoto(path: string, width: number, height: number, shade: number): Promise<void> {
  mkdirSync(join(path, '..'), { recursive: true });
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 7 + shade) % 256;
  await sharp(pixels, { raw: { width, height, channels: 3 } }).png().toFile(path);
}

/** Nested folders, the same name in two of them, unicode and spaces, one corrupt file. */
async function photoTree(root: string): Promise<string> {
  const album = join(root, 'album');
  await tinyPhoto(join(album, 'a.png'), 24, 16, 1);
  await tinyPhoto(join(album, 'one', 'same.png'), 16, 16, 2);
  await tinyPhoto(join(album, 'two', 'same.png'), 20, 16, 3);
  await tinyPhoto(join(album, 'été 1987', 'plage à midi.png'), 16, 24, 4);
  writeFileSync(join(album, 'broken.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2]));
  return album;
}

function startHost(base: string): { host: StudioHost; events: LibraryEvent[] } {
  return bridgeHost(base, () => forkNodeWorker(entry, () => {}));
}

/** Resolves with the first event that matches, polling what has arrived (and what arrives). */
async function eventually<E>(events: E[], match: (event: E) => boolean, what: string, timeoutMs = 90_000): Promise<E> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const found = events.find(match);
    if (found) return found;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const finished = (events: LibraryEvent[]) => eventually(events, (e) => e.type === 'queue-finished', 'the queue to finish');
const byRel = (items: LibraryPhoto[]) => Object.fromEntries(items.map((i) => [i.rel, i]));

/** Every file under `folder`, relative, sorted. */
function filesUnder(folder: string): string[] {
  return (readdirSync(folder, { recursive: true, withFileTypes: true }))
    .filter((d) => d.isFile())
    .map((d) => relative(folder, join(d.parentPath, d.name)))
    .sort();
}

describe('the photo library with the real worker', { timeout: 240_000 }, () => {
  const base = tempDir('pure-library-');
  const root = join(base, 'root');
  let album: string;

  test('Restore all: every photo restored into the mirrored output folder, the corrupt one failed', async () => {
    album = await photoTree(root);
    const { host, events } = startHost(base);
    await host.start();
    try {
      const opened = await host.open([album], 'browse');
      assert.equal(opened.length, 5);
      assert.ok(opened.every((item) => typeof item.id === 'number'));
      const before = await host.library.snapshot();
      assert.equal(before.outputFolder, join(root, 'restored'), 'the bridge default lies inside the served folder');
      assert.equal(before.autoSave, true);
      assert.ok(before.items.every((i) => i.state === 'idle'));

      const outcome = await host.library.restoreAll({ options: FAST });
      assert.deepEqual(outcome, { queued: 5, alreadyDone: 0 });
      const end = await finished(events);
      assert.deepEqual(end, { type: 'queue-finished', restored: 4, failed: 1 });

      const out = join(root, 'restored');
      assert.deepEqual(filesUnder(out), ['a-restored.png', 'one/same-restored.png', 'two/same-restored.png', 'été 1987/plage à midi-restored.png'].sort());
      const items = byRel((await host.library.snapshot()).items);
      assert.equal(items['a.png'].state, 'done');
      assert.equal(items['a.png'].output, join(out, 'a-restored.png'));
      assert.ok(items['a.png'].savedAt, 'auto-saved');
      assert.deepEqual(items['a.png'].result?.outputSize, { width: 96, height: 64 });
      assert.equal(items['broken.png'].state, 'failed');
      assert.match(items['broken.png'].error?.code ?? '', /CORRUPT_IMAGE|UNSUPPORTED_IMAGE/);
      const progress = events.filter((e) => e.type === 'queue');
      assert.ok(progress.some((e) => e.type === 'queue' && e.position === 3 && e.total === 5), 'position "3 of 5" was reported');
    } finally {
      await host.stop();
    }
  });

  test('after a restart: the same library and states; a rerun restores only a changed photo', async () => {
    const { host, events } = startHost(base);
    await host.start();
    try {
      const items = byRel((await host.library.snapshot()).items);
      assert.deepEqual(Object.keys(items).sort(), ['a.png', 'broken.png', 'one/same.png', 'two/same.png', 'été 1987/plage à midi.png'].sort());
      assert.equal(items['one/same.png'].state, 'done');
      assert.equal(items['broken.png'].state, 'failed');

      const first = readFileSync(join(root, 'restored', 'a-restored.png'));
      await tinyPhoto(join(album, 'two', 'same.png'), 20, 16, 99);
      const outcome = await host.library.restoreAll({ options: FAST });
      assert.deepEqual(outcome, { queued: 2, alreadyDone: 3 }, 'the changed photo and the failed one');
      await finished(events);
      assert.deepEqual(readFileSync(join(root, 'restored', 'a-restored.png')), first, 'a done photo is not done again');
      assert.ok(!existsSync(join(root, 'restored', 'two', 'same-restored-2.png')), 'a redo replaces its own output');
    } finally {
      await host.stop();
    }
  });

  test('a failed photo, once fixed, is restored by Retry failed', async () => {
    const { host, events } = startHost(base);
    await host.start();
    try {
      await tinyPhoto(join(album, 'broken.png'), 16, 16, 5);
      assert.equal(await host.library.retryFailed(), 1);
      await finished(events);
      const items = byRel((await host.library.snapshot()).items);
      assert.equal(items['broken.png'].state, 'done');
      assert.ok(existsSync(join(root, 'restored', 'broken-restored.png')));
    } finally {
      await host.stop();
    }
  });

  test('auto-save off: results wait in the state folder until Save all, then mirror the tree', async () => {
    const { host, events } = startHost(base);
    await host.start();
    try {
      const out = join(root, 'second');
      await host.library.setSettings({ autoSave: false, outputFolder: out }, false);
      const { items } = await host.library.snapshot();
      const one = items.find((i) => i.rel === 'one/same.png')!;
      await host.library.setOverrides(one.id, { scale: 2 });
      assert.deepEqual(await host.library.restorePhotos({ ids: [one.id], options: FAST }), { queued: 1, alreadyDone: 0 }, 'new settings: restored again');
      await finished(events);
      const [done] = (await host.library.snapshot()).items.filter((i) => i.id === one.id);
      assert.equal(done.state, 'done');
      assert.equal(done.savedAt, undefined);
      assert.ok(done.output?.startsWith(join(base, 'state')), done.output);
      assert.deepEqual(done.result?.outputSize, { width: 32, height: 32 }, 'the photo’s own scale');
      assert.ok(!existsSync(out));

      assert.deepEqual(await host.library.saveAllRestored(), { saved: 1, failed: [] });
      assert.deepEqual(filesUnder(out), ['one/same-restored.png']);
      const [saved] = (await host.library.snapshot()).items.filter((i) => i.id === one.id);
      assert.equal(saved.output, join(out, 'one', 'same-restored.png'));
      assert.ok(saved.savedAt);
      assert.ok(!existsSync(done.output!), 'the working copy goes once saved');
    } finally {
      await host.stop();
    }
  });
});
