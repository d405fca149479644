// The region tool in Chromium against the real engine, through the local bridge: R (or the
// button) and a drag choose a part of the photo in its own pixels, the restore call carries it
// as `roi`, the result is that region at 4x and is compared with the same region of the
// original; Clear, Esc and opening another photo take the region away again.
// Code run inside the page is passed as strings: this project's tsconfig has no DOM types.
import { expect, test } from '@playwright/test';
import type { Locator, Page } from '@playwright/test';
import sharp from 'sharp';
import type { Sharp } from 'sharp';
import { servePhotos } from './support/serve-photos';
import type { PhotoServer } from './support/serve-photos';
import { chooseEngine, collectErrors, libraryItem, openWithPicker, screenshot } from './support/studio-page';

test.describe.configure({ mode: 'serial', timeout: 120_000 });

interface Region {
  x: number;
  y: number;
  width: number;
  height: number;
}
type Rect = { x: number; y: number; width: number; height: number };

/** The rocket photo the tests open is 160x120 (e2e/support/photos.ts). */
const PHOTO = { width: 160, height: 120 };

let app: PhotoServer;

test.beforeAll(async () => {
  test.setTimeout(90_000);
  app = await servePhotos('region');
});

test.afterAll(() => app?.close());

const regionText = (page: Page): Locator => page.getByTestId('region-text');
const regionButton = (page: Page): Locator => page.getByRole('button', { name: 'Select region' });

/** Opens the rocket photo, ready to restore it quickly on the CPU. */
async function openRocket(page: Page): Promise<void> {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(app.served.url);
  await openWithPicker(page, ['rocket launch.jpg'], 'holiday');
  await expect(page.getByRole('img', { name: 'Original photo' })).toBeVisible();
  await chooseEngine(page, 'Real-ESRGAN x4 fast');
  await page.getByRole('combobox', { name: 'Processor' }).selectOption({ label: 'CPU' });
  // Keys go to the page, not to the select just used.
  await page.evaluate('document.activeElement && document.activeElement.blur()');
}

/** The on-screen box of the drawn original (the whole photo while the region tool is on). */
async function photoBox(page: Page): Promise<Rect> {
  return (await page.locator('img[data-layer="before"]').boundingBox())!;
}

/** Drags from one fraction of the photo to another; returns the region that should give, in photo pixels. */
async function dragOnPhoto(page: Page, from: [number, number], to: [number, number]): Promise<Region> {
  const box = await photoBox(page);
  const at = ([fx, fy]: [number, number]) => ({ x: box.x + fx * box.width, y: box.y + fy * box.height });
  const [a, b] = [at(from), at(to)];
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 4 });
  await page.mouse.move(b.x, b.y, { steps: 4 });
  await page.mouse.up();
  const px = (v: number, start: number, size: number, photoSide: number) => ((v - start) * photoSide) / size;
  const x0 = Math.round(px(Math.min(a.x, b.x), box.x, box.width, PHOTO.width));
  const x1 = Math.round(px(Math.max(a.x, b.x), box.x, box.width, PHOTO.width));
  const y0 = Math.round(px(Math.min(a.y, b.y), box.y, box.height, PHOTO.height));
  const y1 = Math.round(px(Math.max(a.y, b.y), box.y, box.height, PHOTO.height));
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/** The region the side panel shows, read from its words "W × H px at X, Y". */
async function shownRegion(page: Page): Promise<Region> {
  const text = (await regionText(page).textContent()) ?? '';
  const match = /^(\d+) × (\d+) px at (\d+), (\d+)$/.exec(text.trim());
  expect(match, `region text: "${text}"`).not.toBeNull();
  const [width, height, x, y] = match!.slice(1).map(Number);
  return { x, y, width, height };
}

