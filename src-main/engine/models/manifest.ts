// manifest.json of an installed model: what it is, where it came from, and the sha256 of every
// file, so damage or tampering is caught before a model runs. Written last when installing.
import * as v from 'valibot';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EngineError } from '../common/errors';

export const MANIFEST_FILE = 'manifest.json';

const Sha256 = v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/));

/** Where the model's original files came from: the npm package of the Real-ESRGAN engines... */
const NpmSourceSchema = v.object({
  package: v.string(),
  version: v.string(),
  integrity: v.string(),
  files: v.array(v.object({ path: v.string(), sha256: v.string() })),
});

/**
 * How far each original file's digest can be trusted: `pinned` by the catalog; `listed` by the
 * server it came from (checked, but not independently); `first-use` recorded when first seen.
 */
export const TRUST_LEVELS = ['pinned', 'listed', 'first-use'] as const;
export type Trust = (typeof TRUST_LEVELS)[number];

const SourceFileSchema = v.object({ name: v.string(), url: v.optional(v.string()), size: v.number(), sha256: Sha256, trust: v.picklist(TRUST_LEVELS) });

/** ...files downloaded over HTTPS (a Hugging Face repo is pinned to the commit it was listed at)... */
const DownloadSourceSchema = v.object({ kind: v.literal('download'), revision: v.optional(v.string()), files: v.array(SourceFileSchema) });

/** ...or a local folder the user imported. */
const ImportSourceSchema = v.object({ kind: v.literal('import'), from: v.string(), files: v.array(SourceFileSchema) });

export type SourceFile = v.InferOutput<typeof SourceFileSchema>;

const ManifestSchema = v.object({
  manifestVersion: v.literal(1),
  id: v.string(),
  name: v.string(),
  engine: v.string(),
  scale: v.number(),
  licence: v.string(),
  authors: v.string(),
  source: v.union([NpmSourceSchema, DownloadSourceSchema, ImportSourceSchema]),
  converter: v.object({ name: v.string(), version: v.number() }),
  files: v.array(v.object({ name: v.string(), role: v.string(), size: v.number(), sha256: Sha256 })),
  createdAt: v.string(),
  /**
   * A tiny or random model (tests, benchmarks): the catalog said so, or the converter did (the
   * PURE converter marks a package made from the tiny test checkpoint). Absent means false.
   */
  testModel: v.optional(v.boolean()),
});

export type ModelManifest = v.InferOutput<typeof ManifestSchema>;

/** What a catalog entry tells every manifest of its model, whichever way it was installed. */
export interface ManifestEntry {
  id: string;
  name: string;
  engine: string;
  scale: number;
  licence: string;
  authors: string;
  testModel?: boolean;
}

export interface ManifestParts {
  source: ModelManifest['source'];
  converter: ModelManifest['converter'];
  files: ModelManifest['files'];
  /** The converter's own word that the package is a test model (the catalog's counts too). */
  testModel?: boolean;
}

/**
 * The store's manifest for a freshly made package, the same way for every install path (the
 * Real-ESRGAN engines from npm, downloads, imports of original files).
 */
export function buildManifest(entry: ManifestEntry, parts: ManifestParts): ModelManifest {
  const manifest: ModelManifest = {
    manifestVersion: 1,
    id: entry.id,
    name: entry.name,
    engine: entry.engine,
    scale: entry.scale,
    licence: entry.licence,
    authors: entry.authors,
    source: parts.source,
    converter: parts.converter,
    files: parts.files,
    createdAt: new Date().toISOString(),
  };
  if (entry.testModel === true || parts.testModel === true) manifest.testModel = true;
  return manifest;
}

/** True when every original file was pinned by the catalog (npm packages are pinned by integrity). */
export function isVerified(manifest: ModelManifest): boolean {
  return !('kind' in manifest.source) || manifest.source.files.every((f) => f.trust === 'pinned');
}

export async function readManifest(dir: string): Promise<ModelManifest | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, MANIFEST_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new EngineError('DIGEST_MISMATCH', `The model manifest in ${dir} is damaged (not JSON).`);
  }
  const parsed = v.safeParse(ManifestSchema, json);
  if (!parsed.success) throw new EngineError('DIGEST_MISMATCH', `The model manifest in ${dir} is damaged: ${parsed.issues[0].message}.`);
  return parsed.output;
}

export function manifestJson(manifest: ModelManifest): string {
  return `${JSON.stringify(v.parse(ManifestSchema, manifest), null, 2)}\n`;
}
