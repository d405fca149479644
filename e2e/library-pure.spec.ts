// PURE's caption belongs to the photo it was written for, and survives a reload: in Chromium
// through the local bridge, with the PURE TEST MODEL (tiny, random weights: it restores nothing,
// and its "caption" is noise, but it is this photo's own) made, converted and imported with the
// project's own commands. One photo goes through PURE in the library's queue (one to three
// minutes on two CPU cores), another through Real-ESRGAN: after a reload the first still shows
// its caption, the second none.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import type { Locator, Page } from '@playwright/test';
import sharp from 'sharp';
import { projectRoot, startServe } from './support/serve';
import type { Served } from './support/serve';
import { installFastModel, makePureTestPackage } from './support/test-home';
import { chooseEngine, collectErrors, screenshot } from './support/studio-page';

test.describe.configure({ mode: 'serial', timeout: 480_000 });

let served: Served;
let base: string;
let home: string;

test.beforeAll(async () => {
  test.setTimeout(180_000);
  base = mkdtempSync(join(tmpdir(), 'pure-e2e-library-pure-'));
  home = join(base, 'home');
  const album = join(base, 'root', 'album');
  mkdirSync(album, { recursive: true });
  // The smallest photos: PURE's test model takes the same time per tile whatever it shows.
  for (const [index, name] of ['pure one.jpg', 'fast one.jpg'].entries()) {
    await sharp(join(projectRoot, 'test-data', 'photos', 'rocket.jpg'))
      .extract({ left: 250 + index * 40, top: 110, width: 32, height: 24 })
      .jpeg()
      .toFile(join(album, name));
  }
  await makePureTestPackage(home, base, join(base, 'pure-test-package'), { seed: 2, install: true });
  installFastModel(home);
  served = await startServe(join(base, 'root'), join(base, 'state'), { PURE_STUDIO_HOME: home });
});

test.afterAll(async () => {
  await served?.stop();
  rmSync(base, { recursive: true, force: true });
});

const library = (page: Page): Locator => page.getByRole('navigation', { name: 'Opened photos' });
const row = (page: Page, name: string): Locator => library(page).getByRole('group', { name, exact: true });
const resultCaption = (page: Page): Locator => page.getByRole('region', { name: 'Result' }).locator('blockquote.caption');

test('a PURE caption is the photo’s own, and is still there after a reload', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  const errors = collectErrors(page);
  // PURE's live previews of a photo in the library's queue are written beside its output, in the
  // person's folder: the bridge serves that preview folder (and nothing else of the output folder).
  const missingPreviews: string[] = [];
  let servedPreviews = 0;
  page.on('response', (response) => {
    if (!response.url().includes('.pure-preview-')) return;
    if (response.status() === 200) servedPreviews += 1;
    else missingPreviews.push(`${response.status()} ${response.url()}`);
  });
  await page.goto(served.url);
  await page.getByRole('button', { name: 'Open folder…' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'Open photos' });
  await dialog.getByRole('button', { name: 'album' }).click();
  await dialog.getByRole('button', { name: 'Open this folder' }).click();

  // The fast one with Real-ESRGAN, the other with PURE, each from its own selection.
  await row(page, 'fast one.jpg').getByRole('button', { name: /^fast one\.jpg,/ }).click();
  await chooseEngine(page, 'Real-ESRGAN x4 fast');
  await page.getByRole('button', { name: 'Restore selected (1)' }).click();
  await expect(row(page, 'fast one.jpg').getByRole('button', { name: 'fast one.jpg, Restored' })).toBeVisible({ timeout: 60_000 });
  await row(page, 'pure one.jpg').getByRole('button', { name: /^pure one\.jpg,/ }).click();
  await chooseEngine(page, 'PURE');
  await page.getByRole('button', { name: 'Restore selected (1)' }).click();
  await expect(row(page, 'pure one.jpg').getByRole('button', { name: 'pure one.jpg, Restored' })).toBeVisible({ timeout: 400_000 });

  const caption = (await resultCaption(page).textContent())?.trim() ?? '';
  expect(caption.length).toBeGreaterThan(0);
  await expect(row(page, 'pure one.jpg').locator('.caption')).toHaveCount(1);
  await expect(row(page, 'fast one.jpg').locator('.caption')).toHaveCount(0);

  await page.reload();
  await expect(row(page, 'pure one.jpg').getByRole('button', { name: 'pure one.jpg, Restored' })).toBeVisible();
  await row(page, 'pure one.jpg').getByRole('button', { name: /^pure one\.jpg,/ }).click();
  await expect(resultCaption(page)).toHaveText(caption);
  await expect(row(page, 'pure one.jpg').locator('.caption')).toHaveCount(1);
  await row(page, 'fast one.jpg').getByRole('button', { name: /^fast one\.jpg,/ }).click();
  await expect(page.getByRole('region', { name: 'Result' })).toBeVisible();
  await expect(resultCaption(page)).toHaveCount(0);
  await expect(row(page, 'fast one.jpg').locator('.caption')).toHaveCount(0);
  await screenshot(page, 'library-pure-caption');
  expect(missingPreviews).toEqual([]);
  expect(servedPreviews).toBeGreaterThan(0);
  // The last preview outlives its job a moment, so the page never asks for a removed one.
  expect(errors).toEqual([]);
});