/** Clicks Restore and returns the options the page sent with that restore call. */
async function restoreSending(page: Page): Promise<{ roi?: Region }> {
  const request = page.waitForRequest((r) => r.method() === 'POST' && new URL(r.url()).pathname === '/api/restore');
  await page.getByRole('button', { name: /^Restore (photo|again)$/ }).click();
  const body = (await request).postDataJSON() as { options: { roi?: Region } };
  await expect(page.getByText(/^Done in /)).toBeVisible({ timeout: 60_000 });
  return body.options;
}

/** Within a pixel of each other on every side (layout may land on fractions). */
function expectSameRect(a: Rect, b: Rect): void {
  for (const key of ['x', 'y', 'width', 'height'] as const) expect(Math.abs(a[key] - b[key]), `${key}: ${a[key]} vs ${b[key]}`).toBeLessThanOrEqual(1);
}

test('R and a drag choose a region; only it is restored, at 4x, and compared with the same part of the original', async ({ page }) => {
  const errors = collectErrors(page);
  await openRocket(page);
  await expect(regionText(page)).toHaveText('Whole photo');

  // R does nothing while typing in a field.
  await page.getByRole('radio', { name: 'Width' }).click();
  await page.getByRole('spinbutton').focus();
  await page.keyboard.press('r');
  await expect(regionButton(page)).toHaveAttribute('aria-pressed', 'false');
  await page.getByRole('radio', { name: '4×' }).click();
  await page.evaluate('document.activeElement && document.activeElement.blur()');

  await page.keyboard.press('r');
  await expect(regionButton(page)).toHaveAttribute('aria-pressed', 'true');
  const tool = page.getByTestId('region-tool');
  await expect(tool).toHaveCSS('cursor', 'crosshair');

  // Zoomed in and panned, so the mapping from the screen to the photo is not the fitted one.
  const stage = (await page.getByTestId('compare-stage').boundingBox())!;
  const fitted = await photoBox(page);
  await page.mouse.move(stage.x + stage.width * 0.45, stage.y + stage.height * 0.55);
  await page.mouse.wheel(0, -300);
  await expect.poll(async () => (await photoBox(page)).width).toBeGreaterThan(fitted.width * 1.3);

  const expected = await dragOnPhoto(page, [0.3, 0.35], [0.7, 0.8]);
  const region = await shownRegion(page);
  for (const key of ['x', 'y', 'width', 'height'] as const) expect(Math.abs(region[key] - expected[key]), `${key}: ${JSON.stringify(region)} vs ${JSON.stringify(expected)}`).toBeLessThanOrEqual(1);
  expect(region.x + region.width).toBeLessThanOrEqual(PHOTO.width);
  expect(region.y + region.height).toBeLessThanOrEqual(PHOTO.height);
  // The tool goes off once a region is drawn; the photo shows with it outlined, its size beside it.
  await expect(regionButton(page)).toHaveAttribute('aria-pressed', 'false');
  await expect(page.getByTestId('region-size')).toHaveText(`${region.width} × ${region.height} px`);
  await expect(page.getByTestId('region-frame')).toBeVisible();
  await screenshot(page, 'region-chosen');

  const options = await restoreSending(page);
  expect(options.roi).toEqual(region);
  const result = page.getByRole('region', { name: 'Result' });
  // The Size fact: the result's pixels and the factor, against the region.
  await expect(result.getByRole('definition').filter({ hasText: /×\)$/ })).toHaveText(`${region.width * 4} × ${region.height * 4} (4×)`);
  await expect(result.getByText(`${region.width} × ${region.height} px at ${region.x}, ${region.y}`)).toBeVisible();
  const restored = page.getByRole('img', { name: 'Restored photo' });
  const naturalSize = () => page.evaluate<number[]>(`(() => {
    const img = document.querySelector('img[data-layer="after"]');
    return img ? [img.naturalWidth, img.naturalHeight] : [];
  })()`);
  await expect.poll(naturalSize).toEqual([region.width * 4, region.height * 4]);

  // The original is cut to the same region: its visible frame is the result's box, and the
  // whole photo inside it is placed so the region lands exactly there.
  await page.getByRole('button', { name: 'Fit' }).click();
  const after = (await restored.boundingBox())!;
  await expect(page.locator('[data-frame="before"]')).toBeVisible();
  const frame = (await page.locator('[data-frame="before"]').boundingBox())!;
  expectSameRect(frame, after);
  const whole = await photoBox(page);
  const scale = after.width / region.width;
  expectSameRect(whole, { x: after.x - region.x * scale, y: after.y - region.y * scale, width: PHOTO.width * scale, height: PHOTO.height * (after.height / region.height) });

  // What shows on the "before" side is that region of the original, not the whole photo.
  const handle = page.getByRole('slider', { name: /Divider/ });
  await handle.focus();
  await page.keyboard.press('End'); // all original
  await handle.blur();
  const shot = await page.screenshot({ clip: { x: Math.ceil(after.x) + 2, y: Math.ceil(after.y) + 2, width: Math.floor(after.width) - 4, height: Math.floor(after.height) - 4 } });
  const { width: sw, height: sh } = await sharp(shot).metadata();
  const pixels = (image: Sharp) => image.resize(sw, sh, { fit: 'fill' }).removeAlpha().raw().toBuffer();
  const seen = await pixels(sharp(shot));
  const ofRegion = await pixels(sharp(app.photos.rocket).extract({ left: region.x, top: region.y, width: region.width, height: region.height }));
  const ofWhole = await pixels(sharp(app.photos.rocket));
  const meanDiff = (a: Buffer, b: Buffer) => a.reduce((sum, v, i) => sum + Math.abs(v - b[i]), 0) / a.length;
  const [toRegion, toWhole] = [meanDiff(seen, ofRegion), meanDiff(seen, ofWhole)];
  expect(toRegion, `shown vs region ${toRegion.toFixed(1)}, vs whole photo ${toWhole.toFixed(1)}`).toBeLessThan(toWhole / 2);
  await page.keyboard.press('c');
  await expect(page.getByRole('radio', { name: 'Side by side' })).toBeChecked();
  const left = (await page.getByTestId('pane-before').boundingBox())!;
  const right = (await page.getByTestId('pane-after').boundingBox())!;
  const beforeFrame = (await page.locator('[data-frame="before"]').boundingBox())!;
  const afterImage = (await restored.boundingBox())!;
  expectSameRect({ ...beforeFrame, x: beforeFrame.x - left.x, y: beforeFrame.y - left.y }, { ...afterImage, x: afterImage.x - right.x, y: afterImage.y - right.y });
  await screenshot(page, 'region-result-side-by-side');
  expect(errors).toEqual([]);
});

