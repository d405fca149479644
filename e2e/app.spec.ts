// The built renderer in a plain browser with no engine behind it (neither the desktop preload nor
// the bridge's token): what a person sees when they open the page the wrong way.
// Code run inside the page is passed as strings: this project's tsconfig has no DOM types.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { serveDirectory } from './static-server';
import { screenshot } from './support/studio-page';
import type { StaticServer } from './static-server';

const rendererDir = resolve(import.meta.dirname, '../out/renderer');
let server: StaticServer;

test.beforeAll(async () => {
  if (!existsSync(resolve(rendererDir, 'index.html'))) {
    throw new Error('out/renderer is missing: run `npx electron-vite build` first');
  }
  server = await serveDirectory(rendererDir);
});

test.afterAll(async () => {
  await server?.close();
});

/** Console errors and warnings, uncaught exceptions and failed loads. CSP violations are console errors. */
function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') errors.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
  page.on('requestfailed', (request) => errors.push(`request failed: ${request.url()}`));
  return errors;
}

const emptyStateHeading = (page: Page) => page.getByRole('heading', { level: 2, name: 'Open a photo to restore it' });
const openButton = (page: Page) => page.getByRole('button', { name: /Open photos/ });

test('a new user sees the title, what to do first, and that the engine is not connected', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto(server.url);

  await expect(page).toHaveTitle('PURE Studio');
  await expect(page.getByRole('heading', { level: 1, name: 'PURE Studio' })).toBeVisible();
  await expect(emptyStateHeading(page)).toBeVisible();
  await expect(page.getByRole('status')).toContainText('The restoration engine is not connected');

  const open = openButton(page);
  await expect(open).toBeVisible();
  // Announced as unavailable, and pointing at the explanation.
  await expect(open).toHaveAttribute('aria-disabled', 'true');
  await expect(open).toHaveAccessibleDescription(/engine is not connected/);

  await screenshot(page, '00-no-engine');
  expect(errors).toEqual([]);
});

test('the Open button is reached with Tab and shows a visible focus ring', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto(server.url);
  const open = openButton(page);
  await expect(open).toBeVisible();

  await page.keyboard.press('Tab');
  await expect(open).toBeFocused();
  await expect(open).toHaveCSS('outline-style', 'solid');
  await expect(open).toHaveCSS('outline-width', '3px');
  await expect(open).not.toHaveCSS('outline-color', 'rgba(0, 0, 0, 0)');

  // Pressing it without an engine does nothing surprising: no error, same page.
  await page.keyboard.press('Enter');
  await expect(emptyStateHeading(page)).toBeVisible();
  expect(errors).toEqual([]);
});

test('the content security policy is in force, and a violation would fail these tests', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto(server.url);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  const blocked = await page.evaluate(`new Promise((resolve) => {
    document.addEventListener('securitypolicyviolation', (event) => resolve(event.effectiveDirective), { once: true });
    const script = document.createElement('script');
    script.textContent = 'document.title = "injected"';
    document.body.append(script);
  })`);
  expect(blocked).toBe('script-src-elem');
  await expect(page).toHaveTitle('PURE Studio');
  await expect.poll(() => errors.some((e) => e.includes('Content Security Policy'))).toBe(true);
});

test('the page follows the system colour scheme', async ({ browser }) => {
  const colours = async (colorScheme: 'light' | 'dark') => {
    const context = await browser.newContext({ colorScheme });
    const page = await context.newPage();
    const errors = collectErrors(page);
    await page.goto(server.url);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    if (colorScheme === 'dark') await screenshot(page, '00-no-engine-dark');
    const seen = await page.evaluate<[string, string]>(
      '[getComputedStyle(document.documentElement).backgroundColor, getComputedStyle(document.body).color]',
    );
    expect(errors).toEqual([]);
    await context.close();
    return seen;
  };
  const [lightBackground, lightText] = await colours('light');
  const [darkBackground, darkText] = await colours('dark');
  expect(lightBackground).not.toEqual(darkBackground);
  expect(lightText).not.toEqual(darkText);
});
