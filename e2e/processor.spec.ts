// The Processor setting (issue #7) in Chromium against the real engine, through the local bridge:
// it starts on Automatic, each choice is sent to the engine as its provider word, a CPU run says
// so in the result, and the choice is kept by the host across a reload. Nothing here depends on a
// graphics card: no test asserts what Automatic or Graphics card end up running on.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import type { Locator, Page } from '@playwright/test';
import { servePhotos } from './support/serve-photos';
import type { PhotoServer } from './support/serve-photos';
import { chooseEngine, collectErrors, openWithPicker, screenshot } from './support/studio-page';

test.describe.configure({ mode: 'serial', timeout: 120_000 });

let app: PhotoServer;

test.beforeAll(async () => {
  test.setTimeout(90_000);
  app = await servePhotos('processor');
});

test.afterAll(() => app?.close());

const processor = (page: Page): Locator => page.getByRole('combobox', { name: 'Processor' });

/** Loads the page afresh from the printed link and opens a photo: the side panel shows with one. */
async function openStudio(page: Page): Promise<void> {
  await page.goto(app.served.url);
  await openWithPicker(page, ['rocket launch.jpg'], 'holiday');
}

/** Clicks Restore and returns the `providers` the page sent with that restore call. */
async function restoreSending(page: Page): Promise<unknown> {
  const request = page.waitForRequest((r) => r.method() === 'POST' && new URL(r.url()).pathname === '/api/restore');
  await page.getByRole('button', { name: /^Restore (photo|again)$/ }).click();
  const body = (await request).postDataJSON() as { options?: { providers?: unknown } };
  return body.options?.providers;
}

test('the Processor setting starts on Automatic, and says what that means', async ({ page }) => {
  const errors = collectErrors(page);
  await openStudio(page);
  await expect(processor(page)).toHaveValue('auto');
  await expect(processor(page).locator('option:checked')).toHaveText('Automatic');
  await expect(processor(page).locator('option')).toHaveText(['Automatic', 'Graphics card', 'CPU']);
  await expect(processor(page)).toHaveAccessibleDescription(/^Automatic: the graphics card if one is found, else the CPU\. PURE on the CPU takes hours\.$/);

  // Automatic is sent as the engine's own word; what it picks depends on the machine, so the
  // run is only waited for (done or failed), not judged.
  await chooseEngine(page, 'Real-ESRGAN x4 fast');
  expect(await restoreSending(page)).toEqual(['auto']);
  await expect(page.getByText(/^Done in /).or(page.getByRole('alert'))).toBeVisible({ timeout: 60_000 });
  expect(errors).toEqual([]);
});

test('choosing CPU restores on the CPU, and the result says so', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  const errors = collectErrors(page);
  await openStudio(page);
  await processor(page).selectOption({ label: 'CPU' });
  await expect(processor(page)).toHaveValue('cpu');
  await chooseEngine(page, 'Real-ESRGAN x4 fast');
  expect(await restoreSending(page)).toEqual(['cpu']);
  await expect(page.getByText(/^Done in /)).toBeVisible({ timeout: 60_000 });

  const result = page.getByRole('region', { name: 'Result' });
  await expect(result.getByRole('definition').filter({ hasText: 'Real-ESRGAN x4 fast' })).toHaveText(/^Real-ESRGAN x4 fast\s+on CPU$/);
  // Only the CPU was asked for, so nothing was refused on the way.
  await expect(result.getByText(/ not used: /)).toHaveCount(0);
  await screenshot(page, 'processor-cpu-result');
  expect(errors).toEqual([]);
});

test('the choice is kept by the host across a reload', async ({ page }) => {
  const errors = collectErrors(page);
  // The page is loaded afresh each time (openStudio), so only the host can remember.
  await openStudio(page);
  await expect(processor(page)).toHaveValue('cpu');
  expect(savedProcessor()).toBe('cpu');

  await processor(page).selectOption({ label: 'Graphics card' });
  await expect.poll(savedProcessor).toBe('gpu');
  await openStudio(page);
  await expect(processor(page)).toHaveValue('gpu');

  await processor(page).selectOption({ label: 'Automatic' });
  await expect.poll(savedProcessor).toBe('auto');
  await openStudio(page);
  await expect(processor(page)).toHaveValue('auto');
  expect(errors).toEqual([]);
});

/** The processor in the bridge's settings file. */
function savedProcessor(): unknown {
  return (JSON.parse(readFileSync(join(app.state, 'settings.json'), 'utf8')) as { processor?: unknown }).processor;
}
