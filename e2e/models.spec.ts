// The Models page and the model-missing prompt in Chromium, against `npm run serve` whose model
// manager reads a test catalog (PURE_STUDIO_CATALOG) of small TEST MODELS served by a real HTTP
// server on 127.0.0.1: list them, download one and watch it become ready, pause and resume a
// slower one (the resume asks for the rest by Range), remove with confirmation, import a folder
// (trusted on first use: unverified), a download that fails (Failed, why, Retry and Discard),
// and choose the PURE engine without its model.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import type { Locator, Page } from '@playwright/test';
import { startModelFiles } from './support/model-files';
import type { ModelFiles } from './support/model-files';
import { projectRoot, startServe } from './support/serve';
import type { Served } from './support/serve';
import { chooseEngine, collectErrors, openWithPicker, screenshot } from './support/studio-page';

test.describe.configure({ mode: 'serial', timeout: 90_000 });

let served: Served;
let modelFiles: ModelFiles;
let base: string;
let root: string;
let home: string;

test.beforeAll(async () => {
  test.setTimeout(90_000);
  base = mkdtempSync(join(tmpdir(), 'pure-e2e-models-'));
  root = join(base, 'root');
  home = join(base, 'home');
  mkdirSync(root);
  mkdirSync(home);
  copyFileSync(join(projectRoot, 'test-data', 'photos', 'chelsea.png'), join(root, 'cat.png'));
  modelFiles = await startModelFiles(base);
  served = await startServe(root, join(base, 'state'), { PURE_STUDIO_HOME: home, PURE_STUDIO_CATALOG: modelFiles.catalogPath });
});

test.afterAll(async () => {
  await served?.stop();
  await modelFiles?.close();
  rmSync(base, { recursive: true, force: true });
});

const installed = (id: string, file: string): string => join(home, 'models', id, file);

function modelCard(page: Page, name: string): Locator {
  return page.getByRole('list', { name: 'Models' }).getByRole('article', { name });
}

async function openModels(page: Page): Promise<void> {
  await page.goto(served.url);
  await page.getByRole('button', { name: 'Models' }).click();
  await expect(page.getByRole('heading', { name: 'Models', level: 2 })).toBeVisible();
}

test('the Models page lists the catalog with states, sizes and TEST MODEL labels; M toggles it', async ({ page }) => {
  const errors = collectErrors(page);
  await openModels(page);
  const cards = page.getByRole('list', { name: 'Models' }).getByRole('article');
  await expect(cards).toHaveCount(5);
  const small = modelCard(page, 'Small test model');
  await expect(small.getByTestId('model-status')).toHaveText('Not installed');
  await expect(small.getByText('TEST MODEL', { exact: true })).toBeVisible();
  await expect(small.getByText('384 KB').first()).toBeVisible(); // download size
  await expect(small.getByText('768 KB')).toBeVisible(); // disk needed while installing
  await expect(small.getByText('CC0-1.0')).toBeVisible();
  await expect(page.getByTestId('models-folder')).toHaveText(join(home, 'models'));
  await expect(small.getByRole('button', { name: 'Download' })).toBeEnabled();
  await screenshot(page, 'models-page');

  await page.keyboard.press('m');
  await expect(page.getByRole('heading', { name: 'Models', level: 2 })).toBeHidden();
  await page.keyboard.press('m');
  await expect(page.getByRole('heading', { name: 'Models', level: 2 })).toBeVisible();
  expect(errors).toEqual([]);
});

test('a download shows its progress, becomes ready, and is removed after confirming', async ({ page }) => {
  const errors = collectErrors(page);
  await openModels(page);
  const small = modelCard(page, 'Small test model');
  await small.getByRole('button', { name: 'Download' }).click();
  const bar = small.getByRole('progressbar', { name: 'Small test model progress' });
  await expect(bar).toBeVisible();
  await expect(bar).toHaveAttribute('aria-valuetext', /Downloading, \d+%, \d+ KB of 384 KB · .+\/s · about .+ left/);
  await screenshot(page, 'models-downloading');
  await expect(small.getByTestId('model-status')).toHaveText('Ready', { timeout: 30_000 });
  await expect(bar).toBeHidden();
  expect(readFileSync(installed('e2e-small', 'small.bin')).equals(modelFiles.files.small.bytes)).toBe(true);
  expect(existsSync(join(home, 'models', '.downloads', 'e2e-small'))).toBe(false);

  await small.getByRole('button', { name: 'Verify' }).click();
  await expect(small.getByTestId('model-status')).toHaveText('Ready');
  await expect(small.getByRole('alert')).toHaveCount(0);

  await small.getByRole('button', { name: 'Remove…' }).click();
  const confirm = page.getByRole('dialog', { name: 'Remove Small test model?' });
  await expect(confirm).toBeVisible();
  await confirm.getByRole('button', { name: 'Keep it' }).click();
  await expect(confirm).toBeHidden();
  expect(existsSync(installed('e2e-small', 'small.bin'))).toBe(true);

  await small.getByRole('button', { name: 'Remove…' }).click();
  await confirm.getByRole('button', { name: 'Remove' }).click();
  await expect(small.getByTestId('model-status')).toHaveText('Not installed');
  await expect(page.getByRole('status')).toHaveText('Removed Small test model.');
  expect(existsSync(join(home, 'models', 'e2e-small'))).toBe(false);
  expect(errors).toEqual([]);
});

