// PURE Studio in Chromium against the real engine, through the local bridge that `npm run serve`
// starts: open real photos, restore them with realesrgan-x4fast, compare, zoom, save, cancel,
// and fail readably. Screenshots of the main states go to test-results/screenshots.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import sharp from 'sharp';
import { EXIF_ARTIST } from './support/photos';
import { servePhotos } from './support/serve-photos';
import type { PhotoServer } from './support/serve-photos';
import { chooseEngine, collectErrors, layerBoxes, libraryItem, openWithPicker, progressBar, screenshot } from './support/studio-page';

test.describe.configure({ mode: 'serial', timeout: 120_000 });

let app: PhotoServer;

test.beforeAll(async () => {
  test.setTimeout(90_000);
  app = await servePhotos('studio');
});

test.afterAll(() => app?.close());

/** Every file under the bridge's results folder. */
function resultFiles(): string[] {
  const dir = join(app.state, 'results');
  return existsSync(dir) ? readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name) : [];
}

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

async function restoreWithFastEngine(page: Page, name: string): Promise<void> {
  await openWithPicker(page, [name], 'holiday');
  await chooseEngine(page, 'Real-ESRGAN x4 fast');
  await page.getByRole('button', { name: 'Restore photo' }).click();
  await expect(page.getByText(/^Done in /)).toBeVisible({ timeout: 60_000 });
}

test('a request without the bridge token is refused', async () => {
  const api = `${app.served.origin}/api/info`;
  expect((await fetch(api)).status).toBe(401);
  expect((await fetch(api, { headers: { 'x-pure-token': 'not-the-token' } })).status).toBe(401);
  // The page, its scripts and images need the token too (as the cookie the link sets).
  expect((await fetch(`${app.served.origin}/`)).status).toBe(401);
  expect((await fetch(`${app.served.origin}/media/image?path=${encodeURIComponent(app.photos.rocket)}`)).status).toBe(401);
  // A cookie alone is not enough for the API: a page on another site could send one.
  expect((await fetch(api, { headers: { cookie: `pure_token=${app.served.token}` } })).status).toBe(401);
  // Another Host (a DNS-rebinding page) is refused even with the token.
  const rebound = await new Promise<number>((done, fail) => {
    const url = new URL(api);
    httpRequest({ host: url.hostname, port: url.port, path: url.pathname, headers: { host: 'evil.example:80', 'x-pure-token': app.served.token } }, (res) => {
      res.resume();
      done(res.statusCode ?? 0);
    })
      .on('error', fail)
      .end();
  });
  expect(rebound).toBe(403);

  const info = await fetch(api, { headers: { 'x-pure-token': app.served.token } });
  expect(info.status).toBe(200);
  expect(await info.json()).toMatchObject({ ok: true, value: { transport: 'bridge', engines: expect.arrayContaining(['realesrgan-x4fast']) } });
  // Even with the token, a file nobody opened is not app.served.
  const unopened = await fetch(`${app.served.origin}/media/image?path=${encodeURIComponent(app.photos.cat)}`, { headers: { 'x-pure-token': app.served.token } });
  expect(unopened.status).toBe(404);
});

test('a new user sees what to do first, and the token leaves the address bar', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  const errors = collectErrors(page);
  await page.goto(app.served.url);
  await expect(page.getByRole('heading', { name: 'Open a photo to restore it' })).toBeVisible();
  await expect(page.getByText('The restoration engine is not connected')).toHaveCount(0);
  expect(page.url()).not.toContain('token');
  await screenshot(page, '01-empty-1280x800-light');

  await page.getByRole('button', { name: 'Open photos…' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'Open photos' });
  await dialog.getByRole('button', { name: 'holiday' }).click();
  await expect(dialog.getByRole('checkbox', { name: 'rocket launch.jpg' })).toBeVisible();
  await screenshot(page, '02-open-dialog');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  expect(errors).toEqual([]);
});

