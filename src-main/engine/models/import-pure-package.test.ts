// `import <dir>` of a package made by the PURE converter (`npm run convert -- pure`), on the tiny
// PURE TEST MODEL: the real converter writes the package, the built-in catalog names the model,
// and validation loads it in the conversion child process as a pull's does. Each refusal
// (a changed byte, a missing file, a package that does not load, a wrong shape) names the
// problem and leaves nothing in the store; the user's folder is never changed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EngineError } from '../common/errors';
import { makeTinyPureCheckpoint } from '../pure/fixtures/make-tiny-checkpoint';
import { convertPure } from '../pure/package/convert-pure';
import { describePureModel, PURE_FILES, readPureManifest } from '../pure/package/pure-manifest';
import { loadCatalog } from './catalog';
import { sha256Bytes, sha256File } from './digest';
import { importModel } from './import-model';
import { readManifest } from './manifest';
import { ModelManager } from './model-manager';
import type { ModelProgress } from './model-progress';
import { locatePackage, modelDir } from './model-store';
import { placeHashed } from './place-hashed';
import { assertNothingHalfMade, onnxEntry, writeCatalog } from './test-catalog';
import { tempDir } from '../../testing/fixtures';

const builtIn = loadCatalog({}); // models/catalog.json, whatever PURE_STUDIO_CATALOG says
const work = tempDir();
const made = (async () => {
  const checkpoint = join(work, 'checkpoint');
  const tiny = await makeTinyPureCheckpoint(checkpoint, { seed: 5 });
  const out = join(work, 'converted');
  await convertPure({ checkpoint, vq: tiny.vqFile, out, dtype: 'fp16' });
  return out;
})();

/** A fresh copy of the converted package, to damage or to import. */
async function packageCopy(): Promise<string> {
  const dir = join(mkdtempSync(join(work, 'user-')), 'pure-package');
  cpSync(await made, dir, { recursive: true });
  return dir;
}

/** Names, sizes, mtimes and sha256 of everything in a folder: proof that it was only read. */
async function snapshot(dir: string): Promise<string[]> {
  const rows = [];
  for (const name of readdirSync(dir, { recursive: true }).map(String).sort()) {
    const info = statSync(join(dir, name));
    rows.push(info.isFile() ? `${name} ${info.size} ${info.mtimeMs} ${await sha256File(join(dir, name))}` : `${name}/`);
  }
  return rows;
}

/** The store holds nothing of the model: no folder, no staging, no lock. */
function assertStoreEmpty(home: string, id = 'pure-7b'): void {
  assert.ok(!existsSync(modelDir(id, home)), 'no model folder');
  const models = join(home, 'models');
  const left = existsSync(models) ? readdirSync(models).filter((n) => n !== '.locks') : [];
  assert.deepEqual(left, [], 'nothing else in the models folder');
  assert.deepEqual(existsSync(join(models, '.locks')) ? readdirSync(join(models, '.locks')) : [], [], 'the lock is released');
}

