// PURE's estimate beside Restore, in Chromium against the real engine through the local bridge
// (`npm run serve`), with the PURE TEST MODEL (tiny, random weights: it restores nothing) made by
// the project's fixture generator, converted and imported with the project's own commands. The
// figures the page shows are checked against `npm run restore -- --estimate --json` for the same
// photo and options; a region small enough for one tile brings the count down to 1.
// Code run inside the page is passed as strings: this project's tsconfig has no DOM types.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import type { Page, Request } from '@playwright/test';
import { makeTestPhotos } from './support/photos';
import type { TestPhotos } from './support/photos';
import { startServe } from './support/serve';
import type { Served } from './support/serve';
import { makePureTestPackage, projectCommand } from './support/test-home';
import { chooseEngine, collectErrors, openWithPicker, screenshot } from './support/studio-page';

test.describe.configure({ mode: 'serial', timeout: 120_000 });


interface Figures {
  tiles: number;
  columns: number;
  rows: number;
  seconds: number;
  source: 'measured' | 'assumed';
}
interface Region {
  x: number;
  y: number;
  width: number;
  height: number;
}

let served: Served;
let base: string;
let home: string;
let photos: TestPhotos;

/** The engine's own estimate for the photo, as the CLI prints it. */
async function cliEstimate(photo: string, flags: string[]): Promise<Figures> {
  const line = await projectCommand(home, 'src-main/cli/restore.ts', [photo, '--engine', 'pure', '--estimate', '--json', '--provider', 'auto', ...flags]);
  return (JSON.parse(line.trim().split('\n').pop() ?? '') as { estimate: Figures }).estimate;
}

test.beforeAll(async () => {
  test.setTimeout(180_000);
  base = mkdtempSync(join(tmpdir(), 'pure-e2e-estimate-'));
  home = join(base, 'home');
  const root = join(base, 'root');
  mkdirSync(root);
  photos = await makeTestPhotos(root);
  // The PURE TEST MODEL, installed the way a person would install a converted package.
  await makePureTestPackage(home, base, join(base, 'pure-test-package'), { seed: 2, install: true });
  served = await startServe(root, join(base, 'state'), { PURE_STUDIO_HOME: home });
});

test.afterAll(async () => {
  await served?.stop();
  rmSync(base, { recursive: true, force: true });
});

const estimateLine = (page: Page) => page.getByTestId('pure-estimate');
const isEstimate = (request: Request): boolean => request.method() === 'POST' && new URL(request.url()).pathname === '/api/estimate';

/** The words for a tile count as the page writes them. */
const tileWords = (f: Figures): string => (f.tiles === 1 ? '1 tile' : `${f.tiles} tiles (${f.columns} × ${f.rows})`);

test('with PURE chosen, the photo’s tiles and time show beside Restore; a small region needs one tile', async ({ page }) => {
  const errors = collectErrors(page);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(served.url);
  await openWithPicker(page, ['cat.png']);
  await expect(page.getByRole('img', { name: 'Original photo' })).toBeVisible();
  await expect(estimateLine(page)).toHaveCount(0); // Real-ESRGAN takes seconds: no estimate
  await chooseEngine(page, 'PURE');

  // The whole 451x300 photo at 4x, on the Automatic processor (the page's defaults).
  const whole = await cliEstimate(photos.cat, ['--scale', '4']);
  expect(whole.tiles).toBeGreaterThan(1);
  await expect(estimateLine(page)).toContainText(tileWords(whole));
  await expect(estimateLine(page)).toContainText('rough guess (not measured yet)');
  await expect(estimateLine(page)).toHaveText(/^TEST MODEL: About .+ · /);
  await expect(page.getByRole('button', { name: 'Restore photo' })).toBeEnabled();
  await screenshot(page, 'pure-estimate-whole');

  // Size changes ask again, and only the answer to the last one shows.
  await page.getByRole('radio', { name: '2×' }).click();
  await page.getByRole('radio', { name: '1×' }).click();
  const atOne = await cliEstimate(photos.cat, ['--scale', '1']);
  expect(tileWords(atOne)).not.toBe(tileWords(whole));
  await expect(estimateLine(page)).toContainText(tileWords(atOne));
  await page.getByRole('radio', { name: '4×' }).click();
  await expect(estimateLine(page)).toContainText(tileWords(whole));

  // A region: R and a drag over a small part of the photo.
  await page.evaluate('document.activeElement && document.activeElement.blur()');
  const sent = page.waitForRequest((request) => isEstimate(request) && (request.postDataJSON() as { options: { roi?: Region } }).options.roi !== undefined);
  await page.keyboard.press('r');
  const box = (await page.locator('img[data-layer="before"]').boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.3);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.4, box.y + box.height * 0.4, { steps: 4 });
  await page.mouse.move(box.x + box.width * 0.45, box.y + box.height * 0.45, { steps: 4 });
  await page.mouse.up();
  const roi = ((await sent).postDataJSON() as { options: { roi: Region } }).options.roi;
  const part = await cliEstimate(photos.cat, ['--scale', '4', '--roi', `${roi.x},${roi.y},${roi.width},${roi.height}`]);
  expect(part.tiles).toBe(1);
  await expect(estimateLine(page)).toContainText('· 1 tile ·');
  await screenshot(page, 'pure-estimate-region');

  // Clearing the region gives the whole photo's figures back.
  await page.keyboard.press('Escape');
  await expect(estimateLine(page)).toContainText(tileWords(whole));
  expect(errors).toEqual([]);
});

test('the estimate call is refused for a photo the page never opened', async () => {
  const response = await fetch(`${served.origin}/api/estimate`, {
    method: 'POST',
    headers: { 'x-pure-token': served.token, 'content-type': 'application/json' },
    body: JSON.stringify({ input: photos.rocket, options: { engine: 'pure' } }),
  });
  expect(await response.json()).toMatchObject({ ok: false, error: { code: 'INPUT_UNREADABLE' } });
});
