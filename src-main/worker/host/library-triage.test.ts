// Triage over the library: a clean photo and the same photo with heavy noise are told apart (the
// noisy one suggests PURE), a damaged file is marked and not read again, and the page's items
// carry the levels and the pixel size once the background run is over.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { photo, tempDir } from '../../testing/fixtures';
import { triagePhoto } from './library-triage';
import { StudioHost } from './studio-host';
import { TestWorker } from './test-worker';

/** `source` with seeded uniform noise of +-`amount` on every channel. */
async function noisy(source: string, target: string, amount: number): Promise<void> {
  const { data, info } = await sharp(source).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  let state = 7;
  for (let i = 0; i < data.length; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    data[i] = Math.min(255, Math.max(0, data[i] + Math.round(((state / 2 ** 32) * 2 - 1) * amount)));
  }
  await sharp(data, { raw: { width: info.width, height: info.height, channels: 3 } }).png().toFile(target);
}

test('triage tells a clean photo from a noisy one, and marks a damaged file', async () => {
  const dir = tempDir('pure-triage-');
  await noisy(photo('chelsea.png'), join(dir, 'noisy.png'), 60);
  writeFileSync(join(dir, 'broken.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]));
  const clean = await triagePhoto(photo('chelsea.png'));
  const dirty = await triagePhoto(join(dir, 'noisy.png'));
  assert.equal(clean.noise, 'small', JSON.stringify(clean));
  assert.equal(clean.suggestPure, clean.blur === 'large');
  assert.equal(dirty.noise, 'large', JSON.stringify(dirty));
  assert.equal(dirty.suggestPure, true);
  assert.ok(dirty.noiseSigma! > clean.noiseSigma! + 10);
  const meta = await sharp(photo('chelsea.png')).metadata();
  assert.deepEqual([clean.width, clean.height], [meta.width, meta.height]);
  assert.ok((await triagePhoto(join(dir, 'broken.png'))).unreadable);
});

test('the library triages opened photos in the background and the page sees the levels', async () => {
  const base = tempDir('pure-triage-host-');
  const album = join(base, 'root', 'album');
  mkdirSync(album, { recursive: true });
  await noisy(photo('chelsea.png'), join(album, 'noisy.png'), 60);
  await sharp(photo('chelsea.png')).png().toFile(join(album, 'clean.png'));
  const host = new StudioHost({
    info: { version: '0.0.0', transport: 'bridge', nativeDialogs: false, menu: false, reveal: false },
    stateDir: join(base, 'state'),
    settingsFile: join(base, 'state', 'settings.json'),
    browseRoot: join(base, 'root'),
    spawnWorker: () => new TestWorker(),
  });
  await host.start();
  try {
    await host.open([album], 'browse');
    await host.library.triage.idle();
    const items = Object.fromEntries((await host.library.snapshot()).items.map((i) => [i.name, i]));
    assert.equal(items['noisy.png'].triage?.noise, 'large');
    assert.equal(items['noisy.png'].triage?.suggestPure, true);
    assert.equal(items['clean.png'].triage?.noise, 'small');
    assert.ok(items['clean.png'].width && items['clean.png'].height);
  } finally {
    await host.stop();
  }
});
