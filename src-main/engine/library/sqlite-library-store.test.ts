// The library database: state changes survive reopening, migrations run once, a damaged file is
// moved aside (not lost), and a lock left by a process killed inside a write does not lock the
// library for ever.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../testing/fixtures';
import { LOCK_STALE_MS } from './library-db';
import { SqliteLibraryStore } from './sqlite-library-store';

const found = (input: string) => ({ input, sourceRoot: '/photos', rel: input.slice('/photos/'.length) });

test('photos, states and settings persist across reopening', () => {
  const file = join(tempDir(), 'library.db');
  let store = SqliteLibraryStore.open(file);
  const [a, b] = store.add('app', [found('/photos/a.jpg'), found('/photos/sub/b.jpg')]);
  assert.deepEqual([a.state, a.rel, b.rel], ['pending', 'a.jpg', 'sub/b.jpg']);
  // Adding again keeps the existing records (and their ids).
  assert.deepEqual(store.add('app', [found('/photos/a.jpg')]).map((r) => r.id), [a.id]);
  store.planOutput(a.id, '/out/a-restored.jpg');
  store.markRunning(a.id, 'h1');
  store.markDone(a.id, { output: '/out/a-restored.jpg', settingsHash: 'h1', fingerprint: { size: 10, mtimeMs: 123.5, sha256: 'ab' }, result: { pure: { caption: 'A cat.' } } });
  store.markRunning(b.id, 'h1');
  store.markFailed(b.id, { code: 'CORRUPT_IMAGE', message: 'cut' });
  store.setOverrides(b.id, { caption: 'noise: large' });
  store.setMeta('app', 'outputFolder', '/out');
  store.close();

  store = SqliteLibraryStore.open(file);
  const [a2, b2] = store.list('app');
  assert.equal(a2.state, 'done');
  assert.deepEqual(a2.fingerprint, { size: 10, mtimeMs: 123.5, sha256: 'ab' });
  assert.deepEqual(a2.result, { pure: { caption: 'A cat.' } });
  assert.equal(a2.attempts, 1);
  assert.deepEqual([b2.state, b2.error?.code, b2.overrides?.caption], ['failed', 'CORRUPT_IMAGE', 'noise: large']);
  assert.equal(store.getMeta('app', 'outputFolder'), '/out');
  assert.deepEqual(store.counts('app'), { pending: 0, running: 0, done: 1, failed: 1, skipped: 0, total: 2 });
  assert.equal(store.isOutput('/out/a-restored.jpg'), true);
  assert.equal(store.isOutput('/out/other.jpg'), false);
  assert.deepEqual([...store.outputsIn('/out')], ['/out/a-restored.jpg']);
  assert.equal(store.list('other-scope').length, 0, 'scopes are apart');
  store.close();
});

test('a photo left running by a killed process comes back as pending', () => {
  const store = SqliteLibraryStore.open(join(tempDir(), 'library.db'));
  const [a] = store.add('cli:x', [found('/photos/a.jpg')]);
  store.markRunning(a.id, 'h');
  assert.equal(store.recoverInterrupted('cli:x'), 1);
  assert.equal(store.get(a.id)?.state, 'pending');
  store.close();
});

test('a damaged database file is moved aside and a new library starts', () => {
  const dir = tempDir();
  const file = join(dir, 'library.db');
  writeFileSync(file, Buffer.alloc(8192, 0x5a)); // not SQLite at all
  const lines: string[] = [];
  const store = SqliteLibraryStore.open(file, { log: (l) => lines.push(l) });
  store.add('app', [found('/photos/a.jpg')]);
  assert.equal(store.list('app').length, 1);
  store.close();
  const aside = readdirSync(dir).filter((n) => n.startsWith('library.db.damaged-'));
  assert.equal(aside.length, 1, 'the damaged file is kept for the person to look at');
  assert.match(lines.join('\n'), /damaged/);
});

test('a lock left by a process killed inside a write is taken over once stale', () => {
  const dir = tempDir();
  const file = join(dir, 'library.db');
  SqliteLibraryStore.open(file).close();
  // What node-sqlite3-wasm leaves when killed inside a transaction: its lock folder.
  mkdirSync(`${file}.lock`);
  const old = (Date.now() - LOCK_STALE_MS - 2000) / 1000;
  utimesSync(`${file}.lock`, old, old);
  const lines: string[] = [];
  const store = SqliteLibraryStore.open(file, { log: (l) => lines.push(l) });
  store.add('app', [found('/photos/a.jpg')]);
  assert.equal(store.counts('app').total, 1);
  store.close();
  assert.equal(existsSync(`${file}.lock`), false);
  assert.match(lines.join('\n'), /stale lock/);
});

test('10,000 photos are added in one transaction and listed in pages', () => {
  const store = SqliteLibraryStore.open(join(tempDir(), 'library.db'));
  const many = Array.from({ length: 10_000 }, (_, i) => found(`/photos/f${Math.floor(i / 100)}/img${i}.jpg`));
  const records = store.add('app', many);
  assert.equal(records.length, 10_000);
  assert.equal(new Set(records.map((r) => r.id)).size, 10_000);
  assert.equal(store.counts('app').pending, 10_000);
  const page = store.list('app', { limit: 50, offset: 100 });
  assert.equal(page.length, 50);
  store.close();
});