/**
 * Where a region's pixels are on screen: measured from the drawn original's box, cut to the
 * view (the slider's stage or the left pane) that shows it.
 */
async function regionOnScreen(page: Page, region: Region, view: Locator): Promise<Rect> {
  const photo = await photoBox(page);
  const v = (await view.boundingBox())!;
  const [sx, sy] = [photo.width / PHOTO.width, photo.height / PHOTO.height];
  const left = Math.max(v.x, photo.x + region.x * sx);
  const top = Math.max(v.y, photo.y + region.y * sy);
  const right = Math.min(v.x + v.width, photo.x + (region.x + region.width) * sx);
  const bottom = Math.min(v.y + v.height, photo.y + (region.y + region.height) * sy);
  return { x: left, y: top, width: right - left, height: bottom - top };
}

/** The region's frame is where its pixels are on screen, within the view. */
async function expectFrameOnRegion(page: Page, region: Region, view: Locator): Promise<void> {
  const frame = page.getByTestId('region-frame');
  await expect(frame).toBeVisible();
  const want = await regionOnScreen(page, region, view);
  expect(want.width, 'the region is on screen').toBeGreaterThan(0);
  expectSameRect((await frame.boundingBox())!, want);
}

test('the chosen region stays framed at its place when zoomed in and panned, in both comparisons', async ({ page }) => {
  const errors = collectErrors(page);
  await openRocket(page);
  await page.keyboard.press('r');
  await dragOnPhoto(page, [0.35, 0.3], [0.6, 0.55]);
  const region = await shownRegion(page);
  const stage = page.getByTestId('compare-stage');
  await expectFrameOnRegion(page, region, stage);

  // Zoomed in with the keyboard until the region reaches past the view on every side.
  const fitted = await photoBox(page);
  for (let i = 0; i < 6; i++) await page.keyboard.press('+');
  await expect.poll(async () => (await photoBox(page)).width).toBeGreaterThan(fitted.width * 3);
  const v = (await stage.boundingBox())!;
  const whole = await regionOnScreen(page, region, page.locator('body'));
  expect(whole.x < v.x || whole.y < v.y || whole.x + whole.width > v.x + v.width || whole.y + whole.height > v.y + v.height, 'the region reaches past the view').toBe(true);
  await expectFrameOnRegion(page, region, stage);
  await screenshot(page, 'region-zoomed-in');

  // Panned by a drag on the photo: the frame moves with it.
  await page.mouse.move(v.x + v.width * 0.5, v.y + v.height * 0.5);
  await page.mouse.down();
  await page.mouse.move(v.x + v.width * 0.75, v.y + v.height * 0.7, { steps: 6 });
  await page.mouse.up();
  await expectFrameOnRegion(page, region, stage);

  // Side by side: the frame is on the original, in the left pane, at the same zoom and pan.
  await page.keyboard.press('c');
  await expect(page.getByRole('radio', { name: 'Side by side' })).toBeChecked();
  const pane = page.getByTestId('pane-before');
  await expect(pane.getByTestId('region-frame')).toBeVisible();
  await expectFrameOnRegion(page, region, pane);
  // Zoomed out again with the wheel over the pane.
  const p = (await pane.boundingBox())!;
  const before = await photoBox(page);
  await page.mouse.move(p.x + p.width * 0.4, p.y + p.height * 0.6);
  await page.mouse.wheel(0, 200);
  await expect.poll(async () => (await photoBox(page)).width).toBeLessThan(before.width * 0.9);
  await expectFrameOnRegion(page, region, pane);
  expect(errors).toEqual([]);
});

