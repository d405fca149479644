// `import <dir>`: a model the user already has on disk. Three kinds of folder:
//   a converted PURE package (its manifest.json is PURE's own, as `npm run convert -- pure`
//     writes it): checked, placed, validated and given the store's fields (import-pure-package.ts);
//   a ready package (it has the store's manifest.json): its files are checked against that
//     manifest, copied in, and validated (loaded and run) before it is marked ready;
//   original files (say a Hugging Face PURE checkpoint and the VQ .pt): recognised by the
//     catalog's file names and `require` globs, hashed (pinned digests are enforced), converted
//     and validated exactly like a download; the user's folder is only read.
// Imported models show as unverified: their origin is the user's word.
import { randomUUID } from 'node:crypto';
import { copyFile, mkdir, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { EngineError, throwIfAborted } from '../common/errors';
import { isDownloadEntry, loadCatalog, modelEntry, type DownloadEntry, type ModelEntry } from './catalog';
import { modelConverters } from './convert-process';
import { linkOrCopy, type ConverterRegistry } from './converters';
import { digestFile } from './digest';
import { GUI_HINTS } from './gui-hints';
import { matchesAny, missingRequired } from './hf-listing';
import { importPurePackage } from './import-pure-package';
import { installPackage } from './install-package';
import { MANIFEST_FILE, manifestJson, readManifest, type ModelManifest, type SourceFile } from './manifest';
import { acquireModelLock } from './model-lock';
import type { ProgressListener } from './model-progress';
import { verifyModelFiles } from './model-store';
import { downloadsDir, studioHome } from './paths';
import { publishModel } from './publish';
import { readPurePackage } from './pure-package';
import { isSafeRelativeName } from './url-policy';

export interface ImportOptions {
  home?: string;
  catalog?: ModelEntry[];
  /** Which catalog model the folder holds, when it cannot be told from the files. */
  id?: string;
  converters?: ConverterRegistry;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
}

export interface ImportResult {
  id: string;
  kind: 'package' | 'original';
}

export async function importModel(folder: string, options: ImportOptions = {}): Promise<ImportResult> {
  const dir = resolve(folder);
  const home = options.home ?? studioHome();
  const catalog = options.catalog ?? loadCatalog();
  if (!(await stat(dir).then((s) => s.isDirectory(), () => false))) throw new EngineError('INPUT_NOT_FOUND', `${dir} is not a folder.`);
  // PURE's manifest first: the store's reader would call a converter's manifest damaged.
  const pure = await readPurePackage(dir);
  if (pure) return importPurePackage(dir, pure, home, catalog, options);
  const manifest = await readManifest(dir);
  if (manifest) return importPackage(dir, manifest, home, catalog, options);
  const entry = options.id ? modelEntry(options.id, catalog) : await recognise(dir, catalog);
  if (!isDownloadEntry(entry)) throw new EngineError('INVALID_OPTION', `${entry.id} is installed with \`npm run setup-models\`, not imported from original files.`, undefined, {
      gui: { message: `${entry.name} is installed by PURE Studio itself, not imported from original files.`, hint: GUI_HINTS.downloadInstead },
    });
  return importOriginals(dir, entry, home, options);
}

/** The files of a folder that a download entry would use, by the catalog's names and globs. */
async function candidates(dir: string, entry: DownloadEntry): Promise<{ chosen: string[]; missing: string[] }> {
  const present = (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile() || e.isSymbolicLink())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1).split('\\').join('/'))
    .filter(isSafeRelativeName); // skips .git, .cache and other hidden folders of a cloned repo
  const named = entry.source.files.map((f) => f.name);
  const hf = entry.source.huggingface;
  const listed = hf ? present.filter((n) => matchesAny(n, hf.include) && !named.includes(n)) : [];
  const missing = [...named.filter((n) => !present.includes(n)), ...(hf ? missingRequired(listed, hf.require) : [])];
  return { chosen: [...named.filter((n) => present.includes(n)), ...listed], missing };
}

