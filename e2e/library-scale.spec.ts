// A library of 10,000 photos in Chromium through the local bridge: it opens (no silent cap), the
// list keeps only the rows on screen in the DOM, and scrolling to the end stays smooth (frame
// times measured in the page while it scrolls).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import sharp from 'sharp';
import { servePhotos } from './support/serve-photos';
import type { PhotoServer } from './support/serve-photos';
import { collectErrors, screenshot } from './support/studio-page';

test.describe.configure({ mode: 'serial', timeout: 240_000 });

const COUNT = 10_000;
let app: PhotoServer;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  app = await servePhotos('library-scale');
  // One tiny JPEG written 10,000 times, 100 to a folder.
  const bytes = await sharp({ create: { width: 32, height: 24, channels: 3, background: { r: 90, g: 120, b: 150 } } }).jpeg().toBuffer();
  for (let folder = 0; folder < COUNT / 100; folder++) {
    const dir = join(app.root, 'scans', `box ${String(folder).padStart(3, '0')}`);
    mkdirSync(dir, { recursive: true });
    for (let i = 0; i < 100; i++) writeFileSync(join(dir, `scan${String(i).padStart(3, '0')}.jpg`), bytes);
  }
});

test.afterAll(() => app?.close());

test('10,000 photos open, only the visible rows are in the page, and it scrolls smoothly', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  const errors = collectErrors(page);
  await page.goto(app.served.url);
  const started = Date.now();
  await page.getByRole('button', { name: 'Open folder…' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'Open photos' });
  await dialog.getByRole('button', { name: 'scans' }).click();
  await dialog.getByRole('button', { name: 'Open this folder' }).click();
  const library = page.getByRole('navigation', { name: 'Opened photos' });
  await expect(library.getByText(`${COUNT.toLocaleString('en-US')} photos`)).toBeVisible({ timeout: 180_000 });
  const openSeconds = (Date.now() - started) / 1000;

  const rows = library.getByRole('listitem');
  expect(await rows.count()).toBeLessThan(60);
  await expect(library.getByRole('button', { name: 'Restore all (10,000)' })).toBeVisible();

  // Scroll to the end in steps, timing frames in the page.
  const frames = await page.evaluate<number[]>(`(async () => {
    const box = document.querySelector('.library .scroll');
    const gaps = [];
    let last = performance.now();
    for (let step = 0; step < 120; step++) {
      box.scrollTop += box.scrollHeight / 120;
      await new Promise((resolve) => requestAnimationFrame(resolve));
      const now = performance.now();
      gaps.push(now - last);
      last = now;
    }
    return gaps;
  })()`);
  frames.sort((a, b) => a - b);
  const median = frames[Math.floor(frames.length / 2)];
  console.log(`10,000 photos: opened in ${openSeconds.toFixed(1)} s; scroll frame median ${median.toFixed(1)} ms, p90 ${frames[Math.floor(frames.length * 0.9)].toFixed(1)} ms`);
  expect(median).toBeLessThan(50);
  await expect(library.getByRole('button', { name: /^scan099\.jpg,/ })).toBeVisible();
  await expect(library.getByRole('group', { name: 'scan099.jpg' }).getByText('box 099')).toBeVisible();
  expect(await rows.count()).toBeLessThan(60);
  await screenshot(page, 'library-10000-1280x800');
  expect(errors).toEqual([]);
});
