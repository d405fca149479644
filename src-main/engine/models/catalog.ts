// The model catalog (models/catalog.json): what models exist and where their files come from.
// Validated at load so a hand-edited catalog fails with a clear message, not deep inside setup.
import * as v from 'valibot';
import catalogJson from '../../../models/catalog.json';
import { EngineError } from '../common/errors';

const FileRefSchema = v.object({ path: v.string(), sha256: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/)) });

const NpmNcnnSourceSchema = v.object({
  kind: v.literal('npm-ncnn'),
  package: v.string(),
  version: v.string(),
  integrity: v.pipe(v.string(), v.startsWith('sha512-')),
  param: FileRefSchema,
  bin: FileRefSchema,
});

const CatalogEntrySchema = v.object({
  id: v.string(),
  name: v.string(),
  description: v.string(),
  engine: v.literal('realesrgan'),
  default: v.boolean(),
  scale: v.number(),
  /** Context (input px) around each tile so that tiled output matches untiled within 2/255. */
  tilePad: v.pipe(v.number(), v.integer(), v.minValue(0)),
  parameters: v.number(),
  licence: v.string(),
  authors: v.string(),
  source: NpmNcnnSourceSchema,
});

const CatalogSchema = v.object({ version: v.literal(1), models: v.array(CatalogEntrySchema) });

export type CatalogEntry = v.InferOutput<typeof CatalogEntrySchema>;
export type NpmNcnnSource = v.InferOutput<typeof NpmNcnnSourceSchema>;

export function parseCatalog(json: unknown): CatalogEntry[] {
  const result = v.safeParse(CatalogSchema, json);
  if (!result.success) {
    const where = result.issues.map((i) => `${v.getDotPath(i) ?? '(root)'}: ${i.message}`).join('; ');
    throw new EngineError('MODEL_FORMAT', `The model catalog is invalid: ${where}`);
  }
  return result.output.models;
}

export const builtInCatalog: CatalogEntry[] = parseCatalog(catalogJson);

export function catalogEntry(id: string, catalog: CatalogEntry[] = builtInCatalog): CatalogEntry {
  const entry = catalog.find((m) => m.id === id);
  if (!entry) {
    throw new EngineError('INVALID_OPTION', `Unknown engine "${id}".`, `Known engines: ${catalog.map((m) => m.id).join(', ')}.`);
  }
  return entry;
}
