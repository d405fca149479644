// A failed library photo says the same after a restart as before it: the page's snapshot carries
// the error whole (hint and window wording), read back from the library file, and the window
// shows the window's words, not the terminal's.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ErrorPayload } from '../../engine/common/errors';
import { SqliteLibraryStore } from '../../engine/library/sqlite-library-store';
import { photo, tempDir } from '../../testing/fixtures';
import { readable } from '../../../src-renderer/src/lib/errors';
import { bridgeHost } from './library-test-host';
import { TestWorker } from './test-worker';

test('after a restart a failed photo keeps its window wording in the page’s snapshot', async () => {
  const base = tempDir('pure-failed-wording-');
  const album = join(base, 'root', 'album');
  mkdirSync(album, { recursive: true });
  copyFileSync(photo('rocket.jpg'), join(album, 'scan.jpg'));
  const first = bridgeHost(base, () => new TestWorker()).host;
  await first.start();
  const [item] = await first.open([join(album, 'scan.jpg')], 'browse');
  await first.stop();

  // The failure as the worker reported it (a damaged file), recorded in the library file.
  const error: ErrorPayload = {
    code: 'CORRUPT_IMAGE',
    message: `The image "${join(album, 'scan.jpg')}" is damaged or truncated (VipsJpeg: Premature end of input file).`,
    hint: 'Re-export or re-download the original.',
    gui: { message: '“scan.jpg” is a damaged photo file: part of it is missing.', hint: 'Re-export or re-download the original and open that copy.' },
  };
  const store = SqliteLibraryStore.open(join(base, 'state', 'library.db'));
  store.markRunning(item.id!, 'h');
  store.markFailed(item.id!, error);
  store.close();

  const again = bridgeHost(base, () => new TestWorker()).host;
  await again.start();
  try {
    const failed = (await again.library.snapshot()).items.find((i) => i.id === item.id);
    assert.equal(failed?.state, 'failed');
    assert.deepEqual(failed?.error, error);
    const shown = readable(failed?.error, failed?.path);
    assert.equal(shown.message, error.gui!.message);
    assert.equal(shown.hint, error.gui!.hint);
    assert.match(shown.details ?? '', /VipsJpeg/, 'the decoder’s words only under Details');
  } finally {
    await again.stop();
  }
});
