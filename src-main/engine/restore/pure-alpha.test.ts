// PURE sees a transparent photo as upstream does: composited onto white (spec section 5). Two
// inputs that look the same (the same visible pixels, different colours hidden under alpha 0)
// must restore to the same picture, and the alpha comes back as it was. On the TEST MODEL
// (random weights in PURE's real formats): this proves what the model is given, not quality.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import sharp from 'sharp';
import { makeTinyPureCheckpoint } from '../pure/fixtures/make-tiny-checkpoint';
import { convertPure } from '../pure/package/convert-pure';
import { Restorer } from './restore';
import { photo, tempDir } from '../../testing/fixtures';

const dir = tempDir();
const model = join(dir, 'pure-tiny');
const restorer = new Restorer(join(dir, 'home'));
test.after(() => restorer.close());

test.before(async () => {
  const made = await makeTinyPureCheckpoint(join(dir, 'checkpoint'), { seed: 5 });
  await convertPure({ checkpoint: join(dir, 'checkpoint'), vq: made.vqFile, out: model, dtype: 'fp32' });
});

const W = 96;
const H = 64;

/** A photo crop whose right half is fully transparent, with `hidden` (r, g, b) under it. */
async function transparentRight(path: string, hidden: (x: number, y: number) => number[]): Promise<void> {
  const { data } = await sharp(photo('chelsea.png')).extract({ left: 80, top: 40, width: W, height: H }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const rgba = Buffer.alloc(W * H * 4);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const p = y * W + x;
      const visible = x < W / 2;
      const colour = visible ? [data[p * 3], data[p * 3 + 1], data[p * 3 + 2]] : hidden(x, y);
      rgba.set([...colour, visible ? 255 : 0], p * 4);
    }
  }
  await sharp(rgba, { raw: { width: W, height: H, channels: 4 } }).png().toFile(path);
}

test('colours hidden under transparent pixels do not change what PURE restores; alpha is kept', { timeout: 300_000 }, async () => {
  const black = join(dir, 'black.png');
  const noisy = join(dir, 'noisy.png');
  await transparentRight(black, () => [0, 0, 0]);
  await transparentRight(noisy, (x, y) => [(x * 37) % 256, (y * 91) % 256, ((x + y) * 53) % 256]);
  const options = { engine: 'pure' as const, model, threads: 2, seed: 7, caption: 'noise: small, blur: small. A cat.', maxNewTokens: 120 };
  await restorer.restore(black, join(dir, 'black-x4.png'), options);
  await restorer.restore(noisy, join(dir, 'noisy-x4.png'), options);
  const a = await sharp(join(dir, 'black-x4.png')).raw().toBuffer({ resolveWithObject: true });
  const b = await sharp(join(dir, 'noisy-x4.png')).raw().toBuffer({ resolveWithObject: true });
  assert.deepEqual([a.info.width, a.info.height, a.info.channels], [W * 4, H * 4, 4]);
  let differing = 0;
  for (let i = 0; i < a.data.length; i++) if (a.data[i] !== b.data[i]) differing++;
  assert.equal(differing, 0, `${differing} samples differ between the two restorations`);
  // The alpha is re-attached: opaque on the left, transparent on the right.
  assert.equal(a.data[(10 * W * 4 + 10) * 4 + 3], 255);
  assert.equal(a.data[(10 * W * 4 + W * 4 - 10) * 4 + 3], 0);
});
