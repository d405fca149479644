// The window's wording of an error (errors.ts, readable): the engine's GUI wording where it gives
// one, a terminal hint (a command, a flag, backticks) never, and the engine's own message under
// Details whenever a plainer one is shown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readable } from './errors';

test('an error worded for the window shows that wording, with the terminal message under Details', () => {
  const text = readable(
    {
      code: 'CORRUPT_IMAGE',
      message: '"/photos/cut.jpg" is a damaged or truncated JPEG file (VipsJpeg: Premature end of input file).',
      hint: 'Re-export or re-download the original; an incomplete copy cannot be restored.',
      gui: { message: '"/photos/cut.jpg" is a damaged or truncated JPEG file.', hint: 'Open another copy of the photo: re-export or re-download the original.' },
    },
    '/photos/cut.jpg',
  );
  assert.equal(text.message, '“cut.jpg” is a damaged or truncated JPEG file.');
  assert.equal(text.hint, 'Open another copy of the photo: re-export or re-download the original.');
  assert.match(text.details ?? '', /VipsJpeg/);
});

test('a GUI hint replaces a terminal one', () => {
  const text = readable({
    code: 'INSUFFICIENT_DISK',
    message: 'PURE 7B needs 29.0 GB of free space in /home/me/models; only 3.0 GB is free.',
    hint: 'Free some space, or move the models folder to a bigger disk (`npm run models -- move <folder>`).',
    gui: { hint: 'Free some space, or move the models folder to a bigger disk with Move… on the Models page.' },
  });
  assert.equal(text.hint, 'Free some space, or move the models folder to a bigger disk with Move… on the Models page.');
});

test('a terminal hint that arrives without GUI wording is not shown', () => {
  for (const hint of ['Run `npm run setup-models` to install the default models.', 'download the files yourself and use `models import`.', 'Use a smaller tile (--tile 128).', 'npm run models -- move <folder>']) {
    const text = readable({ code: 'NETWORK', message: 'The server has no file at https://example.invalid/m (HTTP 404).', hint });
    assert.equal(text.hint, undefined, hint);
  }
  assert.equal(readable({ code: 'NETWORK', message: 'm', hint: 'Try again later.' }).hint, 'Try again later.', 'a plain hint stays');
});