test('open a photo, restore it with realesrgan-x4fast, watch progress reach 100%', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  const errors = collectErrors(page);
  await page.goto(app.served.url);
  await openWithPicker(page, ['rocket launch.jpg'], 'holiday');
  await expect(libraryItem(page, 'rocket launch.jpg')).toBeVisible();
  await expect(page.getByRole('img', { name: 'Original photo' })).toBeVisible();
  await chooseEngine(page, 'Real-ESRGAN x4 fast');

  // Every value the progress bar shows, however briefly.
  await page.evaluate(`(() => {
    window.__progress = [];
    new MutationObserver(() => {
      const bar = document.querySelector('[role="progressbar"]');
      if (bar) window.__progress.push(Number(bar.getAttribute('aria-valuenow')));
    }).observe(document.body, { subtree: true, childList: true, attributes: true });
  })()`);
  await page.getByRole('button', { name: 'Restore photo' }).click();
  await expect(progressBar(page)).toBeVisible();
  await expect(page.getByText(/^Done in /)).toBeVisible({ timeout: 60_000 });
  await expect(progressBar(page)).toHaveAttribute('aria-valuenow', '100');
  await expect(page.getByTestId('progress-percent')).toHaveText('100%');
  const seen = await page.evaluate<number[]>('window.__progress');
  expect(seen.some((v) => v > 0 && v < 100), `intermediate progress was shown: ${seen.join(',')}`).toBe(true);

  await expect(libraryItem(page, 'rocket launch.jpg')).toHaveAccessibleName(/Restored/);
  const result = page.getByRole('region', { name: 'Result' });
  await expect(result.getByText('640 × 480')).toBeVisible();
  await expect(result.getByText('Real-ESRGAN x4 fast')).toBeVisible();
  await expect(page.getByRole('img', { name: 'Restored photo' })).toBeVisible();
  await screenshot(page, '03-result-slider-1280x800-light');
  await page.emulateMedia({ colorScheme: 'dark' });
  await screenshot(page, '04-result-slider-1280x800-dark');
  await page.setViewportSize({ width: 1920, height: 1080 });
  await screenshot(page, '05-result-slider-1920x1080-dark');
  await page.emulateMedia({ colorScheme: 'light' });
  await screenshot(page, '06-result-slider-1920x1080-light');
  expect(errors).toEqual([]);
});