test('drawing a region in side by side stays side by side', async ({ page }) => {
  const errors = collectErrors(page);
  await openRocket(page);
  await page.getByRole('radio', { name: 'Side by side' }).click();
  await page.evaluate('document.activeElement && document.activeElement.blur()');
  const sideBySide = async () => {
    await expect(page.getByRole('radio', { name: 'Side by side' })).toBeChecked();
    await expect(page.getByTestId('pane-before')).toBeVisible();
    await expect(page.getByTestId('compare-stage')).toHaveCount(0);
  };

  await page.keyboard.press('r');
  await expect(regionButton(page)).toHaveAttribute('aria-pressed', 'true');
  await sideBySide();
  const pane = page.getByTestId('pane-before');
  await expect(pane.getByTestId('region-tool')).toBeVisible();
  // The restored side says what to do meanwhile.
  await expect(page.getByTestId('pane-after')).toHaveText(/Drag across the original to choose the part to restore/);

  // Halfway through the drag, the region being drawn shows in the left pane.
  const box = await photoBox(page);
  const at = (fx: number, fy: number) => ({ x: box.x + fx * box.width, y: box.y + fy * box.height });
  const [a, b] = [at(0.25, 0.3), at(0.65, 0.7)];
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 4 });
  await sideBySide();
  await expect(pane.getByTestId('region-frame')).toBeVisible();
  await page.mouse.move(b.x, b.y, { steps: 4 });
  await page.mouse.up();

  await expect(regionButton(page)).toHaveAttribute('aria-pressed', 'false');
  await sideBySide();
  const region = await shownRegion(page);
  const px = (v: number, start: number, size: number, side: number) => Math.round(((v - start) * side) / size);
  expect(region).toEqual({
    x: px(a.x, box.x, box.width, PHOTO.width),
    y: px(a.y, box.y, box.height, PHOTO.height),
    width: px(b.x, box.x, box.width, PHOTO.width) - px(a.x, box.x, box.width, PHOTO.width),
    height: px(b.y, box.y, box.height, PHOTO.height) - px(a.y, box.y, box.height, PHOTO.height),
  });
  await expectFrameOnRegion(page, region, pane);
  await screenshot(page, 'region-side-by-side');
  expect(errors).toEqual([]);
});

