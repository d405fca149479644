// The README's screenshots: the main states at 1280x800 and 1024x700, against the real engine
// through `npm run serve`. They go to test-results/screenshots; with PURE_SCREENSHOTS=docs they
// replace the committed ones in docs/screenshots (`PURE_SCREENSHOTS=docs npx playwright test
// e2e/screenshots.spec.ts`). Each state is also checked for what must be on screen in it.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { projectRoot } from './support/serve';
import { servePhotos } from './support/serve-photos';
import type { PhotoServer } from './support/serve-photos';
import { chooseEngine, openWithPicker, SCREENSHOTS } from './support/studio-page';

test.describe.configure({ timeout: 180_000 });

const folder = process.env.PURE_SCREENSHOTS === 'docs' ? join(projectRoot, 'docs', 'screenshots') : SCREENSHOTS;
let app: PhotoServer;

test.beforeEach(async () => {
  app = await servePhotos('shots');
});

test.afterEach(() => app?.close());

async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync(folder, { recursive: true });
  // Thumbnails drawn again (after a theme change, say) load before the picture is taken.
  await page.waitForFunction('[...document.images].every((img) => img.complete)');
  await page.waitForTimeout(300);
  const size = page.viewportSize();
  await page.screenshot({ path: join(folder, `${name}-${size?.width}x${size?.height}.png`) });
}

for (const [width, height] of [
  [1280, 800],
  [1024, 700],
] as const) {
  test(`the main states at ${width}x${height}`, async ({ page }) => {
    await page.setViewportSize({ width, height });
    await page.goto(app.served.url);
    await expect(page.getByRole('button', { name: 'Open photos…' }).first()).toBeVisible();
    await shoot(page, '1-empty');

    await openWithPicker(page, ['rocket launch.jpg'], 'holiday');
    await openWithPicker(page, ['cat.png']);
    await chooseEngine(page, 'Real-ESRGAN x4 fast');
    await page.getByRole('button', { name: 'Restore photo' }).click();
    await expect(page.getByText(/^Done in /)).toBeVisible({ timeout: 90_000 });
    await expect(page.getByRole('button', { name: 'Save…' })).toBeInViewport({ ratio: 1 });
    await shoot(page, '2-restored');

    await page.getByRole('radiogroup', { name: 'Comparison' }).getByRole('radio', { name: 'Side by side' }).click();
    await shoot(page, '3-side-by-side');
    await page.getByRole('radiogroup', { name: 'Comparison' }).getByRole('radio', { name: 'Slider' }).click();

    await page.getByRole('button', { name: 'Save…' }).click();
    await expect(page.getByRole('dialog', { name: 'Save the restored photo' })).toBeVisible();
    await shoot(page, '4-save-dialog');
    await page.keyboard.press('Escape');

    await page.keyboard.press('F1');
    await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeVisible();
    await shoot(page, '5-shortcuts');
    await page.keyboard.press('Escape');

    await page.getByRole('button', { name: 'Models' }).click();
    await expect(page.getByRole('heading', { name: 'Models', level: 2 })).toBeVisible();
    await shoot(page, '6-models');

    await page.getByRole('radiogroup', { name: 'Theme' }).getByRole('radio', { name: 'Dark' }).click();
    await page.getByRole('button', { name: 'Models' }).click();
    await shoot(page, '7-restored-dark');
  });
}
