// What the packaged app ships, proved on this machine: the `dir` target of electron-builder.yml is
// built with a stand-in for the Electron binary (the real one cannot be downloaded here) and its
// app.asar is listed. Only the built app and production dependencies may be inside; the default
// models must be bundled (or the build fails); the photo library's SQLite must load from it.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { tempDir } from '../../src-main/testing/fixtures';
import { asarFiles, summarize } from './asar-contents';
import { buildDirInChild as buildDir } from './build-dir-child';

const projectDir = resolve(import.meta.dirname, '../..');
const catalog = JSON.parse(readFileSync(join(projectDir, 'models', 'catalog.json'), 'utf8')) as { models: { id: string; source: { kind: string } }[] };
const defaultIds = catalog.models.filter((m) => m.source.kind === 'npm-ncnn').map((m) => m.id);

/** A bundle folder shaped like `npm run package:models` leaves it, with tiny stand-in files. */
function fakeBundle(dir: string, ids: string[]): string {
  for (const id of ids) {
    mkdirSync(join(dir, id), { recursive: true });
    const bytes = Buffer.from(`stand-in weights of ${id}`);
    writeFileSync(join(dir, id, 'model.onnx'), bytes);
    const files = [{ name: 'model.onnx', role: 'onnx', size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') }];
    writeFileSync(join(dir, id, 'manifest.json'), JSON.stringify({ manifestVersion: 1, id, files }));
  }
  mkdirSync(join(dir, '.downloads', 'x'), { recursive: true }); // the store's bookkeeping: not shipped
  writeFileSync(join(dir, '.downloads', 'x', 'plan.json'), '{}');
  return dir;
}

// build-dir.ts builds the Linux target, and the onnxruntime binaries kept are the building
// machine's (electron-builder.yml): elsewhere the expectations below would not hold.
const skip = process.platform !== 'linux' || process.arch !== 'x64' ? 'builds and checks the Linux x64 dir target: runs on Linux x64 only' : false;

before(() => {
  if (skip) return;
  // The package is made from out/ (electron-vite's build): build it when a clean clone has none.
  if (existsSync(join(projectDir, 'out', 'main', 'index.js'))) return;
  // Output captured, not inherited: it would interleave with the test runner's own messages.
  const built = spawnSync(process.execPath, [join(projectDir, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], { cwd: projectDir, encoding: 'utf8' });
  assert.equal(built.status, 0, `electron-vite build failed:\n${built.stdout}\n${built.stderr}`);
});

test('the build fails, naming the models, when the default models are not bundled', { skip }, async () => {
  const work = tempDir();
  const missing = join(work, 'no-models');
  await assert.rejects(buildDir({ projectDir, output: work, bundledModels: missing }), (e: Error) => /default models are not bundled/.test(e.message) && defaultIds.every((id) => e.message.includes(id)));
  // Half a bundle (one model's file damaged) fails too.
  const half = fakeBundle(join(work, 'half'), defaultIds);
  writeFileSync(join(half, defaultIds[0], 'model.onnx'), 'damaged');
  await assert.rejects(buildDir({ projectDir, output: work, bundledModels: half }), (e: Error) => e.message.includes(`${defaultIds[0]}: model.onnx does not match`));
});

test('app.asar holds only the built app and production dependencies; models and SQLite ship', { skip }, async (t) => {
  const work = tempDir();
  const resources = await buildDir({ projectDir, output: work, bundledModels: fakeBundle(join(work, 'bundle'), defaultIds) });
  const archive = join(resources, 'app.asar');
  const files = asarFiles(archive);
  const summary = summarize(archive);
  t.diagnostic(`app.asar: ${summary.archiveBytes} bytes, ${summary.files} files (${summary.packedBytes} bytes inside, ${summary.unpackedBytes} unpacked)`);

  // Nothing but out/, package.json and node_modules: no sources, tests, e2e, bench, scripts, data.
  const strays = files.filter((f) => !/^(out\/|node_modules\/|package\.json$)/.test(f.path)).map((f) => f.path);
  assert.deepEqual(strays.slice(0, 10), []);
  assert.ok(files.some((f) => f.path === 'out/main/index.js'), 'out/main/index.js ships');
  // The processes the app starts (the utility worker, the engine's children) run from out/main: each
  // entry and every chunk the built files import from beside them are inside.
  const builtMain = new Set(files.filter((f) => f.path.startsWith('out/main/')).map((f) => f.path));
  for (const entry of ['worker.js', 'ort-worker.js', 'pure-worker.js', 'convert-worker.js']) assert.ok(builtMain.has(`out/main/${entry}`), `out/main/${entry} ships`);
  const { extractFile } = await import('@electron/asar');
  for (const path of [...builtMain].filter((p) => p.endsWith('.js'))) {
    const code = extractFile(archive, path).toString();
    for (const m of code.matchAll(/(?:from |import\()"\.\/([^"]+)"/g)) assert.ok(builtMain.has(`out/main/${m[1]}`), `${path} imports ./${m[1]}, which ships`);
    // node-sqlite3-wasm stays a package: bundled, it looked for its .wasm in out/main.
    assert.doesNotMatch(code, /node-sqlite3-wasm\.wasm/, `${path} bundles node-sqlite3-wasm`);
  }
  assert.deepEqual(files.filter((f) => /\.(ts|svelte)$/.test(f.path) && !f.path.endsWith('.d.ts')).map((f) => f.path), []);

  // Production dependencies only: no electron, builders, test or lint tools.
  const packages = new Set(files.map((f) => /^node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(f.path)?.[1]).filter((p) => p !== undefined));
  for (const dependency of ['onnxruntime-node', 'sharp', 'heic-decode', 'valibot', '@huggingface/tokenizers', 'node-sqlite3-wasm']) assert.ok(packages.has(dependency), `${dependency} ships`);
  for (const dev of ['electron', 'electron-builder', 'typescript', 'vite', 'eslint', '@playwright/test', 'tsx', 'svelte']) assert.ok(!packages.has(dev), `${dev} must not ship`);

  // onnxruntime-node: this platform's and arch's binaries only (not linux-arm64, darwin, win32).
  const ortBinaries = files.filter((f) => f.path.startsWith('node_modules/onnxruntime-node/bin/')).map((f) => f.path);
  assert.ok(ortBinaries.length > 0, 'onnxruntime-node binaries ship');
  for (const path of ortBinaries) assert.match(path, /\/napi-v\d+\/linux\/x64\//);
  const unpackedOrt = join(resources, 'app.asar.unpacked', 'node_modules', 'onnxruntime-node', 'bin');
  for (const napi of readdirSync(unpackedOrt)) {
    assert.deepEqual(readdirSync(join(unpackedOrt, napi)), ['linux']);
    assert.deepEqual(readdirSync(join(unpackedOrt, napi, 'linux')), ['x64']);
  }

  // node-sqlite3-wasm: its .wasm is unpacked (readable with plain fs from any process), and the
  // packaged copy opens a database.
  const wasm = files.find((f) => f.path === 'node_modules/node-sqlite3-wasm/dist/node-sqlite3-wasm.wasm');
  assert.ok(wasm?.unpacked, 'the SQLite .wasm is in app.asar.unpacked');
  const unpackedSqlite = join(resources, 'app.asar.unpacked', 'node_modules', 'node-sqlite3-wasm');
  assert.ok(existsSync(join(unpackedSqlite, 'dist', 'node-sqlite3-wasm.wasm')), 'the SQLite .wasm is in app.asar.unpacked on disk');
  const packagedJs = join(work, 'sqlite-check', 'node_modules', 'node-sqlite3-wasm');
  mkdirSync(join(packagedJs, 'dist'), { recursive: true });
  // The .js from inside the archive, beside the .wasm from the unpacked folder: as Electron joins them.
  writeFileSync(join(packagedJs, 'dist', 'node-sqlite3-wasm.js'), extractFile(archive, 'node_modules/node-sqlite3-wasm/dist/node-sqlite3-wasm.js'));
  writeFileSync(join(packagedJs, 'dist', 'node-sqlite3-wasm.wasm'), readFileSync(join(unpackedSqlite, 'dist', 'node-sqlite3-wasm.wasm')));
  const { Database } = createRequire(import.meta.url)(join(packagedJs, 'dist', 'node-sqlite3-wasm.js')) as { Database: new (path: string) => { all(sql: string): unknown[]; close(): void } };
  const db = new Database(join(work, 'library.db'));
  assert.deepEqual(db.all('SELECT 1 + 1 AS two'), [{ two: 2 }]);
  db.close();

  // The default models are in <resources>/models, without the store's bookkeeping folders.
  assert.deepEqual(readdirSync(join(resources, 'models')).sort(), [...defaultIds].sort());
  for (const id of defaultIds) assert.ok(existsSync(join(resources, 'models', id, 'manifest.json')), `${id} is bundled`);
});
