// The menu's zoom and comparison items follow the page's photo: greyed out with none on show,
// and nothing else is ever greyed out by it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { APP_COMMANDS } from '../protocol/api';
import { commandEnabled, INITIAL_MENU_STATE, VIEWING_COMMANDS } from './menu-state';

test('zoom and comparison are enabled only while a photo can be looked at; every other command always', () => {
  assert.deepEqual([...VIEWING_COMMANDS].sort(), ['toggle-compare', 'zoom-actual', 'zoom-fit', 'zoom-in', 'zoom-out']);
  for (const command of APP_COMMANDS) {
    const viewer = VIEWING_COMMANDS.includes(command);
    assert.equal(commandEnabled(command, { viewing: false }), !viewer, `${command} with no photo`);
    assert.equal(commandEnabled(command, { viewing: true }), true, `${command} with a photo`);
  }
  // Until the page reports, nothing is on show.
  assert.equal(commandEnabled('zoom-in', INITIAL_MENU_STATE), false);
  assert.equal(commandEnabled('open-photos', INITIAL_MENU_STATE), true);
});
