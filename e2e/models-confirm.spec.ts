// The Models page's care with long downloads, against `npm run serve` with the test catalog of
// small TEST MODELS served on 127.0.0.1: Cancel of a running download asks first (it deletes what
// arrived), and Verify of a healthy model says so, with the time.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import type { Locator, Page } from '@playwright/test';
import { startModelFiles } from './support/model-files';
import type { ModelFiles } from './support/model-files';
import { startServe } from './support/serve';
import type { Served } from './support/serve';

test.describe.configure({ mode: 'serial', timeout: 90_000 });

let served: Served;
let modelFiles: ModelFiles;
let base: string;
let home: string;

test.beforeAll(async () => {
  test.setTimeout(90_000);
  base = mkdtempSync(join(tmpdir(), 'pure-e2e-models-confirm-'));
  home = join(base, 'home');
  mkdirSync(join(base, 'root'));
  mkdirSync(home);
  modelFiles = await startModelFiles(base);
  served = await startServe(join(base, 'root'), join(base, 'state'), { PURE_STUDIO_HOME: home, PURE_STUDIO_CATALOG: modelFiles.catalogPath });
});

test.afterAll(async () => {
  await served?.stop();
  await modelFiles?.close();
  rmSync(base, { recursive: true, force: true });
});

const card = (page: Page, name: string): Locator => page.getByRole('list', { name: 'Models' }).getByRole('article', { name });

async function openModels(page: Page): Promise<void> {
  await page.goto(served.url);
  await page.getByRole('button', { name: 'Models' }).click();
  await expect(page.getByRole('heading', { name: 'Models', level: 2 })).toBeVisible();
}

test('Cancel of a running download asks first; keeping it keeps downloading, confirming deletes it', async ({ page }) => {
  await openModels(page);
  const slow = card(page, 'Slow test model');
  await slow.getByRole('button', { name: 'Download' }).click();
  await expect(slow.getByRole('progressbar', { name: 'Slow test model progress' })).toBeVisible();
  await slow.getByRole('button', { name: 'Cancel' }).click();
  const confirm = page.getByRole('dialog', { name: 'Cancel the download of Slow test model?' });
  await expect(confirm).toBeVisible();
  await confirm.getByRole('button', { name: 'Keep downloading' }).click();
  await expect(confirm).toBeHidden();
  await expect(slow.getByTestId('model-status')).toHaveText('Downloading');

  await slow.getByRole('button', { name: 'Cancel' }).click();
  await confirm.getByRole('button', { name: 'Cancel and delete' }).click();
  await expect(slow.getByTestId('model-status')).toHaveText('Not installed');
  expect(existsSync(join(home, 'models', '.downloads', 'e2e-slow'))).toBe(false);
});

test('Verify of a healthy model says "Verified" with the time', async ({ page }) => {
  await openModels(page);
  const small = card(page, 'Small test model');
  await small.getByRole('button', { name: 'Download' }).click();
  await expect(small.getByTestId('model-status')).toHaveText('Ready', { timeout: 30_000 });
  await small.getByRole('button', { name: 'Verify' }).click();
  await expect(small.getByRole('status')).toHaveText(/^Verified at \d{1,2}:\d{2}( [AP]M)?: every file matches\.$/);
});
