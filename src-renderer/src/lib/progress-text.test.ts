// The progress words, counted from 1 and quiet for a photo of one tile.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { joinWords, rowWords, tileWords } from './progress-text';

test('tiles and rows count from the one being worked on', () => {
  assert.equal(tileWords({ tilesDone: 0, tilesTotal: 1 }), '');
  assert.equal(tileWords({ tilesDone: 0, tilesTotal: 12 }), 'tile 1 of 12');
  assert.equal(tileWords({ tilesDone: 12, tilesTotal: 12 }), 'tile 12 of 12');
  assert.equal(rowWords({ rowsDone: 0, rows: 64 }), 'row 1 of 64');
  assert.equal(rowWords({ rowsDone: 64, rows: 64 }), 'row 64 of 64');
  assert.equal(joinWords('Restoring', '', 'tile 2 of 4'), 'Restoring · tile 2 of 4');
});
