import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { isAbsolutePath, lexicalProblem, MediaScope } from './media-scope';

// A real folder with real symlinks: the point is what the operating system resolves.
//   root/opened.jpg            opened by the person
//   root/other.jpg             in the same folder, never opened
//   root/cache/thumb.webp      inside the app's own cache folder
//   root/cache-evil/x.webp     a sibling whose name starts like the cache folder
//   root/link-out -> /etc/hostname-like secret outside
//   root/link-in -> opened.jpg
//   root/cache/escape -> ../other.jpg   a symlink inside the cache pointing out of it
const root = realpathSync(mkdtempSync(join(tmpdir(), 'pure-scope-')));
const outside = realpathSync(mkdtempSync(join(tmpdir(), 'pure-scope-outside-')));
const file = (path: string) => {
  writeFileSync(path, 'x');
  return path;
};
const opened = file(join(root, 'opened.jpg'));
const other = file(join(root, 'other.jpg'));
mkdirSync(join(root, 'cache'));
mkdirSync(join(root, 'cache-evil'));
const thumb = file(join(root, 'cache', 'thumb.webp'));
const evil = file(join(root, 'cache-evil', 'x.webp'));
const secret = file(join(outside, 'secret.txt'));
symlinkSync(secret, join(root, 'link-out'));
symlinkSync(opened, join(root, 'link-in'));
symlinkSync(other, join(root, 'cache', 'escape'));

after(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

async function scope(): Promise<MediaScope> {
  const s = new MediaScope({ realpath });
  await s.allowFile(opened);
  await s.allowFolder(join(root, 'cache'));
  return s;
}

const refused = async (s: MediaScope, path: string, reason?: RegExp) => {
  const decision = await s.check(path);
  assert.equal(decision.allowed, false, `${path} should be refused`);
  if (reason && !decision.allowed) assert.match(decision.reason, reason);
};

describe('MediaScope', () => {
  test('an opened file and files in an allowed folder are served by their real path', async () => {
    const s = await scope();
    assert.deepEqual(await s.check(opened), { allowed: true, path: opened });
    assert.deepEqual(await s.check(thumb), { allowed: true, path: thumb });
  });

  test('a file beside an opened one, never opened itself, is refused', async () => {
    await refused(await scope(), other, /outside/);
  });

  test('.. is refused even when it would land on an allowed file', async () => {
    const s = await scope();
    await refused(s, `${root}/cache/../opened.jpg`, /\.\./); // (join() would tidy the .. away)
    await refused(s, `${root}/cache/../../${outside.split('/').pop()}/secret.txt`, /\.\./);
    await refused(s, `${root}\\cache\\..\\other.jpg`, /\.\./);
  });

  test('absolute paths outside the allowed set are refused', async () => {
    const s = await scope();
    await refused(s, '/etc/passwd', /outside/);
    await refused(s, secret, /outside/);
    await refused(s, evil, /outside/); // a name sharing the cache folder's prefix is not inside it
  });

  test('relative paths, NUL bytes and missing files are refused', async () => {
    const s = await scope();
    await refused(s, 'opened.jpg', /absolute/);
    await refused(s, './opened.jpg', /absolute/);
    await refused(s, `${opened}\0.png`, /NUL/);
    await refused(s, join(root, 'missing.jpg'), /exist/);
    await refused(s, '', /length/);
  });

  test('symlinks are judged by where they lead', async () => {
    const s = await scope();
    await refused(s, join(root, 'link-out'), /outside/);
    await refused(s, join(root, 'cache', 'escape'), /outside/); // inside the cache by name only
    assert.deepEqual(await s.check(join(root, 'link-in')), { allowed: true, path: opened });
  });

  test('allowing a symlink allows its target as it is now, not whatever it points to later', async () => {
    const s = new MediaScope({ realpath });
    const link = join(root, 'moving-link');
    symlinkSync(opened, link);
    await s.allowFile(link);
    rmSync(link);
    symlinkSync(secret, link);
    await refused(s, link, /outside/);
    assert.equal((await s.check(opened)).allowed, true);
  });

  test('isAllowedFile is true only for opened or produced files, not for folder contents', async () => {
    const s = await scope();
    assert.equal(await s.isAllowedFile(opened), true);
    assert.equal(await s.isAllowedFile(thumb), false);
    assert.equal(await s.isAllowedFile(`${root}/cache/../opened.jpg`), false);
  });

  test('nothing can be allowed through a relative or .. path', async () => {
    const s = new MediaScope({ realpath });
    await assert.rejects(s.allowFile('opened.jpg'), /absolute/);
    await assert.rejects(s.allowFolder(`${root}/cache/..`), /\.\./);
  });
});

describe('path checks without a disk', () => {
  test('absolute paths on both platforms', () => {
    for (const path of ['/a', 'C:\\a', 'c:/a', '\\\\server\\share\\a']) assert.equal(isAbsolutePath(path), true, path);
    for (const path of ['a', './a', 'C:a', '~/a']) assert.equal(isAbsolutePath(path), false, path);
  });

  test('.. as a segment is a problem; as part of a name it is not', () => {
    assert.equal(lexicalProblem('/photos/..'), 'contains ..');
    assert.equal(lexicalProblem('/photos/a..b.jpg'), undefined);
    assert.equal(lexicalProblem('/photos/..hidden'), undefined);
  });
});