test('Clear and Esc take the region away: the next restore is the whole photo', async ({ page }) => {
  const errors = collectErrors(page);
  await openRocket(page);

  // Esc leaves the tool first, then clears the region.
  await regionButton(page).click();
  await expect(regionButton(page)).toHaveAttribute('aria-pressed', 'true');
  await page.keyboard.press('Escape');
  await expect(regionButton(page)).toHaveAttribute('aria-pressed', 'false');
  await expect(page.getByTestId('region-tool')).toHaveCount(0);
  await page.keyboard.press('r');
  await dragOnPhoto(page, [0.1, 0.1], [0.5, 0.6]);
  await expect(regionText(page)).toHaveText(/ px at /);
  await page.keyboard.press('Escape');
  await expect(regionText(page)).toHaveText('Whole photo');
  await expect(page.getByTestId('region-frame')).toHaveCount(0);

  // A drag smaller than 16 photo pixels still gives 16 x 16, inside the photo.
  await page.keyboard.press('r');
  const box = await photoBox(page);
  const corner = { x: box.x + box.width - 2, y: box.y + box.height - 2 };
  await page.mouse.move(corner.x - 12, corner.y - 12);
  await page.mouse.down();
  await page.mouse.move(corner.x + 30, corner.y + 30, { steps: 5 }); // past the photo's corner
  await page.mouse.up();
  const small = await shownRegion(page);
  expect(small.x + small.width).toBe(PHOTO.width);
  expect(small.y + small.height).toBe(PHOTO.height);
  expect(Math.min(small.width, small.height)).toBeGreaterThanOrEqual(16);

  await page.getByRole('button', { name: 'Clear region' }).click();
  await expect(regionText(page)).toHaveText('Whole photo');
  const options = await restoreSending(page);
  expect(options.roi).toBeUndefined();
  const result = page.getByRole('region', { name: 'Result' });
  await expect(result.getByText('640 × 480')).toBeVisible();
  await expect(result.getByText(/ at \d+, \d+$/)).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('a region belongs to its photo: opening another clears it', async ({ page }) => {
  const errors = collectErrors(page);
  await openRocket(page);
  await page.keyboard.press('r');
  await dragOnPhoto(page, [0.2, 0.2], [0.6, 0.7]);
  await expect(regionText(page)).toHaveText(/ px at /);

  await openWithPicker(page, ['cat.png']);
  await expect(libraryItem(page, 'cat.png')).toBeVisible();
  await expect(regionText(page)).toHaveText('Whole photo');
  await expect(page.getByTestId('region-frame')).toHaveCount(0);
  // Back to the first photo: its region was not kept either.
  await libraryItem(page, 'rocket launch.jpg').click();
  await expect(regionText(page)).toHaveText('Whole photo');
  expect(errors).toEqual([]);
});

test('with PURE as the engine, the panel says a small region is the quick way to try it', async ({ page }) => {
  await openRocket(page);
  await expect(page.getByTestId('pure-region-hint')).toHaveCount(0);
  const engine = page.getByRole('combobox', { name: 'Engine' });
  test.skip((await engine.locator('option', { hasText: 'PURE' }).count()) === 0, 'this bridge offers no PURE engine');
  await chooseEngine(page, 'PURE');
  await expect(page.getByTestId('pure-region-hint')).toContainText('small region');
});