test('pause keeps what arrived; resume asks only for the rest', async ({ page }) => {
  const errors = collectErrors(page);
  await openModels(page);
  const slow = modelCard(page, 'Slow test model');
  await slow.getByRole('button', { name: 'Download' }).click();
  const bar = slow.getByRole('progressbar', { name: 'Slow test model progress' });
  await expect(bar).toHaveAttribute('aria-valuenow', /^([2-9]\d|1\d)$/, { timeout: 20_000 }); // 10..99 %
  await slow.getByRole('button', { name: 'Pause' }).click();
  await expect(slow.getByTestId('model-status')).toHaveText('Paused');
  await expect(slow.getByTestId('model-size')).toContainText('downloaded');
  await screenshot(page, 'models-paused');

  await slow.getByRole('button', { name: 'Resume' }).click();
  await expect(slow.getByTestId('model-status')).toHaveText('Ready', { timeout: 30_000 });
  const ranges = modelFiles.ranges('slow.bin');
  expect(ranges[0]).toBeUndefined();
  // The resume starts where the kept bytes end, not at zero.
  expect(ranges.at(-1)).toMatch(/^bytes=[1-9]\d*-\d*$/);
  expect(readFileSync(installed('e2e-slow', 'slow.bin')).equals(modelFiles.files.slow.bytes)).toBe(true);
  expect(errors).toEqual([]);
});

test('importing a folder with an unpinned file installs it marked unverified', async ({ page }) => {
  const errors = collectErrors(page);
  const folder = join(root, 'my models');
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'tofu.bin'), modelFiles.files.tofu.bytes);
  await openModels(page);
  await page.getByRole('button', { name: 'Import folder…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Import a model' });
  await dialog.getByRole('button', { name: 'my models' }).click();
  await dialog.getByRole('button', { name: 'Import this folder' }).click();
  const tofu = modelCard(page, 'Unpinned test model');
  await expect(tofu.getByTestId('model-status')).toHaveText('Ready · unverified', { timeout: 30_000 });
  await expect(tofu.getByText(/Unverified:/)).toBeVisible();
  await expect(page.getByRole('status')).toHaveText('Imported Unpinned test model.');
  expect(readFileSync(installed('e2e-tofu', 'tofu.bin')).equals(modelFiles.files.tofu.bytes)).toBe(true);
  expect(modelFiles.ranges('tofu.bin')).toEqual([]); // nothing was downloaded
  await screenshot(page, 'models-unverified');
  expect(errors).toEqual([]);
});

test('a failed download says so and why, and offers Retry and Discard', async ({ page }) => {
  const errors = collectErrors(page);
  modelFiles.failWith('flaky', 404);
  await openModels(page);
  const flaky = modelCard(page, 'Flaky test model');
  await flaky.getByRole('button', { name: 'Download' }).click();
  await expect(flaky.getByTestId('model-status')).toHaveText('Failed', { timeout: 30_000 });
  const failure = flaky.getByTestId('model-failure');
  await expect(failure).toContainText('The download failed');
  await expect(failure.getByTestId('model-failure-message')).toContainText('HTTP 404');
  await expect(failure.getByTestId('model-failure-hint')).toContainText('catalog may be out of date');
  await expect(failure).toContainText('Retry downloads it from the start.'); // no byte of it arrived
  await expect(flaky.getByRole('alert')).toHaveCount(0); // the same error is not shown twice
  await expect(flaky.getByRole('button', { name: 'Retry' })).toBeEnabled();
  await screenshot(page, 'models-failed');

  // A reload reads it from the host: the failure is the model's state, not the page's memory.
  await openModels(page);
  await expect(flaky.getByTestId('model-status')).toHaveText('Failed');
  await flaky.getByRole('button', { name: 'Discard' }).click();
  await expect(flaky.getByTestId('model-status')).toHaveText('Not installed');
  expect(existsSync(join(home, 'models', '.downloads', 'e2e-flaky'))).toBe(false);

  await flaky.getByRole('button', { name: 'Download' }).click();
  await expect(flaky.getByTestId('model-status')).toHaveText('Failed', { timeout: 30_000 });
  modelFiles.failWith('flaky', undefined);
  await flaky.getByRole('button', { name: 'Retry' }).click();
  await expect(flaky.getByTestId('model-status')).toHaveText('Ready', { timeout: 30_000 });
  await expect(flaky.getByTestId('model-failure')).toHaveCount(0);
  expect(readFileSync(installed('e2e-flaky', 'flaky.bin')).equals(modelFiles.files.flaky.bytes)).toBe(true);
  expect(errors).toEqual([]);
});

test('choosing an engine whose model is missing prompts for it instead of failing at restore time', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto(served.url);
  await openWithPicker(page, ['cat.png']);
  await chooseEngine(page, 'PURE');
  const prompt = page.getByRole('region', { name: 'PURE needs a model that is not installed' });
  await expect(prompt).toBeVisible();
  await expect(prompt).toContainText('PURE stand-in');
  await expect(prompt.getByText('TEST MODEL')).toBeVisible();
  await expect(prompt.getByTestId('missing-download-size')).toHaveText('256 KB');
  await expect(prompt.getByTestId('missing-disk-need')).toHaveText('512 KB');
  await expect(prompt.getByRole('button', { name: 'Import…' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Restore photo' })).toBeDisabled();
  await screenshot(page, 'model-missing-prompt');

  await prompt.getByRole('button', { name: 'Download' }).click();
  await expect(prompt.getByRole('progressbar', { name: 'PURE stand-in progress' })).toBeVisible();
  await expect(prompt).toBeHidden({ timeout: 30_000 });
  await expect(page.getByRole('button', { name: 'Restore photo' })).toBeEnabled();
  expect(readFileSync(installed('pure-7b', 'pure-standin.bin')).equals(modelFiles.files.pure.bytes)).toBe(true);

  // An engine the catalog has no model for is not blocked by the prompt.
  await chooseEngine(page, 'Real-ESRGAN x4 fast');
  await expect(page.getByTestId('model-missing')).toHaveCount(0);
  expect(errors).toEqual([]);
});
