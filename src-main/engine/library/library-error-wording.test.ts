// A failed (or skipped) photo's error is kept whole: the terminal's message and hint and the
// window's wording (`gui`), so after a restart the window says what it said before the restart,
// not the terminal's words ("Pass --overwrite…", a decoder's own message). A library written
// before the wording was kept (schema 1) is migrated and its photos still read.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import sqlite from 'node-sqlite3-wasm';
import type { ErrorPayload } from '../common/errors';
import { tempDir } from '../../testing/fixtures';
import { MIGRATIONS } from './library-schema';
import { SqliteLibraryStore } from './sqlite-library-store';

const found = (input: string) => ({ input, sourceRoot: '/photos', rel: input.slice('/photos/'.length) });

const damaged: ErrorPayload = {
  code: 'CORRUPT_IMAGE',
  message: 'The image "/photos/a.jpg" is damaged or truncated (VipsJpeg: Premature end of input file).',
  hint: 'Re-export or re-download the original.',
  gui: { message: 'This photo file is damaged: part of it is missing.', hint: 'Re-export or re-download the original and open that copy.' },
};

test('a failed photo keeps its hint and window wording across reopening; a new run clears them', () => {
  const file = join(tempDir(), 'library.db');
  let store = SqliteLibraryStore.open(file);
  const [a, b] = store.add('app', [found('/photos/a.jpg'), found('/photos/b.jpg')]);
  store.markRunning(a.id, 'h');
  store.markFailed(a.id, damaged);
  const taken: ErrorPayload = { code: 'OUTPUT_EXISTS', message: '"x" already exists.', hint: 'Pass --overwrite to replace it.', gui: { hint: 'Choose another name.' } };
  store.markSkipped(b.id, taken);
  store.close();

  store = SqliteLibraryStore.open(file);
  assert.deepEqual(store.get(a.id)?.error, damaged);
  assert.deepEqual(store.get(b.id)?.error, taken);
  // No wording at all stays none (not an empty object).
  store.markFailed(a.id, { code: 'INTERNAL', message: 'Unexpected error: x' });
  assert.deepEqual(store.get(a.id)?.error, { code: 'INTERNAL', message: 'Unexpected error: x' });
  store.markFailed(a.id, damaged);
  store.markRunning(a.id, 'h');
  assert.equal(store.get(a.id)?.error, undefined);
  store.markFailed(a.id, damaged);
  store.markPending([a.id]);
  assert.equal(store.get(a.id)?.error, undefined);
  store.close();
});

test('a library of schema 1 is migrated: its failed photos read as before, new failures keep their wording', () => {
  const file = join(tempDir(), 'library.db');
  const old = new sqlite.Database(file);
  old.exec(MIGRATIONS[0]);
  old.exec('PRAGMA user_version=1');
  old.run(
    "INSERT INTO photos (scope, input, source_root, rel, state, error_code, error_message, added_at, updated_at) VALUES ('app', '/photos/a.jpg', '/photos', 'a.jpg', 'failed', 'CORRUPT_IMAGE', 'cut', 1, 1)",
  );
  old.close();

  const store = SqliteLibraryStore.open(file);
  try {
    const [a] = store.list('app');
    assert.deepEqual(a.error, { code: 'CORRUPT_IMAGE', message: 'cut' });
    store.markFailed(a.id, damaged);
    assert.deepEqual(store.get(a.id)?.error, damaged);
  } finally {
    store.close();
  }
  const check = new sqlite.Database(file);
  assert.equal(Number(check.get('PRAGMA user_version')?.user_version), MIGRATIONS.length);
  check.close();
});
