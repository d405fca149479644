import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { extractFromTgz } from './tarball';
import { tempDir } from '../../testing/fixtures';

for (const format of ['gnu', 'pax', 'ustar']) test(`takes only the wanted files out of a real gzipped ${format} tar, byte for byte`, () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'package/deep/models'), { recursive: true });
  // > 100 chars: a GNU long-name entry, a pax header, or ustar's prefix field
  const long = `package/deep/models/${'x'.repeat(format === 'ustar' ? 60 : 120)}.bin`;
  const bin = Uint8Array.from({ length: 1500 }, (_, i) => (i * 31) % 256);
  writeFileSync(join(dir, long), bin);
  writeFileSync(join(dir, 'package/deep/models/a.param'), '7767517\n');
  writeFileSync(join(dir, 'package/other.js'), 'not wanted');
  execFileSync('tar', [`--format=${format}`, '-czf', join(dir, 'p.tgz'), '-C', dir, 'package']);
  const found = extractFromTgz(readFileSync(join(dir, 'p.tgz')), [long, 'package/deep/models/a.param', 'package/missing']);
  assert.deepEqual([...found.keys()].sort(), [long, 'package/deep/models/a.param'].sort());
  assert.deepEqual(found.get(long), bin);
  assert.equal(new TextDecoder().decode(found.get('package/deep/models/a.param')), '7767517\n');
});

test('a file that is not gzip is refused with MODEL_FORMAT', () => {
  assert.throws(() => extractFromTgz(new TextEncoder().encode('hello'), ['x']), { code: 'MODEL_FORMAT' });
});
