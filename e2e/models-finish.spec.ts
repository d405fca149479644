// The Models page's finish, against `npm run serve` with a catalog of small TEST MODELS served on
// 127.0.0.1 plus the real catalog's PURE 7B entry (14.5 GB to download, 32 GB of memory), and
// the PURE TEST MODEL package made, converted and placed in the served folder with the project's
// own commands:
//  - the import folder browser, inside the package's folder, says it holds a PURE package (its
//    files and size) instead of "This folder is empty.";
//  - the imported package lists its real size on disk and the memory PURE's preflight computes
//    from its own config and dtype, not the catalog's figures, and is labelled a TEST MODEL;
//  - a damaged model says so once, with one action (Repair) and the files under Details, and
//    Repair puts it right (downloaded again, or imported again from its folder);
//  - the engine's missing-model prompt offers the same for a damaged model (Repair, Remove…),
//    never Download (the catalog's real 14.5 GB model) or Import…;
//  - errors and notes speak of the page's buttons, never of a command line, and a damaged photo
//    is said without the decoder's words (those wait under Details).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import sharp from 'sharp';
import type { Locator, Page } from '@playwright/test';
import { pureMemory } from '../src-main/engine/models/pure-memory';
import { readPureManifest } from '../src-main/engine/pure/package/pure-manifest';
import { bytes } from '../src-renderer/src/lib/format';
import { startModelFiles } from './support/model-files';
import type { ModelFiles } from './support/model-files';
import { projectRoot, startServe } from './support/serve';
import type { Served } from './support/serve';
import { installFastModel, makePureTestPackage } from './support/test-home';
import { chooseEngine, collectErrors, openWithPicker, screenshot } from './support/studio-page';

test.describe.configure({ mode: 'serial', timeout: 120_000 });


let served: Served;
let modelFiles: ModelFiles;
let base: string;
let root: string;
let home: string;
let pkg: string;

test.beforeAll(async () => {
  test.setTimeout(240_000);
  base = mkdtempSync(join(tmpdir(), 'pure-e2e-models-finish-'));
  root = join(base, 'root');
  home = join(base, 'home');
  mkdirSync(root);
  mkdirSync(home);
  modelFiles = await startModelFiles(base);
  // The test catalog, with the real PURE 7B entry in place of its stand-in.
  const tests = JSON.parse(readFileSync(modelFiles.catalogPath, 'utf8')) as { version: number; models: { id: string }[] };
  const real = JSON.parse(readFileSync(join(projectRoot, 'models', 'catalog.json'), 'utf8')) as { models: { id: string }[] };
  const catalogPath = join(base, 'finish-catalog.json');
  writeFileSync(catalogPath, JSON.stringify({ ...tests, models: [...tests.models.filter((m) => m.id !== 'pure-7b'), real.models.find((m) => m.id === 'pure-7b')] }));

  pkg = join(root, 'pure-test-package');
  const jpeg = await sharp({ create: { width: 96, height: 64, channels: 3, background: { r: 120, g: 90, b: 60 } } }).jpeg().toBuffer();
  writeFileSync(join(root, 'cut scan.jpg'), jpeg.subarray(0, jpeg.length >> 1));
  writeFileSync(join(root, 'whole scan.jpg'), jpeg);
  // Left in the served folder, not installed: the tests import it through the page.
  await makePureTestPackage(home, base, pkg, { seed: 3, install: false });
  installFastModel(home);
  served = await startServe(root, join(base, 'state'), { PURE_STUDIO_HOME: home, PURE_STUDIO_CATALOG: catalogPath });
});

test.afterAll(async () => {
  await served?.stop();
  await modelFiles?.close();
  if (base) rmSync(base, { recursive: true, force: true });
});

const card = (page: Page, name: string): Locator => page.getByRole('list', { name: 'Models' }).getByRole('article', { name });

async function openModels(page: Page): Promise<void> {
  await page.goto(served.url);
  await page.getByRole('button', { name: 'Models' }).click();
  await expect(page.getByRole('heading', { name: 'Models', level: 2 })).toBeVisible();
}

/** Bytes under a folder, hidden files included: what the card's "On disk" counts. */
function treeBytes(dir: string): number {
  return readdirSync(dir, { recursive: true })
    .map((name) => statSync(join(dir, String(name))))
    .filter((info) => info.isFile())
    .reduce((sum, info) => sum + info.size, 0);
}

async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  return results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

