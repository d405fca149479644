// Finding a batch's photos: top level or recursive, hidden files skipped, folder links not
// followed, the output folder and earlier outputs never read back as inputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../testing/fixtures';
import { findInputs } from './find-inputs';
import { candidateName, outputExtension, outputFolder } from './output-plan';

function tree(): string {
  const root = tempDir();
  for (const dir of ['in/sub dir/ünï', 'in/.hidden', 'in/other', 'elsewhere']) mkdirSync(join(root, dir), { recursive: true });
  for (const f of ['in/a.jpg', 'in/img10.png', 'in/img2.png', 'in/notes.txt', 'in/.dot.jpg', 'in/sub dir/a.jpg', 'in/sub dir/ünï/photo 1.heic', 'in/.hidden/h.png', 'in/other/a.jpg', 'elsewhere/far.jpg']) {
    writeFileSync(join(root, f), 'x');
  }
  symlinkSync(join(root, 'elsewhere'), join(root, 'in', 'linked'));
  return root;
}

test('a folder: top level by default, the whole tree with recursive, in natural order', async () => {
  const root = tree();
  const top = await findInputs(['in'], root, { recursive: false });
  assert.deepEqual(top.found.map((f) => f.rel), ['a.jpg', 'img2.png', 'img10.png']);
  const all = await findInputs(['in'], root, { recursive: true });
  assert.deepEqual(all.found.map((f) => f.rel), ['a.jpg', 'img2.png', 'img10.png', 'other/a.jpg', 'sub dir/a.jpg', 'sub dir/ünï/photo 1.heic']);
  assert.ok(all.found.every((f) => f.sourceRoot === join(root, 'in')));
  assert.ok(!all.found.some((f) => f.input.includes('far.jpg')), 'a link to a folder is not followed');
});

test('the output folder inside the input tree and earlier outputs are never inputs', async () => {
  const root = tree();
  mkdirSync(join(root, 'in', 'restored'));
  writeFileSync(join(root, 'in', 'restored', 'a-restored.jpg'), 'x');
  writeFileSync(join(root, 'in', 'a-restored.jpg'), 'x');
  writeFileSync(join(root, 'in', 'a-restored.entropy.png'), 'x');
  const outputs = new Set([join(root, 'in', 'a-restored.jpg')]);
  const r = await findInputs(['in', 'in/a-restored.jpg'], root, { recursive: true, exclude: [join(root, 'in', 'restored')], isOutput: (p) => outputs.has(p) });
  assert.ok(!r.found.some((f) => f.input.includes('restored')), r.found.map((f) => f.rel).join());
  assert.deepEqual(r.ignored.map((i) => i.reason), ['it is a restored photo PURE Studio wrote']);
});

test('a file named explicitly is taken whatever its name; a missing path is refused', async () => {
  const root = tree();
  const r = await findInputs(['in/notes.txt'], root, { recursive: false });
  assert.deepEqual(r.found.map((f) => [f.rel, f.sourceRoot]), [['notes.txt', join(root, 'in')]]);
  await assert.rejects(findInputs(['nope'], root, { recursive: false }), { code: 'INPUT_NOT_FOUND' });
});

test('mirrored output paths and names', () => {
  const f = { input: '/p/in/sub dir/a.heic', sourceRoot: '/p/in', rel: 'sub dir/a.heic' };
  assert.equal(outputFolder(f, '/out'), '/out/sub dir');
  assert.equal(outputFolder(f, undefined), '/p/in/sub dir');
  assert.equal(outputExtension(f.input), '.png', 'HEIC cannot be written: PNG');
  assert.equal(outputExtension('/x/b.JPG'), '.JPG');
  assert.equal(candidateName(f.input, '.png', 1), 'a-restored.png');
  assert.equal(candidateName(f.input, '.png', 2), 'a-restored-2.png');
});

test('the output folder is left out also when the input folder is named through a link', async () => {
  const root = tree();
  mkdirSync(join(root, 'in', 'restored'));
  writeFileSync(join(root, 'in', 'restored', 'x.jpg'), 'x');
  symlinkSync(join(root, 'in'), join(root, 'via-link'));
  const r = await findInputs(['via-link'], root, { recursive: true, exclude: [join(root, 'in', 'restored')] });
  assert.ok(r.found.length > 0);
  assert.ok(!r.found.some((f) => f.rel.startsWith('restored/')), r.found.map((f) => f.rel).join());
});