test('a converted PURE package is validated and installed as pure-7b, labelled TEST MODEL, hard-linked, the user’s folder untouched', { timeout: 300_000 }, async () => {
  const dir = await packageCopy();
  writeFileSync(join(dir, 'notes.txt'), 'mine'); // not in the manifest: stays out of the store
  const before = await snapshot(dir);
  const home = tempDir();
  const phases: ModelProgress['phase'][] = [];
  const result = await importModel(dir, { home, catalog: builtIn, onProgress: (p) => phases.push(p.phase) });
  assert.deepEqual(result, { id: 'pure-7b', kind: 'package' });
  assert.deepEqual([...new Set(phases)], ['verifying', 'validating', 'installing', 'done']);
  assert.deepEqual(await snapshot(dir), before, 'the user’s folder is only read');

  const installed = modelDir('pure-7b', home);
  const store = (await readManifest(installed))!;
  assert.equal(store.id, 'pure-7b');
  assert.equal(store.engine, 'pure');
  assert.equal(store.testModel, true);
  assert.deepEqual(store.source, { kind: 'import', from: dir, files: store.files.map((f) => ({ name: f.name, size: f.size, sha256: f.sha256, trust: 'first-use' })) });
  const original = await readPureManifest(dir);
  assert.deepEqual(store.files, original.files);
  // The engine reads the same file: its config, dtype and the TEST MODEL label survive.
  const engine = await readPureManifest(installed);
  assert.deepEqual(engine.config, original.config);
  assert.equal(engine.dtype, 'fp16');
  assert.deepEqual(engine.source, original.source);
  assert.match(describePureModel(engine), /TEST MODEL/);
  await locatePackage('pure-7b', home); // every file proven against the store's manifest
  // Same disk: the big files are links to the user's, not copies.
  const decoder = statSync(join(installed, PURE_FILES.decoder));
  assert.equal(decoder.ino, statSync(join(dir, PURE_FILES.decoder)).ino);
  assert.ok(!existsSync(join(installed, 'notes.txt')));

  const info = await new ModelManager({ home, catalog: builtIn }).info('pure-7b');
  assert.equal(info.status, 'unverified', 'an import is the user’s word');
  assert.equal(info.testModel, true);
  await assertNothingHalfMade(home, 'pure-7b');

  // A package copied back out of a models folder (both manifests in one) imports the same way.
  const again = tempDir();
  assert.deepEqual(await importModel(installed, { home: again, catalog: builtIn }), { id: 'pure-7b', kind: 'package' });
  assert.equal((await readManifest(modelDir('pure-7b', again)))?.testModel, true);
  await assertNothingHalfMade(again, 'pure-7b');
});

test('a changed byte is DIGEST_MISMATCH naming the file; nothing is left in the store', { timeout: 120_000 }, async () => {
  const dir = await packageCopy();
  const file = join(dir, PURE_FILES.vqDecoder);
  const bytes = readFileSync(file);
  bytes[bytes.length >> 1] ^= 0x01; // same size: only the hash can tell
  writeFileSync(file, bytes);
  const before = await snapshot(dir);
  const home = tempDir();
  await assert.rejects(importModel(dir, { home, catalog: builtIn }), (e: EngineError) => {
    assert.equal(e.code, 'DIGEST_MISMATCH');
    assert.match(e.message, /vq-decoder\.onnx does not match the sha256/);
    assert.ok(e.message.includes(dir));
    return true;
  });
  assertStoreEmpty(home);
  assert.deepEqual(await snapshot(dir), before);
});

test('a missing file is MODEL_MISSING naming it, before anything is placed', { timeout: 120_000 }, async () => {
  const dir = await packageCopy();
  unlinkSync(join(dir, PURE_FILES.tokenizer));
  const home = tempDir();
  await assert.rejects(importModel(dir, { home, catalog: builtIn }), (e: EngineError) => e.code === 'MODEL_MISSING' && /tokenizer\.json is missing/.test(e.message));
  assertStoreEmpty(home);
  assert.ok(!existsSync(join(home, 'models')), 'the models folder was not even made');
});

test('a package whose recorded digests fit but which does not load is refused by validation', { timeout: 120_000 }, async () => {
  const dir = await packageCopy();
  // A consistent lie: the graph is garbage, and the manifest records the garbage's digest.
  const garbage = new Uint8Array(4096).fill(0x5a);
  writeFileSync(join(dir, PURE_FILES.vqEncoder), garbage);
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { files: { name: string; size: number; sha256: string }[] };
  const entry = manifest.files.find((f) => f.name === PURE_FILES.vqEncoder)!;
  Object.assign(entry, { size: garbage.length, sha256: sha256Bytes(garbage) });
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  const home = tempDir();
  await assert.rejects(importModel(dir, { home, catalog: builtIn }), (e: EngineError) => e.code === 'MODEL_FORMAT' && e.message.includes(`${dir} does not load`) && e.message.includes(join(dir, PURE_FILES.vqEncoder)));
  assertStoreEmpty(home);
});

