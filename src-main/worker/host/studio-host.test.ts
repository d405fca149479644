import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import sharp from 'sharp';
import type { JobEvent } from '../../protocol/messages';
import { StudioHost } from './studio-host';
import { TestWorker } from './test-worker';

const photos = join(import.meta.dirname, '../../../test-data/photos');
const scratch = mkdtempSync(join(tmpdir(), 'pure-host-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let serial = 0;

/** A host over a fresh root folder (with an EXIF-tagged photo, a folder of two, a damaged file). */
async function setUp() {
  const base = join(scratch, String(++serial));
  const root = join(base, 'root');
  const state = join(base, 'state');
  mkdirSync(join(root, 'album', 'deeper'), { recursive: true });
  const tagged = join(root, 'tagged.jpg');
  await sharp(join(photos, 'rocket.jpg')).resize(64).withExif({ IFD0: { Artist: 'Host Test' } }).jpeg().toFile(tagged);
  copyFileSync(join(photos, 'camera.png'), join(root, 'album', 'camera.png'));
  copyFileSync(join(photos, 'chelsea.png'), join(root, 'album', 'deeper', 'chelsea.png'));
  writeFileSync(join(root, 'album', 'notes.txt'), 'not a photo');
  writeFileSync(join(root, 'broken.jpg'), readFileSync(join(photos, 'rocket.jpg')).subarray(0, 2));
  const outside = join(base, 'outside.jpg');
  copyFileSync(tagged, outside);
  const worker = new TestWorker();
  const host = new StudioHost({
    info: { version: '0.0.0', transport: 'bridge', nativeDialogs: false, menu: false, reveal: false },
    stateDir: state,
    settingsFile: join(state, 'settings.json'),
    browseRoot: root,
    spawnWorker: () => worker,
  });
  await host.start();
  const events: JobEvent[] = [];
  host.onEvent((event) => events.push(event));
  const ended = (jobId: string) =>
    new Promise<JobEvent>((resolve) => {
      const poll = () => {
        const found = events.find((e) => e.jobId === jobId && e.type !== 'progress');
        if (found) resolve(found);
        else setTimeout(poll, 5);
      };
      poll();
    });
  return { host, worker, root, state, tagged, outside, ended };
}

describe('StudioHost: opening', () => {
  test('a folder opens its photos, a few levels deep, and nothing else', async () => {
    const { host, root } = await setUp();
    const items = await host.open([join(root, 'album')], 'browse');
    assert.deepEqual(items.map((i) => i.name), ['camera.png', 'chelsea.png']);
    assert.equal(items[0].folder, join(root, 'album'));
    assert.deepEqual([items[0].width, items[0].height], [512, 512]);
  });

  test('a file the header shows is no photo is opened with its problem stated', async () => {
    const { host, root } = await setUp();
    const [item] = await host.open([join(root, 'broken.jpg')], 'browse');
    assert.ok(item.problem);
    assert.match(item.problem.code, /CORRUPT_IMAGE|UNSUPPORTED_IMAGE/);
  });

  test('the browser may open only inside the served folder, however the path is spelt', async () => {
    const { host, root, outside } = await setUp();
    symlinkSync(outside, join(root, 'sneaky.jpg'));
    for (const path of [outside, `${root}/../outside.jpg`, join(root, 'sneaky.jpg'), '/etc/hostname']) {
      await assert.rejects(host.open([path], 'browse'), /outside the folder/, path);
    }
    await assert.rejects(host.browse(join(root, '..')), /outside the folder/);
  });

  test('from the recent list, only what is on it', async () => {
    const { host, root, tagged } = await setUp();
    await assert.rejects(host.open([tagged], 'recent'), /recent list/);
    await host.open([join(root, 'album')], 'browse');
    assert.equal(host.loadSettings().recent[0], join(root, 'album'));
    const again = await host.open([join(root, 'album')], 'recent');
    assert.equal(again.length, 2);
  });

  test('the picker lists folders first, then photos, hiding other files', async () => {
    const { host, root } = await setUp();
    const listing = await host.browse(join(root, 'album'));
    assert.deepEqual(listing.entries.map((e) => `${e.kind}:${e.name}`), ['folder:deeper', 'photo:camera.png']);
    assert.equal(listing.parent, root);
    assert.equal((await host.browse(undefined)).parent, undefined, 'the root has no parent to go up to');
  });
});

describe('StudioHost: images for the page', () => {
  test('only opened photos and produced results are served; thumbnails are cached WebP', async () => {
    const { host, root, tagged } = await setUp();
    assert.equal(await host.media('image', tagged), undefined, 'not opened yet');
    await host.open([tagged], 'browse');
    assert.equal((await host.media('image', tagged))?.contentType, 'image/jpeg');
    const thumb = await host.media('thumb', tagged);
    assert.equal(thumb?.contentType, 'image/webp');
    assert.equal((await host.media('thumb', tagged))?.path, thumb?.path, 'cached');
    assert.equal(await host.media('image', join(root, 'album', 'camera.png')), undefined, 'beside an opened photo is not opened');
    assert.equal(await host.media('image', `${root}/album/../tagged.jpg`), undefined);
  });
});

describe('StudioHost: restoring and saving', () => {
  test('only an opened photo can be restored; the result appears in the state folder and is served', async () => {
    const { host, tagged, state, ended } = await setUp();
    await assert.rejects(host.restore({ input: tagged, options: {} }), /Only photos opened/);
    await host.open([tagged], 'browse');
    await assert.rejects(host.restore({ input: tagged, options: { scale: 3 } }), { code: 'INVALID_OPTION' });
    const jobId = await host.restore({ input: tagged, options: { engine: 'realesrgan-x4fast' }, format: 'png' });
    const done = await ended(jobId);
    assert.ok(done.type === 'done');
    assert.ok(done.result.output.startsWith(join(state, 'results')));
    assert.match(done.result.output, /tagged-restored\.png$/);
    assert.equal((await host.media('image', done.result.output))?.contentType, 'image/png');
  });

  test('a cancelled job leaves no working folder behind', async () => {
    const { host, worker, tagged, state, ended } = await setUp();
    await host.open([tagged], 'browse');
    worker.hang = true;
    const jobId = await host.restore({ input: tagged, options: {} });
    assert.equal(readdirSync(join(state, 'results')).length, 1);
    host.cancel(jobId);
    const failed = await ended(jobId);
    assert.ok(failed.type === 'failed' && failed.error.code === 'CANCELLED');
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(readdirSync(join(state, 'results')), []);
  });

  test('save writes the chosen format with the EXIF kept, and never over the original or the result', async () => {
    const { host, root, tagged, ended } = await setUp();
    await host.open([tagged], 'browse');
    const jobId = await host.restore({ input: tagged, options: {}, format: 'png' });
    const done = await ended(jobId);
    assert.ok(done.type === 'done');
    const source = done.result.output;
    const original = readFileSync(tagged);

    await assert.rejects(host.exportResult({ source, original: tagged, format: 'jpeg' }, tagged), { code: 'OUTPUT_IS_INPUT' });
    await assert.rejects(host.exportResult({ source, original: tagged, format: 'png' }, source), { code: 'OUTPUT_IS_INPUT' });
    assert.deepEqual(readFileSync(tagged), original);

    const saved = await host.exportResult({ source, original: tagged, format: 'jpeg', quality: 80, destination: join(root, 'kept') });
    assert.equal(saved.path, join(root, 'kept.jpg'), 'the extension follows the format');
    const meta = await sharp(saved.path).metadata();
    assert.equal(meta.format, 'jpeg');
    assert.match(meta.exif?.toString('latin1') ?? '', /Host Test/);
    await assert.rejects(host.exportResult({ source, original: tagged, format: 'jpeg', destination: saved.path }), { code: 'OUTPUT_EXISTS' });

    // Same format as the working copy: the bytes are copied as they are.
    const copy = await host.exportResult({ source, original: tagged, format: 'png', destination: join(root, 'copy.png') });
    assert.deepEqual(readFileSync(copy.path), readFileSync(source));
  });

  test('only results this host produced can be saved', async () => {
    const { host, root, tagged } = await setUp();
    await host.open([tagged], 'browse');
    await assert.rejects(host.exportResult({ source: tagged, original: tagged, format: 'png', destination: join(root, 'x.png') }), /no longer available/);
    assert.equal(existsSync(join(root, 'x.png')), false);
  });
});