test('inside a package folder the import browser says what it found; the imported TEST MODEL shows its own size and memory', async ({ page }) => {
  const errors = collectErrors(page);
  await openModels(page);
  const pure = card(page, 'PURE 7B');
  await expect(pure.getByText('13.50 GB').first()).toBeVisible(); // the catalog's download, before

  await page.getByRole('button', { name: 'Import folder…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Import a model' });
  await dialog.getByRole('button', { name: 'pure-test-package' }).click();
  const files = readdirSync(pkg).filter((name) => !name.startsWith('.'));
  const size = bytes(files.reduce((sum, name) => sum + statSync(join(pkg, name)).size, 0));
  const found = dialog.getByTestId('folder-package');
  await expect(found).toHaveText(`This folder holds a PURE model package, “${(await readPureManifest(pkg)).name}” (a TEST MODEL, fp32), ${files.length} files, ${size}: choose it with “Import this folder”.`);
  await expect(dialog.getByText('This folder is empty.')).toHaveCount(0);
  expect(await seriousViolations(page)).toEqual([]);
  await screenshot(page, 'models-import-package-folder');
  await dialog.getByRole('button', { name: 'Import this folder' }).click();

  await expect(pure.getByTestId('model-status')).toHaveText('Ready · unverified', { timeout: 90_000 });
  await expect(pure.getByText('TEST MODEL', { exact: true })).toBeVisible();
  await expect(pure.getByText(/A TEST MODEL/)).toBeVisible();
  const memory = pureMemory(await readPureManifest(pkg));
  await expect(pure.getByTestId('model-memory')).toHaveText(`${bytes(memory.ramBytes)} RAM · ${bytes(memory.vramBytes)} GPU (fp32 package)`);
  await expect(pure.getByTestId('model-size')).toHaveText(bytes(treeBytes(join(home, 'models', 'pure-7b'))));
  // None of the catalog's figures for the real 7B: 13.50 GB to download, 27 GB of disk, 29.80 GB of memory.
  await expect(pure).not.toContainText('13.50 GB');
  await expect(pure).not.toContainText('27.01 GB');
  await expect(pure).not.toContainText('29.80 GB');
  await screenshot(page, 'models-imported-test-package');
  expect(errors).toEqual([]);
});

