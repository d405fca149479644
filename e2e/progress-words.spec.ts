// The words a running restoration shows (panel bar and viewer overlay), recorded as they change
// while the real engine restores a photo of several tiles: one vocabulary ("tile"), counting
// from 1, and a time left a person would say ("almost done", never "about less than a second").
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import sharp from 'sharp';
import { servePhotos } from './support/serve-photos';
import type { PhotoServer } from './support/serve-photos';
import { chooseEngine, openWithPicker } from './support/studio-page';

test.describe.configure({ timeout: 120_000 });

let app: PhotoServer;

test.beforeAll(async () => {
  test.setTimeout(90_000);
  app = await servePhotos('words');
  // Wider than one 512 px tile of x4fast: two tiles.
  await sharp(app.photos.cat).resize(900, 300, { fit: 'fill' }).png().toFile(join(app.root, 'wide cat.png'));
});

test.afterAll(() => app?.close());

test('progress says "tile N of M" counted from 1, in the panel and the overlay alike, and a natural time left', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(app.served.url);
  await openWithPicker(page, ['wide cat.png']);
  await chooseEngine(page, 'Real-ESRGAN x4 fast');
  // Every text the bar and the overlay show, as it changes.
  await page.evaluate(`(() => {
    window.__seen = new Set();
    const note = () => {
      for (const bar of document.querySelectorAll('[role="progressbar"]')) window.__seen.add(bar.getAttribute('aria-valuetext') ?? '');
      for (const overlay of document.querySelectorAll('.working')) window.__seen.add(overlay.textContent.trim());
    };
    new MutationObserver(note).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
  })()`);
  await page.getByRole('button', { name: 'Restore photo' }).click();
  await expect(page.getByText(/^Done in /)).toBeVisible({ timeout: 90_000 });
  const seen = await page.evaluate<string[]>('[...window.__seen].filter(Boolean)');
  expect(seen.filter((text) => /tile [12] of 2/.test(text)).length).toBeGreaterThanOrEqual(2);
  for (const text of seen) {
    expect(text).not.toMatch(/\bpart\b/);
    expect(text).not.toMatch(/\b0 of \d/);
    expect(text).not.toMatch(/about less than/);
  }
});
