// Files dropped on the window (`npm run serve`): photos join the library; anything else (a text
// note) is refused with a notice naming it, and never becomes a library item.
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { servePhotos } from './support/serve-photos';
import type { PhotoServer } from './support/serve-photos';
import { libraryItem } from './support/studio-page';

test.describe.configure({ timeout: 90_000 });

let app: PhotoServer;

test.beforeAll(async () => {
  test.setTimeout(90_000);
  app = await servePhotos('drop');
});

test.afterAll(() => app?.close());

test('a dropped notes.txt is refused with a notice; the photo dropped with it opens', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(app.served.url);
  const photo = readFileSync(app.photos.rocket).toString('base64');
  await page.evaluate(`(() => {
    const data = Uint8Array.from(atob(${JSON.stringify(photo)}), (c) => c.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File(['shopping: milk, film'], 'notes.txt', { type: 'text/plain' }));
    transfer.items.add(new File([data], 'dropped rocket.jpg', { type: 'image/jpeg' }));
    window.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, cancelable: true }));
    window.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, cancelable: true }));
  })()`);
  await expect(libraryItem(page, 'dropped rocket.jpg')).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'notes.txt is not a photo' })).toBeVisible();
  await expect(libraryItem(page, 'notes.txt')).toHaveCount(0);
  await page.reload();
  await expect(libraryItem(page, 'dropped rocket.jpg')).toBeVisible();
  await expect(libraryItem(page, 'notes.txt')).toHaveCount(0);
});
