// Selecting photos: click, Ctrl-click, Shift-click and Ctrl+Shift-click, on a list of five.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { afterClick } from './selection-rules';
import type { SelectionState } from './selection-rules';

const order = ['a', 'b', 'c', 'd', 'e'];
const none: SelectionState = { keys: new Set(), anchor: undefined };
const keys = (state: SelectionState): string[] => [...state.keys].sort();

test('a click selects that one only and becomes the anchor', () => {
  const state = afterClick({ keys: new Set(['a', 'b']), anchor: 'a' }, 'c', order);
  assert.deepEqual(keys(state), ['c']);
  assert.equal(state.anchor, 'c');
  assert.equal(state.selected, true);
});

test('Ctrl-click toggles one and moves the anchor', () => {
  let state = afterClick(afterClick(none, 'b', order), 'd', order, { toggle: true });
  assert.deepEqual(keys(state), ['b', 'd']);
  assert.equal(state.anchor, 'd');
  state = afterClick(state, 'b', order, { toggle: true });
  assert.deepEqual(keys(state), ['d']);
  assert.equal(state.selected, false);
});

test('Shift-click selects the range from the anchor, either way, and keeps the anchor', () => {
  const start = afterClick(none, 'b', order);
  const down = afterClick(start, 'd', order, { range: true });
  assert.deepEqual(keys(down), ['b', 'c', 'd']);
  assert.equal(down.anchor, 'b');
  // A second Shift-click replaces the range, from the same anchor.
  assert.deepEqual(keys(afterClick(down, 'a', order, { range: true })), ['a', 'b']);
});

test('Ctrl+Shift-click adds the range to what is selected', () => {
  const state = afterClick(afterClick(afterClick(none, 'a', order), 'd', order, { toggle: true }), 'e', order, { toggle: true, range: true });
  assert.deepEqual(keys(state), ['a', 'd', 'e']);
});

test('Shift-click with no anchor (or one no longer listed) is a plain click', () => {
  assert.deepEqual(keys(afterClick(none, 'c', order, { range: true })), ['c']);
  assert.deepEqual(keys(afterClick({ keys: new Set(['x']), anchor: 'x' }, 'c', order, { range: true })), ['c']);
});