test('a damaged imported package says so once, with Repair (imported again from its folder) and the files under Details', async ({ page }) => {
  const errors = collectErrors(page);
  // A file of the installed copy cut short (a new file: the import may share the user's bytes by a hard link).
  const installed = join(home, 'models', 'pure-7b', 'tokenizer.json');
  rmSync(installed);
  writeFileSync(installed, '{}');
  await openModels(page);
  const pure = card(page, 'PURE 7B');
  await expect(pure.getByTestId('model-status')).toHaveText('Damaged');
  const damage = pure.getByTestId('model-damage');
  await expect(damage).toHaveCount(1);
  await expect(pure.getByTestId('model-damage-advice')).toHaveText(`Repair imports it again from ${pkg}.`);
  await expect(damage.getByText(/tokenizer\.json/)).toBeHidden();
  await damage.getByText('Details').click();
  await expect(damage.getByText(/tokenizer\.json/)).toBeVisible();
  await expect(pure.getByRole('alert')).toHaveCount(0); // said once, not again as an error
  await expect(pure.getByRole('button', { name: 'Download again' })).toHaveCount(0);
  expect(await seriousViolations(page)).toEqual([]);
  await screenshot(page, 'models-damaged');

  await pure.getByRole('button', { name: 'Repair' }).click();
  await expect(pure.getByTestId('model-status')).toHaveText('Ready · unverified', { timeout: 90_000 });
  await expect(pure.getByTestId('model-damage')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('choosing PURE while its imported TEST MODEL is damaged offers Repair and Remove…, not a download of the real model', async ({ page }) => {
  const errors = collectErrors(page);
  const installed = join(home, 'models', 'pure-7b', 'tokenizer.json');
  rmSync(installed);
  writeFileSync(installed, '{}');
  await page.goto(served.url);
  await openWithPicker(page, ['whole scan.jpg']);
  await chooseEngine(page, 'PURE');
  const prompt = page.getByTestId('model-missing');
  await expect(prompt).toBeVisible();
  await expect(prompt.getByTestId('missing-damaged')).toContainText('is damaged');
  await expect(prompt.getByText('TEST MODEL', { exact: true })).toBeVisible();
  await expect(prompt.getByTestId('model-damage-advice')).toHaveText(`Repair imports it again from ${pkg}.`);
  // Remove… asks first, and says how the imported package comes back (not the real model's download).
  await prompt.getByRole('button', { name: 'Remove…' }).click();
  const confirm = page.getByRole('dialog', { name: 'Remove PURE 7B?' });
  await expect(confirm).toContainText(`To use it again, import it again from ${pkg}.`);
  await expect(confirm).not.toContainText('download it again');
  await confirm.getByRole('button', { name: 'Keep it' }).click();
  await expect(confirm).toBeHidden();
  await expect(prompt.getByRole('button', { name: /Download|Retry|Resume/ })).toHaveCount(0);
  await expect(prompt.getByRole('button', { name: /Import/ })).toHaveCount(0);
  await expect(prompt).not.toContainText('13.50 GB'); // the real model's download
  await expect(page.getByRole('button', { name: 'Restore photo' })).toBeDisabled();
  expect(await seriousViolations(page)).toEqual([]);
  await screenshot(page, 'model-missing-damaged');

  await prompt.getByRole('button', { name: 'Repair' }).click();
  await expect(prompt).toBeHidden({ timeout: 90_000 });
  await expect(page.getByRole('button', { name: 'Restore photo' })).toBeEnabled();
  expect(readFileSync(installed, 'utf8')).toEqual(readFileSync(join(pkg, 'tokenizer.json'), 'utf8'));
  // The engine is a saved setting: the default again for the tests after this one.
  await chooseEngine(page, 'Real-ESRGAN x4 plus');
  expect(errors).toEqual([]);
});

test('a model a Verify finds changed says so once; Repair downloads it again', async ({ page }) => {
  const errors = collectErrors(page);
  await openModels(page);
  const small = card(page, 'Small test model');
  await small.getByRole('button', { name: 'Download' }).click();
  await expect(small.getByTestId('model-status')).toHaveText('Ready', { timeout: 30_000 });
  const file = join(home, 'models', 'e2e-small', 'small.bin');
  const altered = Buffer.from(modelFiles.files.small.bytes);
  altered[100] ^= 0xff; // same size: only a Verify can tell
  writeFileSync(file, altered);

  await small.getByRole('button', { name: 'Verify' }).click();
  await expect(small.getByTestId('model-status')).toHaveText('Damaged');
  await expect(small.getByTestId('model-damage')).toHaveCount(1);
  await expect(small.getByTestId('model-damage-advice')).toHaveText('Repair downloads it again and replaces the damaged copy.');
  await expect(small.getByRole('alert')).toHaveCount(0); // the Verify's error is the same news
  await expect(small.getByRole('button', { name: 'Download again' })).toHaveCount(0);

  await small.getByRole('button', { name: 'Repair' }).click();
  await expect(small.getByTestId('model-status')).toHaveText('Ready', { timeout: 30_000 });
  expect(readFileSync(file).equals(modelFiles.files.small.bytes)).toBe(true);
  expect(errors).toEqual([]);
});

test('a failed download and the models folder speak of the page’s buttons, not of commands', async ({ page }) => {
  const errors = collectErrors(page);
  modelFiles.failWith('flaky', 404);
  await openModels(page);
  await expect(page.getByText(/npm run/)).toHaveCount(0); // moving the folder: no command to type
  const flaky = card(page, 'Flaky test model');
  await flaky.getByRole('button', { name: 'Download' }).click();
  await expect(flaky.getByTestId('model-status')).toHaveText('Failed', { timeout: 30_000 });
  const failure = flaky.getByTestId('model-failure');
  await expect(failure.getByTestId('model-failure-hint')).toHaveText(
    'The model catalog may be out of date: update PURE Studio, or download the files yourself and choose their folder with Import folder… on the Models page.',
  );
  await expect(failure).not.toContainText('models import');
  await expect(failure).not.toContainText('`');
  await expect(page.getByText(/npm run|`/)).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('a damaged photo is said plainly when opened, with what to do in the app; Restore waits; the decoder’s words wait under Details', async ({ page }) => {
  await page.goto(served.url);
  await openWithPicker(page, ['cut scan.jpg']);
  await chooseEngine(page, 'Real-ESRGAN x4 fast');
  // Its header cannot be read, so opening it finds the damage: there is nothing to restore.
  // (The library's event used to create the entry first and drop what the open found.)
  await expect(page.getByRole('button', { name: 'Restore photo' })).toBeDisabled();
  const alert = page.getByRole('complementary', { name: 'Restoration' }).getByTestId('error');
  await expect(alert).toContainText('“cut scan.jpg” is a damaged', { timeout: 30_000 });
  await expect(alert).toContainText('Re-export or re-download the original and open that copy');
  await expect(alert.getByText(/Vips/)).toBeHidden();
  await alert.getByText('Details').click();
  await expect(alert.getByText(/Vips/)).toBeVisible();
});
