// Save over an existing file (the Save dialog's Replace): only with the explicit overwrite flag,
// as a new file renamed into place (a reader of the old one never sees half a file, nothing is
// left beside it), and never over the photo's own original or a folder, however the path names
// them. Both ways a save is written are checked: the working copy's bytes copied (same format)
// and a re-encode (another format). The last part goes through StudioHost, whose call carries the
// flag from the page.
import assert from 'node:assert/strict';
import { linkSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, closeSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import sharp from 'sharp';
import { photo, tempDir } from '../../testing/fixtures';
import type { OutputFormatId } from '../../protocol/api';
import type { JobEvent } from '../../protocol/messages';
import { exportResult } from './export';
import type { ExportJob } from './export';
import { StudioHost } from './studio-host';
import { TestWorker } from './test-worker';

const OLD = Buffer.from('the file the person chose to replace');

/** A folder with the original (JPEG), a working result (PNG) and a file in the way. */
async function scene() {
  const dir = tempDir('pure-export-');
  const original = join(dir, 'scan.jpg');
  await sharp(photo('rocket.jpg')).resize(48).jpeg().toFile(original);
  const source = join(dir, '.work', 'scan-restored.png');
  mkdirSync(join(dir, '.work'));
  await sharp(photo('rocket.jpg')).resize(96).png().toFile(source);
  const taken = join(dir, 'taken.png');
  writeFileSync(taken, OLD);
  const job = (destination: string, format: OutputFormatId, overwrite: boolean): ExportJob => ({ source, sourceFormat: 'png', original, destination, format, overwrite });
  return { dir, original, source, taken, job };
}

// png: the working copy's bytes as they are; jpeg: decoded and encoded again.
for (const format of ['png', 'jpeg'] as const) {
  describe(`export over an existing file (${format === 'png' ? 'copied' : 're-encoded'})`, () => {
    test('without overwrite the file is refused with OUTPUT_EXISTS and kept as it was', async () => {
      const { dir, taken, job } = await scene();
      const target = format === 'png' ? taken : join(dir, 'taken.jpg');
      writeFileSync(target, OLD);
      await assert.rejects(exportResult(job(target, format, false)), { code: 'OUTPUT_EXISTS' });
      assert.deepEqual(readFileSync(target), OLD);
    });

    test('with overwrite it is replaced by a new file renamed into place; nothing is left beside it', async () => {
      const { dir, taken, job } = await scene();
      const target = format === 'png' ? taken : join(dir, 'taken.jpg');
      writeFileSync(target, OLD);
      const before = statSync(target).ino;
      // A reader that opened the old file keeps reading the old bytes: the name moved to a new
      // file, the old one was never written through (an in-place write would show here).
      const reader = openSync(target, 'r');
      try {
        const outcome = await exportResult(job(target, format, true));
        assert.equal(outcome.path, target);
        assert.equal((await sharp(target).metadata()).format, format);
        assert.notEqual(statSync(target).ino, before);
        const seen = Buffer.alloc(OLD.length);
        readSync(reader, seen, 0, OLD.length, 0);
        assert.deepEqual(seen, OLD);
      } finally {
        closeSync(reader);
      }
      assert.deepEqual(readdirSync(dir).filter((name) => name.endsWith('.tmp')), [], 'no temporary file left');
    });

    test('overwrite never replaces the original: by its path, its name without extension, a link or a hard link to it', async () => {
      const { dir, original, source, job } = await scene();
      const bytes = readFileSync(original);
      const mtime = statSync(original).mtimeMs;
      symlinkSync(original, join(dir, 'link.jpg'));
      linkSync(original, join(dir, 'hard.jpg'));
      const attempts = [original, join(dir, 'scan'), join(dir, 'link.jpg'), join(dir, 'hard.jpg')];
      for (const target of attempts) {
        await assert.rejects(exportResult(job(target, 'jpeg', true)), { code: 'OUTPUT_IS_INPUT' }, target);
      }
      // The working copy is protected the same way.
      if (format === 'png') await assert.rejects(exportResult(job(source, 'png', true)), { code: 'OUTPUT_IS_INPUT' });
      assert.deepEqual(readFileSync(original), bytes);
      assert.equal(statSync(original).mtimeMs, mtime);
    });

    test('overwrite never replaces a folder, nor a link to one', async () => {
      const { dir, job } = await scene();
      const ext = format === 'png' ? '.png' : '.jpg';
      const folder = join(dir, `album${ext}`);
      mkdirSync(folder);
      writeFileSync(join(folder, 'inside.txt'), 'kept');
      symlinkSync(folder, join(dir, `pointer${ext}`));
      for (const target of [folder, join(dir, `pointer${ext}`)]) {
        await assert.rejects(exportResult(job(target, format, true)), { code: 'OUTPUT_UNWRITABLE', message: /is a folder/ }, target);
      }
      assert.ok(statSync(folder).isDirectory());
      assert.equal(readFileSync(join(folder, 'inside.txt'), 'utf8'), 'kept');
    });

    test('a link in the way is replaced itself: the file it pointed to is not written through it', async () => {
      const { dir, job } = await scene();
      const elsewhere = join(dir, 'elsewhere.bin');
      writeFileSync(elsewhere, OLD);
      const ext = format === 'png' ? '.png' : '.jpg';
      symlinkSync(elsewhere, join(dir, `pointer${ext}`));
      await exportResult(job(join(dir, `pointer${ext}`), format, true));
      assert.deepEqual(readFileSync(elsewhere), OLD);
      assert.equal((await sharp(join(dir, `pointer${ext}`)).metadata()).format, format);
    });
  });
}

describe('StudioHost: the call’s overwrite flag', () => {
  async function restoredOnHost(others: string[] = []) {
    const base = tempDir('pure-export-host-');
    const root = join(base, 'root');
    mkdirSync(root);
    const input = join(root, 'cat.png');
    await sharp(photo('chelsea.png')).resize(40).png().toFile(input);
    for (const name of others) await sharp(photo('rocket.jpg')).resize(30).toFile(join(root, name));
    const worker = new TestWorker();
    const host = new StudioHost({
      info: { version: '0.0.0', transport: 'bridge', nativeDialogs: false, menu: false, reveal: false },
      stateDir: join(base, 'state'),
      settingsFile: join(base, 'state', 'settings.json'),
      browseRoot: root,
      spawnWorker: () => worker,
    });
    await host.start();
    const events: JobEvent[] = [];
    host.onEvent((event) => events.push(event));
    await host.open([input, ...others.map((name) => join(root, name))], 'browse');
    const jobId = await host.restore({ input, options: {}, format: 'png' });
    const end = Date.now() + 20_000;
    let done: JobEvent | undefined;
    while (!(done = events.find((e) => e.jobId === jobId && e.type !== 'progress'))) {
      if (Date.now() > end) throw new Error('the restore did not end');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    assert.ok(done.type === 'done');
    return { host, root, input, source: done.result.output };
  }

  test('a taken name is refused without the flag and replaced with it; the original is refused even with it', async () => {
    const { host, root, input, source } = await restoredOnHost();
    try {
      const target = join(root, 'kept.png');
      writeFileSync(target, OLD);
      const call = { source, original: input, format: 'png' as const, destination: target };
      await assert.rejects(host.exportResult(call), { code: 'OUTPUT_EXISTS' });
      await assert.rejects(host.exportResult({ ...call, overwrite: false }), { code: 'OUTPUT_EXISTS' });
      assert.deepEqual(readFileSync(target), OLD);
      const outcome = await host.exportResult({ ...call, overwrite: true });
      assert.equal(outcome.path, target);
      assert.deepEqual(readFileSync(target), readFileSync(source));

      const originalBytes = readFileSync(input);
      await assert.rejects(host.exportResult({ ...call, destination: input, overwrite: true }), { code: 'OUTPUT_IS_INPUT' });
      assert.deepEqual(readFileSync(input), originalBytes);
      // Not a flag in any other shape: the call is checked like every other.
      await assert.rejects(host.exportResult({ ...call, overwrite: 'yes' }), { code: 'INVALID_OPTION' });
    } finally {
      await host.stop();
    }
  });

  test('Replace never lands on another photo’s original: by its path, without extension, through a linked folder or a hard link', async () => {
    const { host, root, input, source } = await restoredOnHost(['dog.png', 'bird.jpg']);
    try {
      const dog = join(root, 'dog.png');
      const bird = join(root, 'bird.jpg');
      symlinkSync(root, join(root, 'alias'));
      linkSync(dog, join(root, 'hard.png'));
      const kept = [dog, bird].map((path) => ({ path, bytes: readFileSync(path), mtime: statSync(path).mtimeMs }));
      const call = { source, original: input, format: 'png' as const };
      const attempts: { destination: string; format: OutputFormatId }[] = [
        { destination: dog, format: 'png' }, // copied as it is
        { destination: join(root, 'dog'), format: 'png' }, // the extension is added
        { destination: join(root, 'alias', 'dog.png'), format: 'png' },
        { destination: join(root, 'hard.png'), format: 'png' },
        { destination: bird, format: 'jpeg' }, // re-encoded
      ];
      for (const { destination, format } of attempts) {
        await assert.rejects(host.exportResult({ ...call, destination, format, overwrite: true }), (error: unknown) => {
          const e = error as { code: string; gui?: { message?: string; hint?: string } };
          assert.equal(e.code, 'OUTPUT_IS_INPUT', destination);
          assert.match(e.gui?.message ?? '', /original of a photo in the library/);
          assert.doesNotMatch(`${e.gui?.message} ${e.gui?.hint}`, /--|npm run|`/);
          return true;
        });
        // The system save dialog (desktop) already asked to replace: still refused.
        await assert.rejects(host.exportResult({ ...call, destination: 'ignored', format }, destination), { code: 'OUTPUT_IS_INPUT' });
      }
      for (const { path, bytes, mtime } of kept) {
        assert.deepEqual(readFileSync(path), bytes, path);
        assert.equal(statSync(path).mtimeMs, mtime, path);
      }
      // A file that is no photo of the library is still replaced when confirmed.
      writeFileSync(join(root, 'notes.png'), OLD);
      await host.exportResult({ ...call, destination: join(root, 'notes.png'), overwrite: true });
      assert.deepEqual(readFileSync(join(root, 'notes.png')), readFileSync(source));
    } finally {
      await host.stop();
    }
  });
});
