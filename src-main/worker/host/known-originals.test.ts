// The library's own writes never land on an original either: auto-save replaces a photo's own
// earlier output in place, and "Save all" its earlier save, but when that file has since become
// another photo's original (here: opened again through a linked folder, so its path as stored is
// not the output's), the result takes a free name instead and the original keeps its bytes.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, linkSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { LibraryPhoto } from '../../protocol/api';
import { photo, tempDir } from '../../testing/fixtures';
import { OriginalsIndex } from './known-originals';
import { bridgeHost, until } from './library-test-host';
import type { StudioHost } from './studio-host';
import { TestWorker } from './test-worker';

const items = async (host: StudioHost): Promise<Record<string, LibraryPhoto>> => Object.fromEntries((await host.library.snapshot()).items.map((i) => [i.path, i]));

for (const autoSave of [true, false]) {
  test(`${autoSave ? 'auto-save' : 'Save all'} never replaces an original, even its photo’s own earlier output that became one`, async () => {
    const base = tempDir('pure-known-originals-');
    const root = join(base, 'root');
    const album = join(root, 'album');
    mkdirSync(album, { recursive: true });
    copyFileSync(photo('rocket.jpg'), join(album, 'a.jpg'));
    const { host } = bridgeHost(base, () => new TestWorker());
    await host.start();
    try {
      const out = join(root, 'out');
      await host.library.setSettings({ outputFolder: out, autoSave }, false);
      const [a] = await host.open([join(album, 'a.jpg')], 'browse');
      const state = async () => (await items(host))[a.path].state;
      await host.library.restorePhotos({ ids: [a.id], options: { engine: 'realesrgan-x4fast' } });
      await until(async () => (await state()) === 'done', 'the photo to be restored');
      if (!autoSave) assert.equal((await host.library.saveAllRestored()).saved, 1);
      const first = join(out, 'a-restored.jpg');
      assert.ok(existsSync(first), 'the first result is saved under its planned name');

      // The saved result is opened as a photo of its own, through a linked folder.
      symlinkSync(out, join(root, 'alias'));
      const [b] = await host.open([join(root, 'alias', 'a-restored.jpg')], 'browse');
      assert.notEqual(b.id, a.id, 'it joined the library as another photo');
      const original = readFileSync(first);

      // Restored again with other settings: its own earlier output is now b's original.
      await host.library.setOverrides(a.id, { scale: 2 });
      await host.library.restorePhotos({ ids: [a.id], options: { engine: 'realesrgan-x4fast' } });
      assert.notEqual(await state(), 'done', 'queued again');
      await until(async () => ['done', 'failed'].includes(await state()), 'the photo to end');
      if (!autoSave) {
        const saved = await host.library.saveAllRestored();
        assert.deepEqual(saved.failed, []);
      }
      assert.equal((await items(host))[a.path].state, 'done');
      assert.deepEqual(readFileSync(first), original, 'the original kept its bytes');
      assert.ok(existsSync(join(out, 'a-restored-2.jpg')), 'the new result took a free name');
    } finally {
      await host.stop();
    }
  });
}

test('the index of originals: read once for many targets, met by path, linked folder and hard link; free names cost nothing', async () => {
  const dir = tempDir('pure-originals-index-');
  mkdirSync(join(dir, 'photos'));
  const originals = Array.from({ length: 300 }, (_, i) => join(dir, 'photos', `p${i}.jpg`));
  for (const path of originals) writeFileSync(path, 'x');
  symlinkSync(join(dir, 'photos'), join(dir, 'alias'));
  linkSync(originals[7], join(dir, 'hard.jpg'));
  writeFileSync(join(dir, 'other.jpg'), 'y');
  let reads = 0;
  const index = new OriginalsIndex(() => {
    reads += 1;
    return originals;
  });
  assert.equal(await index.at(join(dir, 'free.jpg')), undefined);
  assert.equal(reads, 0, 'a name not on disk needs no originals');
  assert.equal(await index.at(originals[3]), originals[3]);
  assert.equal(await index.at(join(dir, 'alias', 'p5.jpg')), originals[5]);
  assert.equal(await index.at(join(dir, 'hard.jpg')), originals[7]);
  assert.equal(await index.at(join(dir, 'other.jpg')), undefined);
  await assert.rejects(index.refuse(join(dir, 'alias', 'p9.jpg')), { code: 'OUTPUT_IS_INPUT' });
  assert.equal(reads, 1, 'read once for every target');
});
