// The region tool's mapping between the stage and the photo's pixels, at the zooms, pans and
// fits the viewer uses, and the rules a drawn region keeps (whole pixels, inside, 16 px a side).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mulberry32 } from '../../../src-main/testing/mulberry32';
import { clipToView, cropPlacement, describeRegion, MIN_REGION_SIDE, regionFromDrag, regionInView, sameRegion, toImage, toStage } from './region';
import type { Box } from './region';

const photo = { width: 160, height: 120 };

test('a point maps to the photo pixel under it, fitted, zoomed or panned', () => {
  // Fitted into 800x500: 600x450 (3.75x), centred; zoomed 4x; panned off the top-left.
  const boxes: Box[] = [
    { left: 100, top: 25, width: 600, height: 450 },
    { left: -80, top: -10, width: 640, height: 480 },
    { left: 33.5, top: 7.25, width: 80, height: 60 },
  ];
  for (const box of boxes) {
    const scale = box.width / photo.width;
    assert.deepEqual(toImage({ x: box.left, y: box.top }, box, photo), { x: 0, y: 0 });
    assert.deepEqual(toImage({ x: box.left + box.width, y: box.top + box.height }, box, photo), { x: 160, y: 120 });
    const p = toImage({ x: box.left + 40 * scale, y: box.top + 30 * scale }, box, photo);
    assert.ok(Math.abs(p.x - 40) < 1e-9 && Math.abs(p.y - 30) < 1e-9, `${JSON.stringify(p)} in ${JSON.stringify(box)}`);
  }
});

test('toStage is the inverse of toImage for any box and region', () => {
  const random = mulberry32(7);
  for (let i = 0; i < 200; i++) {
    const box = { left: random() * 400 - 200, top: random() * 400 - 200, width: 10 + random() * 900, height: 10 + random() * 700 };
    const region = { x: Math.floor(random() * 100), y: Math.floor(random() * 80), width: 16 + Math.floor(random() * 44), height: 16 + Math.floor(random() * 24) };
    const on = toStage(region, box, photo);
    const a = toImage({ x: on.left, y: on.top }, box, photo);
    const b = toImage({ x: on.left + on.width, y: on.top + on.height }, box, photo);
    for (const [got, want] of [
      [a.x, region.x],
      [a.y, region.y],
      [b.x, region.x + region.width],
      [b.y, region.y + region.height],
    ]) {
      assert.ok(Math.abs(got - want) < 1e-6, `${got} vs ${want}`);
    }
  }
});

test('a region shows on screen where its pixels are, zoomed in and panned, clipped to the view', () => {
  // The photo at 1000% in an 800x500 view, centred: its box is 1600x1200 at (-400, -350).
  const view = { width: 800, height: 500 };
  const zoomed = { left: -400, top: -350, width: 1600, height: 1200 };
  // Wholly on screen: exactly its pixels, 10 screen pixels each.
  assert.deepEqual(regionInView({ x: 48, y: 36, width: 48, height: 36 }, zoomed, photo, view), { left: 80, top: 10, width: 480, height: 360 });
  // Off the top-left: (-200, -250) to (400, 150), the part from the view's corner shows.
  assert.deepEqual(regionInView({ x: 20, y: 10, width: 60, height: 40 }, zoomed, photo, view), { left: 0, top: 0, width: 400, height: 150 });
  // Past every side of the view: the whole view is in the region.
  assert.deepEqual(regionInView({ x: 0, y: 0, width: 160, height: 120 }, zoomed, photo, view), { left: 0, top: 0, width: 800, height: 500 });
  // Panned 300 px left and 100 up: (420, 300) to (740, 620), cut at the bottom.
  const panned = { ...zoomed, left: zoomed.left - 300, top: zoomed.top - 100 };
  assert.deepEqual(regionInView({ x: 112, y: 75, width: 32, height: 32 }, panned, photo, view), { left: 420, top: 300, width: 320, height: 200 });
  // Wholly off screen, or only touching the view's edge: nothing to draw.
  assert.equal(regionInView({ x: 0, y: 0, width: 16, height: 16 }, zoomed, photo, view), undefined);
  assert.equal(regionInView({ x: 0, y: 0, width: 40, height: 16 }, zoomed, photo, view), undefined);
  assert.equal(clipToView({ left: 800, top: 10, width: 50, height: 50 }, view), undefined);
});

