import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StepTracker, imageSlotAt } from './step-tracker';

const IDS = { imageStart: 8197, imageEnd: 8196, gridBase: 8804 };
const GRID_512 = 8804 + 16; // 512 px / 32 px patches = 16 -> 64 latent tokens

test('inside a 64x64 image: a row end at every (position + 1) % 65 == 0, the image end after row 64', () => {
  const slots = Array.from({ length: 4161 }, (_, p) => imageSlotAt(p, 64, 64));
  const rowEnds = slots.flatMap((s, p) => (s === 'rowEnd' ? [p] : []));
  // Positions 64, 129, ..., 4159: after each run of 64 codes.
  assert.deepEqual(rowEnds, Array.from({ length: 64 }, (_, r) => 65 * r + 64));
  assert.equal(slots[4160], 'imageEnd'); // 4160 + 1 = 65 * 64 + 1
  assert.equal(slots.filter((s) => s === 'code').length, 4096);
});

test('text -> image start -> two grid tokens -> image -> image end -> text', () => {
  const t = new StepTracker(IDS);
  assert.equal(t.next().mode, 'text');
  t.push(1234); // ordinary text
  assert.equal(t.next().mode, 'text');
  t.push(IDS.imageStart);
  assert.deepEqual(t.next(), { mode: 'grid', index: 0 }); // grid tokens: image mode, no mask, no CFG
  assert.equal(t.inImage, false);
  t.push(GRID_512);
  assert.deepEqual(t.next(), { mode: 'grid', index: 1 });
  t.push(GRID_512);
  assert.equal(t.inImage, true); // CFG starts only now, after image start + both grid tokens
  assert.deepEqual(t.next(), { mode: 'image', position: 0, slot: 'code', height: 64, width: 64 });

  let rowEnds = 0;
  for (let p = 0; p < 4160; p++) {
    const step = t.next();
    assert.equal(step.mode, 'image');
    if (step.mode !== 'image') return;
    assert.equal(step.position, p);
    if (step.slot === 'rowEnd') rowEnds++;
    t.push(step.slot === 'rowEnd' ? 8803 : 100);
  }
  assert.equal(rowEnds, 64);
  const last = t.next();
  assert.ok(last.mode === 'image' && last.slot === 'imageEnd');
  t.push(IDS.imageEnd);
  assert.equal(t.inImage, false); // reset: no CFG, no mask
  assert.equal(t.next().mode, 'text');
});

test('a token that is not a grid token cannot set the image size', () => {
  const t = new StepTracker(IDS);
  t.push(IDS.imageStart);
  assert.throws(() => t.push(42), /not a grid token/);
});

test('a 2x3 image from its grid tokens (latent = grid * 4)', () => {
  // The layout rule on a small grid: width 3 -> row ends at positions 3 and 7, image end at 8.
  assert.deepEqual(
    Array.from({ length: 9 }, (_, p) => imageSlotAt(p, 3, 2)),
    ['code', 'code', 'code', 'rowEnd', 'code', 'code', 'code', 'rowEnd', 'imageEnd'],
  );
  const t = new StepTracker(IDS, 1); // one latent per grid unit, to keep the image small
  t.push(IDS.imageStart);
  t.push(8804 + 2);
  t.push(8804 + 3);
  const step = t.next();
  assert.ok(step.mode === 'image' && step.height === 2 && step.width === 3);
});
