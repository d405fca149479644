// The keyboard in the browser (`npm run serve`): the README's zoom shortcuts with Ctrl work as
// well as the plain keys, and `?` or F1 lists every shortcut.
import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { servePhotos } from './support/serve-photos';
import type { PhotoServer } from './support/serve-photos';
import { openWithPicker } from './support/studio-page';

test.describe.configure({ timeout: 120_000 });

let app: PhotoServer;

test.beforeAll(async () => {
  test.setTimeout(90_000);
  app = await servePhotos('keys');
});

test.afterAll(() => app?.close());

const zoomLevel = (page: Page): Promise<number> =>
  page.getByLabel('Zoom level').textContent().then((text) => Number((text ?? '').replace('%', '')));

test('Ctrl+= / Ctrl+- / Ctrl+0 / Ctrl+1 zoom the photo, like + - 0 1', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(app.served.url);
  await openWithPicker(page, ['rocket launch.jpg'], 'holiday');
  await expect(page.getByRole('button', { name: 'Fit' })).toHaveAttribute('aria-pressed', 'true');
  await expect.poll(() => zoomLevel(page)).toBeGreaterThan(100);
  const fitted = await zoomLevel(page);
  await page.keyboard.press('Control+Equal');
  await expect.poll(() => zoomLevel(page)).toBeGreaterThan(fitted);
  const zoomed = await zoomLevel(page);
  await page.keyboard.press('Control+Minus');
  await expect.poll(() => zoomLevel(page)).toBeLessThan(zoomed);
  await page.keyboard.press('Control+1');
  await expect.poll(() => zoomLevel(page)).toBe(100);
  await page.keyboard.press('Control+0');
  await expect.poll(() => zoomLevel(page)).toBe(fitted);
  await page.keyboard.press('Equal');
  await expect.poll(() => zoomLevel(page)).toBeGreaterThan(fitted);
});

test('? and F1 list the shortcuts; Escape closes the list', async ({ page }) => {
  await page.setViewportSize({ width: 1024, height: 700 });
  await page.goto(app.served.url);
  const list = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  for (const key of ['Shift+Slash', 'F1']) {
    await page.keyboard.press(key);
    await expect(list).toBeVisible();
    await expect(list.getByText('Ctrl+Enter')).toBeVisible();
    await expect(list.getByText('Ctrl+=')).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(list).toBeHidden();
  }
});