test('compare: the slider shows each half as it is dragged, clicked or keyed; zoom and pan move both sides together', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(app.served.url);
  await restoreWithFastEngine(page, 'rocket launch.jpg');
  const stage = page.getByTestId('compare-stage');
  const handle = page.getByRole('slider', { name: /Divider/ });
  await expect(handle).toHaveAttribute('aria-valuenow', '50');
  const box = (await stage.boundingBox())!;
  const before = await stage.screenshot();

  const knob = (await handle.boundingBox())!;
  await page.mouse.move(knob.x + knob.width / 2, knob.y + knob.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.15, box.y + box.height / 2, { steps: 8 });
  await page.mouse.up();
  await expect(handle).toHaveAttribute('aria-valuenow', /^1[4-6]$/);
  const after = await stage.screenshot();

  // Between 20% and 45% the picture switched from the original to the result; past 60% it is
  // the result both times.
  const region = async (png: Buffer, from: number, to: number) => {
    const { width, height } = await sharp(png).metadata();
    const left = Math.round(width * from);
    return sharp(png).extract({ left, top: Math.round(height * 0.3), width: Math.round(width * to) - left, height: Math.round(height * 0.4) }).raw().toBuffer();
  };
  const meanDiff = (a: Buffer, b: Buffer) => a.reduce((sum, v, i) => sum + Math.abs(v - b[i]), 0) / a.length;
  expect(meanDiff(await region(before, 0.2, 0.45), await region(after, 0.2, 0.45))).toBeGreaterThan(2);
  expect(meanDiff(await region(before, 0.6, 0.95), await region(after, 0.6, 0.95))).toBeLessThan(0.5);

  await page.mouse.click(box.x + box.width * 0.8, box.y + box.height * 0.7);
  await expect(handle).toHaveAttribute('aria-valuenow', /^(79|80|81)$/);
  await handle.focus();
  for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowLeft');
  await expect(handle).toHaveAttribute('aria-valuenow', /^(69|70|71)$/);
  await expect(handle).toHaveCSS('outline-style', 'solid'); // the keyboard focus ring shows
  await screenshot(page, '07-slider-moved-focus');

  // Zoom and pan: every view of the photo moves together. In the slider the two layers are one picture.
  await handle.blur();
  const fitWidth = (await layerBoxes(page)).before[0].width;
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.4);
  await page.mouse.wheel(0, -400);
  let boxes = await layerBoxes(page);
  expect(boxes.before[0].width).toBeGreaterThan(fitWidth);
  expect(boxes.after[0]).toEqual(boxes.before[0]);

  await page.keyboard.press('c'); // the shortcut for the comparison mode
  await expect(page.getByRole('radio', { name: 'Side by side' })).toBeChecked();
  const left = page.getByTestId('pane-before');
  const right = page.getByTestId('pane-after');
  const [l, r] = [(await left.boundingBox())!, (await right.boundingBox())!];
  type Box = { x: number; y: number; width: number; height: number };
  const relative = (b: Box, pane: { x: number; y: number }): Box => ({ x: b.x - pane.x, y: b.y - pane.y, width: b.width, height: b.height });
  // The panes may sit at fractional positions: a pixel either way is the same place.
  const expectSamePlace = (a: Box, b: Box) => {
    for (const key of ['x', 'y', 'width', 'height'] as const) expect(Math.abs(a[key] - b[key]), `${key}: ${a[key]} vs ${b[key]}`).toBeLessThanOrEqual(1);
  };

  await page.getByRole('button', { name: 'Fit' }).click();
  const fitted = await layerBoxes(page);
  await page.mouse.move(l.x + l.width / 2, l.y + l.height / 2);
  await page.mouse.wheel(0, -600);
  boxes = await layerBoxes(page);
  expect(boxes.before[0].width).toBeGreaterThan(fitted.before[0].width * 1.5);
  expectSamePlace(relative(boxes.after[0], r), relative(boxes.before[0], l));

  // Pan on the right pane: the left one follows.
  const start = relative(boxes.before[0], l);
  await page.mouse.move(r.x + r.width / 2, r.y + r.height / 2);
  await page.mouse.down();
  await page.mouse.move(r.x + r.width / 2 - 80, r.y + r.height / 2 - 50, { steps: 6 });
  await page.mouse.up();
  boxes = await layerBoxes(page);
  const moved = relative(boxes.before[0], l);
  expect(moved.x).toBeLessThan(start.x - 40);
  expect(moved.y).toBeLessThan(start.y - 20);
  expectSamePlace(relative(boxes.after[0], r), moved);
  await screenshot(page, '08-side-by-side-zoomed');

  // 100% shows one result pixel per CSS pixel.
  await page.getByRole('button', { name: '100%' }).click();
  boxes = await layerBoxes(page);
  expect(boxes.before[0].width).toBe(640);
  expectSamePlace(relative(boxes.after[0], r), relative(boxes.before[0], l));
});

