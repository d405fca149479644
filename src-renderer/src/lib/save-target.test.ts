// What the Save dialog says about the name typed: free, a file to replace, a folder, the original.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clashOf } from './save-target';

const entries = new Map<string, 'folder' | 'photo'>([
  ['rocket launch.jpg', 'photo'],
  ['rocket launch-restored.png', 'photo'],
  ['album.png', 'folder'],
]);

test('a free name, a taken one, a folder and the original are told apart', () => {
  const original = '/photos/holiday/rocket launch.jpg';
  assert.equal(clashOf('/photos/holiday', 'new.png', entries, original), 'none');
  assert.equal(clashOf('/photos/holiday', 'rocket launch-restored.png', entries, original), 'file');
  assert.equal(clashOf('/photos/holiday', 'Rocket Launch-Restored.PNG', entries, original), 'file', 'case does not free a name');
  assert.equal(clashOf('/photos/holiday', 'album.png', entries, original), 'folder');
  assert.equal(clashOf('/photos/holiday', 'rocket launch.jpg', entries, original), 'original');
  assert.equal(clashOf('/photos/holiday', 'ROCKET LAUNCH.jpg', entries, original), 'original');
});

test('the same name in another folder is not the original', () => {
  assert.equal(clashOf('/photos/other', 'rocket launch.jpg', entries, '/photos/holiday/rocket launch.jpg'), 'file');
  assert.equal(clashOf('C:\\photos\\holiday', 'rocket launch.jpg', entries, 'C:\\photos\\holiday\\rocket launch.jpg'), 'original');
  assert.equal(clashOf('/photos/holiday', 'rocket launch.jpg', entries, undefined), 'file');
});

test('another photo of the library is an original too, never a file to replace', () => {
  const library = ['/photos/holiday/rocket launch.jpg', '/photos/holiday/Grandma.png', '/photos/other/x.png'];
  const listing = new Map<string, 'folder' | 'photo'>([...entries, ['grandma.png', 'photo'], ['x.png', 'photo']]);
  assert.equal(clashOf('/photos/holiday', 'grandma.png', listing, '/photos/holiday/rocket launch.jpg', library), 'library-original');
  assert.equal(clashOf('/photos/holiday', 'rocket launch.jpg', listing, '/photos/holiday/rocket launch.jpg', library), 'original', 'its own comes first');
  assert.equal(clashOf('/photos/holiday', 'x.png', listing, undefined, library), 'file', 'the library’s x.png is in another folder');
  assert.equal(clashOf('/photos/holiday', 'rocket launch-restored.png', listing, undefined, library), 'file');
});