test('a package that claims not to be a test model must have PURE-7B’s shape; file names must stay inside the folder', async () => {
  const home = tempDir();
  const edit = async (change: (m: Record<string, unknown>) => void): Promise<string> => {
    const dir = await packageCopy();
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    change(manifest);
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
    return dir;
  };
  const untagged = await edit((m) => (m.testModel = false));
  await assert.rejects(importModel(untagged, { home, catalog: builtIn }), (e: EngineError) => e.code === 'MODEL_FORMAT' && /not PURE-7B's/.test(e.message));
  const escaping = await edit((m) => ((m.files as { name: string }[])[0].name = '../outside.onnx'));
  await assert.rejects(importModel(escaping, { home, catalog: builtIn }), (e: EngineError) => e.code === 'MODEL_FORMAT' && /"\.\.\/outside\.onnx"/.test(e.message));
  const unlisted = await edit((m) => (m.files = (m.files as { name: string }[]).filter((f) => f.name !== PURE_FILES.vqEncoder)));
  await assert.rejects(importModel(unlisted, { home, catalog: builtIn }), (e: EngineError) => e.code === 'MODEL_FORMAT' && /does not list vq-encoder\.onnx/.test(e.message));
  const broken = await edit((m) => delete m.dtype);
  await assert.rejects(importModel(broken, { home, catalog: builtIn }), { code: 'DIGEST_MISMATCH' });
  assertStoreEmpty(home);
});

test('which catalog model: --id must name a PURE model; a catalog without one says so', async () => {
  const dir = await packageCopy();
  const home = tempDir();
  await assert.rejects(importModel(dir, { home, catalog: builtIn, id: 'realesrgan-x4plus' }), (e: EngineError) => e.code === 'INVALID_OPTION' && /not a PURE model/.test(e.message));
  const { models } = writeCatalog(home, [onnxEntry('other', [])]);
  await assert.rejects(importModel(dir, { home, catalog: models }), (e: EngineError) => e.code === 'MODEL_FORMAT' && /no PURE model/.test(e.message));
  const two = writeCatalog(home, [{ ...onnxEntry('pure-a', []), engine: 'pure' }, { ...onnxEntry('pure-b', []), engine: 'pure' }]).models;
  await assert.rejects(importModel(dir, { home, catalog: two }), (e: EngineError) => e.code === 'INVALID_OPTION' && /--id/.test(e.hint ?? ''));
  assertStoreEmpty(home);
});

// Across disks a hard link is impossible: the file is copied, hashed as it streams.
const shm = existsSync('/dev/shm') && statSync('/dev/shm').dev !== statSync(work).dev ? '/dev/shm' : undefined;

test('on another disk the files are copied (hashed while copying), and the copy is what is checked', { skip: shm ? false : 'no second filesystem (/dev/shm) here' }, async () => {
  const dir = await packageCopy();
  const target = mkdtempSync(join(shm!, 'pure-studio-test-'));
  try {
    const placed = await placeHashed(join(dir, PURE_FILES.vqDecoder), join(target, 'copy.onnx'));
    assert.equal(placed.linked, false);
    assert.equal(placed.sha256, await sha256File(join(target, 'copy.onnx')));
    assert.equal(placed.sha256, await sha256File(join(dir, PURE_FILES.vqDecoder)));
    assert.notEqual(statSync(join(target, 'copy.onnx')).ino, statSync(join(dir, PURE_FILES.vqDecoder)).ino);
    const home = join(target, 'home');
    assert.deepEqual(await importModel(dir, { home, catalog: builtIn }), { id: 'pure-7b', kind: 'package' });
    await locatePackage('pure-7b', home);
    assert.notEqual(statSync(join(modelDir('pure-7b', home), PURE_FILES.decoder)).ino, statSync(join(dir, PURE_FILES.decoder)).ino, 'a copy, not a link');
    await assertNothingHalfMade(home, 'pure-7b');
  } finally {
    rmSync(target, { recursive: true, force: true });
  }
});
