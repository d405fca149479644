// Test-only: tiny ONNX models made with the project's own writer, catalogs that point at the
// loopback fixture server, and the check every model test ends with: nothing half-made is
// where a ready model is expected.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseModels, type ModelEntry } from './catalog';
import { sha256Bytes } from './digest';
import { readManifest } from './manifest';
import { modelsDir } from './paths';
import { VERIFIED_FILE } from '../pure/package/package-check';
import { GraphBuilder, encodeModel, float32Tensor } from '../onnx/onnx-builder';

/** y = 2x + 1 over a [1, n] float tensor: loads and runs in onnxruntime. */
export function tinyOnnx(name = 'tiny'): Uint8Array {
  const g = new GraphBuilder(name);
  g.addInput({ name: 'x', elementType: 'float32', shape: [1, 'n'] });
  const two = g.addInitializer(float32Tensor('two', [], [2]));
  const one = g.addInitializer(float32Tensor('one', [], [1]));
  g.addNode({ opType: 'Mul', inputs: ['x', two], outputs: ['twice'] });
  g.addNode({ opType: 'Add', inputs: ['twice', one], outputs: ['y'] });
  g.addOutput({ name: 'y', elementType: 'float32', shape: [1, 'n'] });
  // Padding so downloads have a few chunks to drop, resume and pace.
  return encodeModel({ graph: g, producerName: 'pure-studio tests', docString: 'x'.repeat(200_000) });
}

/** The same model cut short: its bytes arrive intact, but it is not a working graph. */
export function damagedOnnx(): Uint8Array {
  return tinyOnnx().subarray(0, 150_000);
}

export interface TestFile {
  name: string;
  url: string;
  /** Pin this file's sha256 and size in the catalog (otherwise: trust on first use). */
  pin?: Uint8Array;
}

export function onnxEntry(id: string, files: TestFile[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    name: `Test model ${id}`,
    description: 'A tiny ONNX graph served by the test server.',
    engine: 'test',
    default: false,
    scale: 1,
    parameters: 2,
    licence: 'CC0-1.0',
    authors: 'PURE Studio tests',
    requirements: { downloadBytes: 300_000, installedBytes: 300_000, ramBytes: 1_000_000 },
    source: {
      kind: 'download',
      convert: 'onnx-verify',
      files: files.map((f) => ({ name: f.name, url: f.url, ...(f.pin ? { size: f.pin.length, sha256: sha256Bytes(f.pin) } : { approxBytes: 300_000 }) })),
    },
    ...extra,
  };
}

/** Writes a catalog file into `dir` and returns its path and parsed models. */
export function writeCatalog(dir: string, entries: Record<string, unknown>[]): { path: string; models: ModelEntry[] } {
  const json = { version: 1, models: entries };
  const path = join(dir, `catalog-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify(json, null, 2));
  return { path, models: parseModels(json) };
}

/**
 * No partial or staging file anywhere in the models folder, and a model folder (if any) holds
 * exactly its manifest and the files the manifest lists.
 */
export async function assertNothingHalfMade(home: string, id: string): Promise<void> {
  const root = modelsDir(home);
  if (!existsSync(root)) return;
  for (const name of readdirSync(root)) assert.ok(!name.includes('.staging-'), `staging folder left: ${name}`);
  const dir = join(root, id);
  if (!existsSync(dir)) return;
  const manifest = await readManifest(dir);
  assert.ok(manifest, `${dir} exists without a manifest`);
  const onDisk = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .filter((name) => name !== VERIFIED_FILE) // a PURE package's record of its last full proof
    .sort();
  assert.deepEqual(onDisk, ['manifest.json', ...manifest.files.map((f) => f.name)].sort());
}
