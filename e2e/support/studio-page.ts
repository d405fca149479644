// What the e2e tests do to the page, named the way a person would say it. Code that runs inside
// the page is passed as strings: this project's tsconfig has no DOM types.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from '@playwright/test';
import type { Locator, Page } from '@playwright/test';
import { projectRoot } from './serve';

export const SCREENSHOTS = join(projectRoot, 'test-results', 'screenshots');

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}

/** Console errors and page crashes, which fail a test: a product page logs none. */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

/** Opens photos with the in-page picker: into `folder` (a name under the root), tick `names`. */
export async function openWithPicker(page: Page, names: string[], folder?: string): Promise<void> {
  await page.getByRole('button', { name: 'Open photos…' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'Open photos' });
  await expect(dialog).toBeVisible();
  if (folder) await dialog.getByRole('button', { name: folder }).click();
  for (const name of names) await dialog.getByRole('checkbox', { name }).check();
  await dialog.getByRole('button', { name: /^Open \d+ photos?$/ }).click();
  await expect(dialog).toBeHidden();
}

export function libraryItem(page: Page, name: string): Locator {
  return page.getByRole('navigation', { name: 'Opened photos' }).getByRole('button', { name: new RegExp(`^${escape(name)},`) });
}

export async function chooseEngine(page: Page, label: string): Promise<void> {
  await page.getByRole('combobox', { name: 'Engine' }).selectOption({ label });
}

export function progressBar(page: Page): Locator {
  return page.getByRole('progressbar', { name: 'Restoration progress' });
}

/** The on-screen box of every drawn layer ('before', 'after'), rounded to whole pixels. */
export async function layerBoxes(page: Page): Promise<Record<string, { x: number; y: number; width: number; height: number }[]>> {
  return page.evaluate(`(() => {
    const out = {};
    for (const img of document.querySelectorAll('img[data-layer]')) {
      const r = img.getBoundingClientRect();
      (out[img.dataset.layer] ??= []).push({ x: Math.round(r.x), y: Math.round(r.y), width: Math.round(r.width), height: Math.round(r.height) });
    }
    return out;
  })()`);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
