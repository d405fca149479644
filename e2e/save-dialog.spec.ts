// The browser's Save dialog (`npm run serve`): a second Save suggests a name that is free, a
// name that is taken says so and offers the next free one, names that are not portable
// (: ? * and paths like ../) are refused with a message, and the saved path reads in order.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { servePhotos } from './support/serve-photos';
import type { PhotoServer } from './support/serve-photos';
import { chooseEngine, openWithPicker } from './support/studio-page';

test.describe.configure({ timeout: 120_000 });

let app: PhotoServer;

test.beforeAll(async () => {
  test.setTimeout(90_000);
  app = await servePhotos('save');
});

test.afterAll(() => app?.close());

async function saveDialog(page: Page) {
  await page.getByRole('button', { name: 'Save…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Save the restored photo' });
  await expect(dialog).toBeVisible();
  return dialog;
}

test('a second Save suggests a free name; taken and non-portable names are said, not silently changed', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(app.served.url);
  await openWithPicker(page, ['rocket launch.jpg'], 'holiday');
  await chooseEngine(page, 'Real-ESRGAN x4 fast');
  await page.getByRole('button', { name: 'Restore photo' }).click();
  await expect(page.getByText(/^Done in /)).toBeVisible({ timeout: 60_000 });

  let dialog = await saveDialog(page);
  const name = dialog.getByRole('textbox', { name: 'File name' });
  await expect(name).toHaveValue('rocket launch-restored');
  await dialog.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(dialog).toBeHidden();
  expect(existsSync(join(app.root, 'holiday', 'rocket launch-restored.png'))).toBe(true);

  // The saved path reads in order: its last character is drawn last, its first slash first.
  const path = page.getByRole('status').locator('.path');
  await expect(path).toHaveText(/holiday.rocket launch-restored\.png$/);
  const [firstRight, lastRight] = await page.evaluate<[number, number]>(`(() => {
    const el = document.querySelector('[role="status"] .path');
    const node = document.createTreeWalker(el, NodeFilter.SHOW_TEXT).nextNode();
    const range = document.createRange();
    const at = (i) => {
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      return range.getBoundingClientRect().right;
    };
    return [at(0), at(node.textContent.length - 1)];
  })()`);
  expect(lastRight).toBeGreaterThan(firstRight);

  dialog = await saveDialog(page);
  await expect(name).toHaveValue('rocket launch-restored-2');
  await name.fill('rocket launch-restored');
  await expect(dialog.getByText('A file with that name is already in this folder')).toBeVisible();
  await dialog.getByRole('button', { name: 'Use rocket launch-restored-2' }).click();
  await expect(name).toHaveValue('rocket launch-restored-2');

  const save = dialog.getByRole('button', { name: 'Save', exact: true });
  for (const bad of ['../escape', 'a:b', 'why?', 'star*', 'CON']) {
    await name.fill(bad);
    await expect(save).toBeDisabled();
    await expect(dialog.getByRole('alert')).toContainText('cannot');
  }
  await name.fill('portable name');
  await expect(save).toBeEnabled();
  await save.click();
  await expect(dialog).toBeHidden();
  expect(existsSync(join(app.root, 'holiday', 'portable name.png'))).toBe(true);
});
