// The persistent photo library in Chromium against the real engine, through the local bridge
// (`npm run serve`): open a nested folder (two photos share a name), Restore all with
// realesrgan-x4fast, the outputs land in the output folder in the same tree, a reload shows the
// library, its statuses and each photo's own caption again; the queue pauses and resumes; a photo
// leaves the library (not the disk). Selection with Ctrl/Shift-click and the finished title too.
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import type { Locator, Page } from '@playwright/test';
import sharp from 'sharp';
import { projectRoot } from './support/serve';
import { servePhotos } from './support/serve-photos';
import type { PhotoServer } from './support/serve-photos';
import { chooseEngine, collectErrors, openWithPicker, screenshot } from './support/studio-page';

test.describe.configure({ mode: 'serial', timeout: 180_000 });

let app: PhotoServer;
let album: string;
let out: string;

/** The album: tiny crops (a restore takes a moment), nested, with one name in two folders. */
const ALBUM = ['2019/img001.jpg', '2020/img001.jpg', '2020/beach day.jpg', 'cover.jpg'];

test.beforeAll(async () => {
  test.setTimeout(90_000);
  app = await servePhotos('library');
  album = join(app.root, 'album');
  out = join(app.root, 'library out');
  for (const [index, rel] of ALBUM.entries()) {
    const path = join(album, rel);
    mkdirSync(join(path, '..'), { recursive: true });
    await sharp(join(projectRoot, 'test-data', 'photos', 'rocket.jpg'))
      .extract({ left: 200 + index * 30, top: 100, width: 96, height: 72 })
      .jpeg({ quality: 80 })
      .toFile(path);
  }
});

test.afterAll(() => app?.close());

