// Model errors carry two wordings: the terminal's, unchanged to the letter (CLI tests and users'
// scripts read it), and the window's (GuiWording), which speaks of the Models page's buttons and
// never of a command. Checked where the errors are made: a 404, too little disk, a model that
// is not installed, a download's recorded failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EngineError, toErrorPayload } from '../common/errors';
import { ensureFreeSpace } from './disk-space';
import { GUI_HINTS } from './gui-hints';
import { locatePackage } from './model-store';
import { readPullFailure, recordPullFailure } from './pull-failure';
import { httpStatusError } from './transfer-errors';
import { tempDir } from '../../testing/fixtures';

/** What a terminal hint looks like: a command, a flag, or a name in backticks. */
const COMMAND = /npm run|`|(^|\s)--[a-z]/;

test('no GUI hint names a command', () => {
  for (const [name, hint] of Object.entries(GUI_HINTS)) assert.doesNotMatch(hint, COMMAND, name);
});

test('a file the server no longer has: `models import` for the terminal, Import folder… for the window', () => {
  const payload = httpStatusError(404, 'https://example.invalid/m.onnx').toPayload();
  assert.equal(payload.hint, 'The model catalog may be out of date: update PURE Studio, or download the files yourself and use `models import`.');
  assert.equal(payload.gui?.hint, GUI_HINTS.catalogOutOfDate);
  assert.match(payload.gui?.hint ?? '', /Import folder… on the Models page/);
});

test('too little disk: `npm run models -- move` for the terminal, Move… for the window', async () => {
  const error = await ensureFreeSpace(tempDir(), 2e9, 'PURE 7B', async () => 1e9).then(() => undefined, (e: unknown) => e as EngineError);
  assert.equal(error?.code, 'INSUFFICIENT_DISK');
  assert.equal(error?.hint, 'Free some space, or move the models folder to a bigger disk (`npm run models -- move <folder>`).');
  assert.match(error?.gui?.hint ?? '', /Move… on the Models page/);
});

test('a default model that is not installed: `npm run setup-models` for the terminal, the Models page for the window', async () => {
  const error = await locatePackage('realesrgan-x4plus', tempDir()).then(() => undefined, (e: unknown) => e as EngineError);
  assert.equal(error?.code, 'MODEL_MISSING');
  assert.equal(error?.hint, 'Run `npm run setup-models` to install the default models.');
  assert.equal(error?.gui?.hint, GUI_HINTS.install);
});

test('a recorded pull failure keeps the window wording across a restart', async () => {
  const home = tempDir();
  await recordPullFailure('m', home, 'download', httpStatusError(404, 'https://example.invalid/m.onnx'));
  const read = await readPullFailure('m', home);
  assert.equal(read?.gui?.hint, GUI_HINTS.catalogOutOfDate);
  assert.equal(toErrorPayload(EngineError.fromPayload({ code: 'NETWORK', message: 'm', gui: { hint: 'h' } })).gui?.hint, 'h', 'and across a process boundary');
});
