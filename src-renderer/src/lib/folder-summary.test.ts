// What the in-page folder picker says of a folder beyond its sub-folders: the model package it
// holds, with its file count and size, and the button that imports it; else its other files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FolderListing } from '../../../src-main/protocol/api';
import { emptyLine, packageNote } from './folder-summary';

const listing = (extra: Partial<FolderListing>): FolderListing => ({ path: '/root/pkg', entries: [], otherFiles: { count: 0, bytes: 0 }, ...extra });

test('a PURE package folder says what it holds and how to import it', () => {
  const pkg = listing({ otherFiles: { count: 7, bytes: 3 * 1024 ** 2 }, modelPackage: { kind: 'pure-package', name: 'PURE tiny', testModel: true, dtype: 'fp32' } });
  assert.equal(packageNote(pkg, 'Import this folder'), 'This folder holds a PURE model package, “PURE tiny” (a TEST MODEL, fp32), 7 files, 3.0 MB: choose it with “Import this folder”.');
  assert.equal(packageNote(listing({}), 'Import this folder'), undefined);
});

test('a folder with files but no sub-folders is not called empty', () => {
  assert.equal(emptyLine(listing({ otherFiles: { count: 1, bytes: 2048 } }), 'folders'), 'No folders here; 1 file of other kinds (2 KB).');
  assert.equal(emptyLine(listing({}), 'folders'), 'This folder is empty.');
  assert.equal(emptyLine(listing({}), 'photos'), 'No photos or folders here.');
});