const library = (page: Page): Locator => page.getByRole('navigation', { name: 'Opened photos' });
/** A photo's row button, by name and (for repeated names) the folder line it shows. */
const row = (page: Page, name: string, folder?: string): Locator => {
  const rows = library(page).getByRole('group', { name, exact: true });
  const found = folder ? rows.filter({ hasText: folder }) : rows;
  return found.getByRole('button', { name: new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')},`) });
};

/** Every file under `dir`, '/'-separated and relative to it. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1).split('\\').join('/'))
    .sort();
}

async function openAlbum(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Open folder…' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'Open photos' });
  await dialog.getByRole('button', { name: 'album' }).click();
  await dialog.getByRole('button', { name: 'Open this folder' }).click();
  await expect(dialog).toBeHidden();
}

test('open a nested folder, Restore all: the outputs mirror the tree in the output folder', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  const errors = collectErrors(page);
  await page.goto(app.served.url);
  await openAlbum(page);
  await expect(library(page).getByRole('button', { name: /, Not restored yet$/ })).toHaveCount(4);
  // The two img001.jpg are told apart by their folder, with the full path on hover.
  await expect(row(page, 'img001.jpg', '2019')).toBeVisible();
  await expect(row(page, 'img001.jpg', '2020')).toHaveAttribute('title', new RegExp(`${album.replace(/[\\/]/g, '.')}.2020.img001\\.jpg`));

  // The output folder: a default is shown; choose one of our own with the text field.
  const output = page.getByTestId('output-folder');
  await expect(output).toContainText('(default)');
  await page.getByRole('button', { name: 'Change…' }).click();
  await page.getByRole('textbox', { name: 'Output folder path' }).fill(out);
  await page.getByRole('button', { name: 'Use', exact: true }).click();
  await expect(output).toHaveText(out);
  await expect(page.getByRole('checkbox', { name: /Auto-save/ })).toBeChecked();

  await chooseEngine(page, 'Real-ESRGAN x4 fast');
  await page.getByRole('button', { name: /^Restore all/ }).click();
  // The top bar follows the whole library; each photo says where it stands.
  await expect(page.getByRole('progressbar', { name: 'Library progress' })).toBeVisible();
  await expect(library(page).getByRole('button', { name: /, Restored$/ })).toHaveCount(4, { timeout: 120_000 });
  await expect(page).toHaveTitle('✓ 4 restored — PURE Studio');
  await expect(page.getByText('The queue is done: 4 photos restored.')).toBeVisible();

  await expect.poll(() => filesUnder(out).map((f) => f.replace(/\.\w+$/, ''))).toEqual(['2019/img001-restored', '2020/beach day-restored', '2020/img001-restored', 'cover-restored']);
  // Nothing was written beside the originals.
  expect(filesUnder(album)).toEqual([...ALBUM].sort());
  await screenshot(page, 'library-restored-1280x800');
  await page.emulateMedia({ colorScheme: 'dark' });
  await screenshot(page, 'library-restored-1280x800-dark');
  await page.emulateMedia({ colorScheme: 'light' });

  // Coming back to the page puts the title back.
  await page.mouse.click(640, 400);
  await expect(page).toHaveTitle('PURE Studio');
  expect(errors).toEqual([]);
});

test('a reload shows the library again: photos, statuses, the output folder, each photo its own caption', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  const errors = collectErrors(page);
  await page.goto(app.served.url);
  await expect(library(page).getByRole('button', { name: /, Restored$/ })).toHaveCount(4);
  await expect(page.getByTestId('output-folder')).toHaveText(out);

  // A caption for one photo only (PURE's, kept with the photo in the library).
  await chooseEngine(page, 'PURE');
  await row(page, 'img001.jpg', '2019').click();
  await page.getByRole('textbox', { name: /This photo’s caption/ }).fill('a rocket on the pad at dawn');
  await page.getByRole('button', { name: 'Save caption' }).click();
  await expect(library(page).getByText('“a rocket on the pad at dawn”')).toHaveCount(1);

  await page.reload();
  await expect(library(page).getByRole('button', { name: /, Restored$/ })).toHaveCount(4);
  await row(page, 'img001.jpg', '2019').click();
  await expect(page.getByRole('textbox', { name: /This photo’s caption/ })).toHaveValue('a rocket on the pad at dawn');
  await row(page, 'img001.jpg', '2020').click();
  await expect(page.getByRole('textbox', { name: /This photo’s caption/ })).toHaveValue('');
  await expect(library(page).getByText('“a rocket on the pad at dawn”')).toHaveCount(1);
  // The restored result shows for a photo restored before the reload.
  await expect(page.getByRole('img', { name: 'Restored photo' })).toBeVisible();
  // Restoring it again with the same settings does nothing, and says so.
  await chooseEngine(page, 'Real-ESRGAN x4 fast');
  await page.getByRole('button', { name: 'Restore selected (1)' }).click();
  await expect(page.getByText('It was restored already with these settings')).toBeVisible();
  await expect(row(page, 'img001.jpg', '2020')).toHaveAccessibleName('img001.jpg, Restored');
  expect(errors).toEqual([]);
});

test('select with Ctrl and Shift, restore the selection, pause and resume the queue', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  const errors = collectErrors(page);
  await page.goto(app.served.url);
  await openWithRestored(page);

  // Click one, Shift-click another: the range between them; Ctrl-click takes one out.
  await row(page, 'img001.jpg', '2019').click();
  await row(page, 'cover.jpg').click({ modifiers: ['Shift'] });
  await expect(page.getByRole('button', { name: 'Restore selected (4)' })).toBeVisible();
  await row(page, 'beach day.jpg').click({ modifiers: ['ControlOrMeta'] });
  await expect(page.getByRole('button', { name: 'Restore selected (3)' })).toBeVisible();
  await row(page, 'cover.jpg').click();
  await expect(page.getByRole('button', { name: 'Restore selected (1)' })).toBeVisible();

  // A bigger photo (several tiles) joins, so the queue runs long enough to pause it; at 2× the
  // restored photos are restored again (other settings).
  await openWithPicker(page, ['cat.png']);
  await expect(row(page, 'cat.png')).toHaveAttribute('aria-current', 'true');
  await page.getByRole('radio', { name: '2×' }).click();
  await page.keyboard.press('ControlOrMeta+A');
  await expect(page.getByRole('button', { name: 'Restore selected (5)' })).toBeVisible();
  await row(page, 'cat.png').click();
  await page.getByRole('button', { name: 'Select all' }).click();
  await expect(page.getByRole('button', { name: 'Restore selected (5)' })).toBeVisible();
  await page.getByRole('button', { name: 'Restore selected (5)' }).click();
  await page.getByRole('button', { name: 'Pause queue' }).click();
  await expect(page.getByRole('button', { name: 'Resume queue' })).toBeVisible();
  // Paused: the running photo finishes, no waiting photo starts; each shows its place.
  const waiting = library(page).getByRole('button', { name: /, Waiting · \d of 5$/ });
  await expect(waiting.first()).toBeVisible();
  await expect(library(page).getByRole('button', { name: /, Restoring/ })).toHaveCount(0, { timeout: 60_000 });
  const left = await waiting.count();
  expect(left).toBeGreaterThan(0);
  await page.waitForTimeout(2500);
  expect(await waiting.count()).toBe(left);
  await screenshot(page, 'library-paused-1280x800');

  // The last one (cat.png, queued last) moves up one place, then leaves the queue.
  await expect(row(page, 'cat.png')).toHaveAccessibleName('cat.png, Waiting · 5 of 5');
  await row(page, 'cat.png').click();
  await library(page).getByRole('button', { name: 'Move cat.png up' }).click();
  await expect(row(page, 'cat.png')).toHaveAccessibleName('cat.png, Waiting · 4 of 5');
  // Dragged onto the photo next in line, it takes that place.
  let next = { label: '', place: 99 };
  for (const button of await waiting.all()) {
    const label = (await button.getAttribute('aria-label')) ?? '';
    const place = Number(/ (\d) of 5$/.exec(label)?.[1] ?? 99);
    if (!label.startsWith('cat.png') && place < next.place) next = { label, place };
  }
  const target = library(page).getByRole('group').filter({ has: page.getByRole('button', { name: next.label, exact: true }) });
  await library(page).getByRole('group', { name: 'cat.png' }).dragTo(target);
  await expect(row(page, 'cat.png')).toHaveAccessibleName(`cat.png, Waiting · ${next.place} of 5`);
  await library(page).getByRole('button', { name: 'Cancel cat.png' }).click();
  await expect(row(page, 'cat.png')).toHaveAccessibleName('cat.png, Not restored yet');

  await page.getByRole('button', { name: 'Resume queue' }).click();
  await expect(library(page).getByRole('button', { name: /, Restored$/ })).toHaveCount(4, { timeout: 120_000 });
  await expect(row(page, 'cat.png')).toHaveAccessibleName('cat.png, Not restored yet');
  expect(errors).toEqual([]);
});

test('with auto-save off, a restored photo waits for "Save all restored"', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  const errors = collectErrors(page);
  // A photo added to the album since: opening the folder again brings in only that one.
  const added = join(album, '2021', 'new scan.jpg');
  mkdirSync(join(added, '..'), { recursive: true });
  await sharp(join(projectRoot, 'test-data', 'photos', 'rocket.jpg')).extract({ left: 300, top: 150, width: 40, height: 30 }).jpeg().toFile(added);
  await page.goto(app.served.url);
  await openWithRestored(page);
  await openAlbum(page);
  await expect(row(page, 'new scan.jpg')).toHaveAccessibleName('new scan.jpg, Not restored yet');

  await page.getByRole('checkbox', { name: /Auto-save/ }).uncheck();
  await expect(page.getByRole('button', { name: 'Save all restored (0)' })).toBeDisabled();
  await row(page, 'new scan.jpg').click();
  await page.getByRole('button', { name: 'Restore selected (1)' }).click();
  await expect(row(page, 'new scan.jpg')).toHaveAccessibleName('new scan.jpg, Restored', { timeout: 60_000 });
  expect(filesUnder(join(out, '2021'))).toEqual([]);
  await page.getByRole('button', { name: 'Save all restored (1)' }).click();
  await expect.poll(() => filesUnder(join(out, '2021')).map((f) => f.replace(/\.\w+$/, ''))).toEqual(['new scan-restored']);
  await expect(page.getByRole('button', { name: 'Save all restored (0)' })).toBeDisabled();
  await page.getByRole('checkbox', { name: /Auto-save/ }).check();
  expect(errors).toEqual([]);
});

test('remove a photo from the library: it leaves the list, after a reload too, and stays on disk', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  const errors = collectErrors(page);
  await page.goto(app.served.url);
  await openWithRestored(page);
  const restored = library(page).getByRole('button', { name: /, Restored$/ });
  const before = await restored.count();
  await row(page, 'cover.jpg').hover();
  await library(page).getByRole('button', { name: 'Remove cover.jpg from the library' }).click();
  await expect(row(page, 'cover.jpg')).toHaveCount(0);
  await expect(restored).toHaveCount(before - 1);
  await page.reload();
  await expect(restored).toHaveCount(before - 1);
  await expect(row(page, 'cover.jpg')).toHaveCount(0);
  expect(existsSync(join(album, 'cover.jpg'))).toBe(true);
  expect(errors).toEqual([]);
});

/** The library as the earlier tests left it (restored), shown after a fresh page load. */
async function openWithRestored(page: Page): Promise<void> {
  await expect(library(page).getByRole('button', { name: /, Restored$/ }).first()).toBeVisible();
  await chooseEngine(page, 'Real-ESRGAN x4 fast');
}

test('triage: the worst photos first, filters by noise and blur, and PURE suggested where the damage is heavy', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  const errors = collectErrors(page);
  // One clean crop, the same blurred, the same with heavy noise (big enough to be measured).
  const folder = join(app.root, 'triage');
  mkdirSync(folder, { recursive: true });
  const crop = sharp(join(projectRoot, 'test-data', 'photos', 'rocket.jpg')).extract({ left: 150, top: 60, width: 320, height: 240 });
  await crop.clone().jpeg({ quality: 92 }).toFile(join(folder, 'clean.jpg'));
  await crop.clone().blur(4).jpeg({ quality: 92 }).toFile(join(folder, 'blurry.jpg'));
  const { data, info } = await crop.clone().raw().toBuffer({ resolveWithObject: true });
  let seed = 1;
  const random = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let i = 0; i < data.length; i++) data[i] = Math.max(0, Math.min(255, data[i] + (random() + random() + random() - 1.5) * 120));
  await sharp(data, { raw: info }).jpeg({ quality: 92 }).toFile(join(folder, 'noisy.jpg'));

  await page.goto(app.served.url);
  await page.getByRole('button', { name: 'Open folder…' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'Open photos' });
  await dialog.getByRole('button', { name: 'triage' }).click();
  await dialog.getByRole('button', { name: 'Open this folder' }).click();
  await expect(dialog).toBeHidden();

  // The background estimate arrives: the heavily damaged photos suggest PURE, the clean one not.
  const badge = (name: string): Locator => library(page).getByRole('group', { name, exact: true }).getByText('PURE', { exact: true });
  await expect(badge('noisy.jpg')).toBeVisible({ timeout: 30_000 });
  await expect(badge('blurry.jpg')).toBeVisible({ timeout: 30_000 });
  await expect(badge('clean.jpg')).toHaveCount(0);

  const names = async (): Promise<string[]> => {
    const out: string[] = [];
    for (const group of await library(page).getByRole('group').all()) out.push((await group.getAttribute('aria-label')) ?? '');
    return out;
  };
  const order = (list: string[]): number[] => ['noisy.jpg', 'blurry.jpg', 'clean.jpg'].map((name) => list.indexOf(name));
  await library(page).getByRole('combobox', { name: 'Sort' }).selectOption({ label: 'Worst first' });
  const worst = order(await names());
  expect(worst[0]).toBeGreaterThanOrEqual(0);
  expect(worst[0]).toBeLessThan(worst[1]);
  expect(worst[1]).toBeLessThan(worst[2]);

  await library(page).getByRole('combobox', { name: 'Noise' }).selectOption({ label: 'Heavy' });
  await expect(row(page, 'noisy.jpg')).toBeVisible();
  await expect(row(page, 'clean.jpg')).toHaveCount(0);
  await expect(row(page, 'blurry.jpg')).toHaveCount(0);
  await library(page).getByRole('combobox', { name: 'Noise' }).selectOption({ label: 'Any' });
  await library(page).getByRole('combobox', { name: 'Blur' }).selectOption({ label: 'Heavy' });
  await expect(row(page, 'blurry.jpg')).toBeVisible();
  await expect(row(page, 'clean.jpg')).toHaveCount(0);
  await expect(row(page, 'noisy.jpg')).toHaveCount(0);
  await screenshot(page, 'library-triage-1280x800');
  expect(errors).toEqual([]);
});

test('a damaged photo fails in the queue: the title says so, and "Retry failed" queues it again', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(app.served.url);
  await openWithPicker(page, ['damaged scan.jpg']);
  await expect(row(page, 'damaged scan.jpg')).toHaveAttribute('aria-current', 'true');
  await chooseEngine(page, 'Real-ESRGAN x4 fast');
  await page.getByRole('button', { name: 'Restore selected (1)' }).click();
  await expect(row(page, 'damaged scan.jpg')).toHaveAccessibleName('damaged scan.jpg, Problem', { timeout: 60_000 });
  await expect(page).toHaveTitle('1 failed — PURE Studio');
  await expect(page.getByTestId('error')).toContainText('damaged');

  const retry = page.getByRole('button', { name: 'Retry failed (1)' });
  // The click puts the title back; only the retried run's end can say "1 failed" again.
  await retry.click();
  await expect(page).toHaveTitle('1 failed — PURE Studio', { timeout: 60_000 });
  await expect(row(page, 'damaged scan.jpg')).toHaveAccessibleName('damaged scan.jpg, Problem');
});