async function recognise(dir: string, catalog: ModelEntry[]): Promise<ModelEntry> {
  const fits = [];
  for (const entry of catalog.filter(isDownloadEntry)) if ((await candidates(dir, entry)).missing.length === 0) fits.push(entry);
  if (fits.length === 1) return fits[0];
  if (fits.length > 1) throw new EngineError('INVALID_OPTION', `${dir} could hold any of ${fits.map((e) => e.id).join(', ')}.`, 'Say which with --id <model>.', {
      gui: { hint: GUI_HINTS.oneModelPerFolder },
    });
  throw new EngineError('MODEL_FORMAT', `${dir} does not hold the files of any model in the catalog.`, 'Say which model it is with --id <model> to see what is missing.', {
    gui: { hint: GUI_HINTS.notAModelFolder },
  });
}

async function importOriginals(dir: string, entry: DownloadEntry, home: string, options: ImportOptions): Promise<ImportResult> {
  const { chosen, missing } = await candidates(dir, entry);
  if (missing.length) {
    const where = entry.source.files.filter((f) => missing.includes(f.name)).map((f) => `${f.name} (${f.url})`);
    throw new EngineError('MODEL_MISSING', `${dir} lacks ${missing.join(', ')} for ${entry.name}.`, where.length ? `Put these into the folder: ${where.join('; ')}.` : undefined);
  }
  const lock = await acquireModelLock(entry.id, { home, activity: 'importing', signal: options.signal });
  // The converter reads one folder: stage exactly the chosen files there, as links to the user's.
  const staged = join(downloadsDir(home), `.import-${entry.id}-${randomUUID()}`);
  try {
    const sources: SourceFile[] = [];
    for (const [i, name] of chosen.entries()) {
      throwIfAborted(options.signal);
      options.onProgress?.({ id: entry.id, phase: 'verifying', file: name, fraction: i / chosen.length });
      const digest = await digestFile(join(dir, name));
      const pinned = entry.source.files.find((f) => f.name === name)?.sha256;
      if (pinned && pinned !== digest.sha256) throw new EngineError('DIGEST_MISMATCH', `${join(dir, name)} is not the file ${entry.name} needs: its sha256 differs from the catalog's.`);
      sources.push({ name, size: digest.size, sha256: digest.sha256, trust: pinned ? 'pinned' : 'first-use' });
      await mkdir(dirname(join(staged, name)), { recursive: true });
      await symlink(join(dir, name), join(staged, name)).catch(() => linkOrCopy(join(dir, name), join(staged, name)));
    }
    await installPackage(entry, staged, sources, { kind: 'import', from: dir }, { home, converters: options.converters, signal: options.signal, onProgress: options.onProgress });
    options.onProgress?.({ id: entry.id, phase: 'done' });
    return { id: entry.id, kind: 'original' };
  } finally {
    await rm(staged, { recursive: true, force: true });
    await lock.release();
  }
}

async function importPackage(dir: string, manifest: ModelManifest, home: string, catalog: ModelEntry[], options: ImportOptions): Promise<ImportResult> {
  if (options.id && options.id !== manifest.id) throw new EngineError('INVALID_OPTION', `${dir} holds "${manifest.id}", not "${options.id}".`);
  const entry = modelEntry(manifest.id, catalog);
  const converter = (options.converters ?? modelConverters)[isDownloadEntry(entry) ? entry.source.convert : 'onnx-verify'];
  const lock = await acquireModelLock(entry.id, { home, activity: 'importing', signal: options.signal });
  try {
    options.onProgress?.({ id: entry.id, phase: 'verifying' });
    await verifyModelFiles(dir, manifest, { useCache: false });
    await publishModel(entry.id, home, async (staging) => {
      for (const file of manifest.files) {
        throwIfAborted(options.signal);
        await mkdir(dirname(join(staging, file.name)), { recursive: true });
        await copyFile(join(dir, file.name), join(staging, file.name)); // a copy: the user may change theirs
      }
      await verifyModelFiles(staging, manifest, { useCache: false });
      options.onProgress?.({ id: entry.id, phase: 'validating' });
      await converter.validate(staging, { signal: options.signal });
      const files: SourceFile[] = manifest.files.map((f) => ({ name: f.name, size: f.size, sha256: f.sha256, trust: 'first-use' }));
      const imported: ModelManifest = { ...manifest, source: { kind: 'import', from: dir, files }, createdAt: new Date().toISOString() };
      await writeFile(join(staging, MANIFEST_FILE), manifestJson(imported)); // last: marks it complete
    });
    options.onProgress?.({ id: entry.id, phase: 'done' });
    return { id: entry.id, kind: 'package' };
  } finally {
    await lock.release();
  }
}