test('the clipped region is exactly the on-screen points of the region, for any zoom and pan', () => {
  const random = mulberry32(23);
  const view = { width: 640, height: 400 };
  for (let i = 0; i < 300; i++) {
    const zoom = 0.5 + random() * 15;
    const box = { left: random() * 1200 - 900, top: random() * 900 - 700, width: photo.width * zoom, height: photo.height * zoom };
    const region = { x: Math.floor(random() * 140), y: Math.floor(random() * 100), width: 16 + Math.floor(random() * 20), height: 16 + Math.floor(random() * 20) };
    const whole = toStage(region, box, photo);
    const shown = regionInView(region, box, photo, view);
    const inside = (r: Box | undefined, x: number, y: number) => !!r && x >= r.left && x < r.left + r.width && y >= r.top && y < r.top + r.height;
    for (let k = 0; k < 40; k++) {
      const x = random() * view.width;
      const y = random() * view.height;
      assert.equal(inside(shown, x, y), inside(whole, x, y), `(${x}, ${y}): ${JSON.stringify(shown)} vs ${JSON.stringify(whole)}`);
    }
    if (shown) assert.ok(shown.left >= 0 && shown.top >= 0 && shown.left + shown.width <= view.width && shown.top + shown.height <= view.height, JSON.stringify(shown));
  }
});

test('a drag gives the whole-pixel rectangle between its ends, whichever way it went', () => {
  const want = { x: 20, y: 10, width: 100, height: 50 };
  assert.deepEqual(regionFromDrag({ x: 20.2, y: 9.8 }, { x: 119.7, y: 60.4 }, photo), want);
  assert.deepEqual(regionFromDrag({ x: 119.7, y: 60.4 }, { x: 20.2, y: 9.8 }, photo), want);
  assert.deepEqual(regionFromDrag({ x: 119.7, y: 9.8 }, { x: 20.2, y: 60.4 }, photo), want);
});

test('a drag past the edges stops at the photo', () => {
  assert.deepEqual(regionFromDrag({ x: -50, y: -3 }, { x: 400, y: 999 }, photo), { x: 0, y: 0, width: 160, height: 120 });
  assert.deepEqual(regionFromDrag({ x: 150, y: 100 }, { x: 170, y: 130 }, photo), { x: 144, y: 100, width: 16, height: 20 });
});

test('a short drag grows to 16 px a side away from where it started, inside the photo', () => {
  assert.equal(MIN_REGION_SIDE, 16);
  assert.deepEqual(regionFromDrag({ x: 50, y: 40 }, { x: 55, y: 42 }, photo), { x: 50, y: 40, width: 16, height: 16 });
  assert.deepEqual(regionFromDrag({ x: 50, y: 40 }, { x: 45, y: 38 }, photo), { x: 34, y: 24, width: 16, height: 16 });
  // Growing would leave the photo: it is pushed back in.
  assert.deepEqual(regionFromDrag({ x: 155, y: 118 }, { x: 158, y: 119 }, photo), { x: 144, y: 104, width: 16, height: 16 });
  assert.deepEqual(regionFromDrag({ x: 3, y: 2 }, { x: 1, y: 0 }, photo), { x: 0, y: 0, width: 16, height: 16 });
  // One axis long enough, the other not.
  assert.deepEqual(regionFromDrag({ x: 10, y: 60 }, { x: 90, y: 60 }, photo), { x: 10, y: 60, width: 80, height: 16 });
  // A photo narrower than the minimum gives its whole side.
  assert.deepEqual(regionFromDrag({ x: 2, y: 2 }, { x: 3, y: 30 }, { width: 10, height: 64 }), { x: 0, y: 2, width: 10, height: 28 });
});

test('every drag gives a region inside the photo, at least 16 px a side', () => {
  const random = mulberry32(11);
  for (let i = 0; i < 500; i++) {
    const from = { x: random() * 240 - 40, y: random() * 200 - 40 };
    const to = { x: random() * 240 - 40, y: random() * 200 - 40 };
    const r = regionFromDrag(from, to, photo);
    for (const v of [r.x, r.y, r.width, r.height]) assert.ok(Number.isInteger(v));
    assert.ok(r.x >= 0 && r.y >= 0 && r.x + r.width <= photo.width && r.y + r.height <= photo.height, JSON.stringify(r));
    assert.ok(r.width >= 16 && r.height >= 16, JSON.stringify(r));
  }
});

test('the whole photo is placed so that the region fills the box', () => {
  const region = { x: 40, y: 30, width: 64, height: 48 };
  // The result box of a 4x region result at 100%.
  const placed = cropPlacement({ width: 256, height: 192 }, region, photo);
  assert.deepEqual(placed, { left: -160, top: -120, width: 640, height: 480 });
  // Each axis scales on its own.
  const squeezed = cropPlacement({ width: 128, height: 192 }, region, photo);
  assert.deepEqual(squeezed, { left: -80, top: -120, width: 320, height: 480 });
});

test('regions compare by value and read as the panel shows them', () => {
  assert.ok(sameRegion({ x: 1, y: 2, width: 16, height: 17 }, { x: 1, y: 2, width: 16, height: 17 }));
  assert.ok(!sameRegion({ x: 1, y: 2, width: 16, height: 17 }, { x: 1, y: 2, width: 16, height: 18 }));
  assert.ok(!sameRegion({ x: 1, y: 2, width: 16, height: 17 }, undefined));
  assert.ok(sameRegion(undefined, undefined));
  assert.equal(describeRegion({ x: 400, y: 300, width: 256, height: 192 }), '256 × 192 px at 400, 300');
});
