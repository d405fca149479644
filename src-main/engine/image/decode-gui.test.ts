// A damaged photo and one above the pixel limit, as each window words them: the terminal keeps
// its message to the letter (the decoder's own words, the --max-pixels flag), while the app's
// window gets a plain sentence and a GUI action (GuiWording), the decoder's words only under
// Details.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { EngineError } from '../common/errors';
import { checkDimensions, decodeImage } from './decode';
import { photoLike, rasterSharp, tempDir } from './test-fixtures';

async function caught(promise: Promise<unknown>): Promise<EngineError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof EngineError, 'an EngineError');
  return error;
}

test('a truncated JPEG: the terminal names the decoder, the window says it plainly and to open a sound copy', async (t) => {
  const path = join(tempDir(t), 'cut.jpg');
  const bytes = await rasterSharp(photoLike(96, 64)).jpeg({ quality: 90 }).toBuffer();
  writeFileSync(path, bytes.subarray(0, bytes.length >> 1));
  const error = await caught(decodeImage(path, { maxPixels: 100_000_000 }));
  const payload = error.toPayload();
  assert.equal(payload.code, 'CORRUPT_IMAGE');
  assert.match(payload.message, /^".*cut\.jpg" is a damaged or truncated JPEG file \(.+\)\.$/, 'the CLI message as before');
  assert.equal(payload.hint, 'Re-export or re-download the original; an incomplete copy cannot be restored.');
  assert.equal(payload.gui?.message, `"${path}" is a damaged or truncated JPEG file.`);
  assert.match(payload.gui?.hint ?? '', /and open that copy/);
});

test('a photo above the pixel limit: no --max-pixels in the window', () => {
  const error = (() => {
    try {
      checkDimensions(10_000, 10_000, 40_000_000, 'big.png');
    } catch (e) {
      return e as EngineError;
    }
    assert.fail('refused');
  })();
  assert.match(error.message, /raise it with --max-pixels/);
  assert.match(error.hint ?? '', /--max-pixels 100000000/);
  assert.doesNotMatch(`${error.gui?.message} ${error.gui?.hint}`, /--|max-pixels/);
  assert.equal(error.gui?.hint, 'Crop or shrink the photo in another program, then open it again.');
});