test('save the result: the file is on disk with its metadata, and never over the original', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  const errors = collectErrors(page);
  const originalHash = sha256(app.photos.rocket);
  await page.goto(app.served.url);
  await restoreWithFastEngine(page, 'rocket launch.jpg');

  // Naming the original is refused before Save can be pressed, with a sentence saying why.
  await page.getByRole('button', { name: 'Save…' }).click();
  let dialog = page.getByRole('dialog', { name: 'Save the restored photo' });
  await dialog.getByRole('combobox', { name: 'Format' }).selectOption('jpeg');
  await dialog.getByRole('textbox', { name: 'File name' }).fill('rocket launch');
  await expect(dialog.getByText('That is the original photo, which is never replaced.')).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Save', exact: true })).toBeDisabled();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  expect(sha256(app.photos.rocket)).toBe(originalHash);

  await page.getByRole('button', { name: 'Save…' }).click();
  dialog = page.getByRole('dialog', { name: 'Save the restored photo' });
  await dialog.getByRole('combobox', { name: 'Format' }).selectOption('jpeg');
  await expect(dialog.getByRole('textbox', { name: 'File name' })).toHaveValue('rocket launch-restored');
  await screenshot(page, '09-save-dialog');
  await dialog.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: 'Saved rocket launch-restored.jpg' })).toBeVisible();

  const saved = join(app.root, 'holiday', 'rocket launch-restored.jpg');
  expect(existsSync(saved)).toBe(true);
  const meta = await sharp(saved).metadata();
  expect(meta.format).toBe('jpeg');
  expect([meta.width, meta.height]).toEqual([640, 480]);
  expect(meta.exif?.toString('latin1')).toContain(EXIF_ARTIST);
  expect(sha256(app.photos.rocket)).toBe(originalHash);
  expect(errors.filter((e) => !e.includes('400'))).toEqual([]);
});

test('a photo dropped on the window is uploaded to the bridge and opened', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  const errors = collectErrors(page);
  await page.goto(app.served.url);
  const bytes = readFileSync(app.photos.rocket).toString('base64');
  await page.evaluate(`(() => {
    const data = Uint8Array.from(atob(${JSON.stringify(bytes)}), (c) => c.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([data], 'dropped rocket.jpg', { type: 'image/jpeg' }));
    window.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, cancelable: true }));
    window.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, cancelable: true }));
  })()`);
  await expect(libraryItem(page, 'dropped rocket.jpg')).toBeVisible();
  await expect(page.getByRole('img', { name: 'Original photo' })).toBeVisible();
  await expect(page.getByText('160 × 120')).toBeVisible();
  expect(errors).toEqual([]);
});

test('cancel a run: the page is ready again and no file was written', async ({ page }) => {
  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.goto(app.served.url);
  const filesBefore = readdirSync(app.root, { recursive: true }).length;
  await openWithPicker(page, ['cat.png']);
  // The whole cat photo takes long enough (several tiles) to be caught mid-run.
  await chooseEngine(page, 'Real-ESRGAN x4 fast');
  await page.getByRole('button', { name: 'Restore photo' }).click();
  await expect(page.getByTestId('progress')).toContainText('Restoring', { timeout: 30_000 });
  await screenshot(page, '10-restoring-1920x1080');
  await page.getByRole('button', { name: 'Cancel' }).click();

  await expect(page.getByRole('button', { name: 'Restore photo' })).toBeEnabled({ timeout: 30_000 });
  await expect(page.getByRole('status').filter({ hasText: 'Stopped restoring cat.png. Nothing was saved.' })).toBeVisible();
  await expect(libraryItem(page, 'cat.png')).toHaveAccessibleName(/Not restored yet/);
  await expect(progressBar(page)).toHaveCount(0);
  await expect.poll(() => resultFiles().filter((name) => name.startsWith('cat')), { timeout: 10_000 }).toEqual([]);
  expect(readdirSync(app.root, { recursive: true }).length).toBe(filesBefore);
});

test('a damaged photo gives a readable error, not a stack trace', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(app.served.url);
  await openWithPicker(page, ['damaged scan.jpg']);
  await chooseEngine(page, 'Real-ESRGAN x4 fast');
  await page.getByRole('button', { name: 'Restore photo' }).click();
  const alert = page.getByTestId('error');
  await expect(alert).toContainText('This photo file is damaged', { timeout: 30_000 });
  await expect(alert).toContainText('damaged or truncated JPEG');
  await expect(alert).toContainText('Re-export or re-download the original');
  await expect(alert).not.toContainText(/\bat .+:\d+/);
  await expect(libraryItem(page, 'damaged scan.jpg')).toHaveAccessibleName(/Problem/);
  await screenshot(page, '11-damaged-photo-error');
});
