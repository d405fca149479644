import assert from 'node:assert/strict';
import { linkSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { isSameFile, writeError, writeFileAtomic } from './output-file';
import { tempDir } from './test-fixtures';

const errno = (code: string): NodeJS.ErrnoException => Object.assign(new Error(`${code}: synthetic`), { code });

test('write errors map to what a user can act on', () => {
  for (const code of ['ENOSPC', 'EDQUOT']) {
    const error = writeError(errno(code), '/photos/out.png');
    assert.equal(error.code, 'DISK_FULL');
    assert.match(error.message, /disk is full.*nothing was written/);
    assert.ok(error.hint);
  }
  for (const code of ['EACCES', 'EPERM', 'EROFS']) assert.equal(writeError(errno(code), '/ro/out.png').code, 'OUTPUT_UNWRITABLE');
  assert.match(writeError(errno('ENOENT'), '/nowhere/out.png').message, /"\/nowhere" does not exist/);
  assert.equal(writeError(errno('EEXIST'), '/x/out.png').code, 'OUTPUT_EXISTS');
  assert.equal(writeError(errno('EIO'), '/x/out.png').code, 'OUTPUT_UNWRITABLE');
});

test('isSameFile sees through relative paths, symlinks and hard links', async (t) => {
  const dir = tempDir(t);
  const a = join(dir, 'a.jpg');
  writeFileSync(a, 'a');
  writeFileSync(join(dir, 'b.jpg'), 'b');
  symlinkSync(a, join(dir, 'sym.jpg'));
  linkSync(a, join(dir, 'hard.jpg'));
  assert.equal(await isSameFile(a, join(dir, '.', 'x', '..', 'a.jpg')), true);
  assert.equal(await isSameFile(join(dir, 'sym.jpg'), a), true);
  assert.equal(await isSameFile(join(dir, 'hard.jpg'), a), true);
  assert.equal(await isSameFile(join(dir, 'b.jpg'), a), false);
  assert.equal(await isSameFile(join(dir, 'new.jpg'), a), false);
});

test('writeFileAtomic writes whole files and replaces only with overwrite', async (t) => {
  const dir = tempDir(t);
  const out = join(dir, 'out.bin');
  const data = new Uint8Array(9 * 1024 * 1024).map((_, i) => i % 251); // several write chunks
  await writeFileAtomic(out, data, { overwrite: false });
  assert.deepEqual(new Uint8Array(readFileSync(out)), data);
  await assert.rejects(writeFileAtomic(out, new Uint8Array([1]), { overwrite: false }), { code: 'OUTPUT_EXISTS' });
  await writeFileAtomic(out, new Uint8Array([1, 2, 3]), { overwrite: true });
  assert.deepEqual([...readFileSync(out)], [1, 2, 3]);
  assert.deepEqual(readdirSync(dir), ['out.bin']);
});
