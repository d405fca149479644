// manifest.json of a converted PURE model package: the config the graphs were built for, the
// token ids, every file's sha256, where the weights came from, and whether it is a TEST MODEL.
import * as v from 'valibot';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GUI_HINTS } from '../../models/gui-hints';
import { EngineError } from '../../common/errors';
import type { PureConfig } from '../config';

export const PURE_MANIFEST = 'manifest.json';
export const PURE_FILES = {
  decoder: 'decoder.onnx',
  decoderData: 'decoder.onnx.data',
  /** The concat-cache twin of a static decoder.onnx, over the same decoder.onnx.data (the GPU runner's graph). */
  decoderConcat: 'decoder-concat.onnx',
  vqEncoder: 'vq-encoder.onnx',
  vqDecoder: 'vq-decoder.onnx',
  tokenizer: 'tokenizer.json',
} as const;

const PureManifestSchema = v.object({
  manifestVersion: v.literal(1),
  engine: v.literal('pure'),
  name: v.string(),
  testModel: v.boolean(),
  dtype: v.picklist(['fp32', 'fp16', 'int4']),
  /** How an 'int4' decoder was quantised (MatMulNBits, 4 bits): recorded for people and tools. */
  int4: v.optional(v.object({ blockSize: v.number(), scheme: v.picklist(['asymmetric', 'symmetric']), lmHead: v.boolean(), accuracyLevel: v.optional(v.picklist([0, 4])) })),
  /**
   * The KV-cache design of decoder.onnx (decoder-graph.ts): 'static' (a JS-owned buffer read in
   * place, only new K/V out) or 'concat' (past in, present out). Absent in packages converted
   * before the static cache: those are 'concat', and keep loading with the concat runners.
   */
  decoderCache: v.optional(v.picklist(['concat', 'static'])),
  config: v.custom<PureConfig>((x) => typeof x === 'object' && x !== null && 'decoder' in x && 'vq' in x),
  files: v.array(v.object({ name: v.string(), role: v.string(), size: v.number(), sha256: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/)) })),
  source: v.object({ checkpoint: v.string(), vq: v.string() }),
  converter: v.object({ name: v.string(), version: v.number() }),
  createdAt: v.string(),
});

export type PureManifest = v.InferOutput<typeof PureManifestSchema>;

export async function readPureManifest(dir: string): Promise<PureManifest> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(join(dir, PURE_MANIFEST), 'utf8'));
  } catch {
    throw new EngineError('MODEL_MISSING', `No converted PURE model in ${dir} (manifest.json missing or unreadable).`, 'Convert one with `npm run convert -- pure --checkpoint <dir> --vq <vq_ds8_c2i.pt> --out <dir>`.', {
      gui: { hint: GUI_HINTS.install },
    });
  }
  const parsed = v.safeParse(PureManifestSchema, json);
  if (!parsed.success) throw new EngineError('DIGEST_MISMATCH', `The PURE manifest in ${dir} is damaged: ${parsed.issues[0].message}.`, 'Convert the model again.');
  return parsed.output;
}

export function pureManifestJson(manifest: PureManifest): string {
  return `${JSON.stringify(v.parse(PureManifestSchema, manifest), null, 2)}\n`;
}

/** How the model is named to people: test models say so, always. */
export function describePureModel(manifest: PureManifest): string {
  return manifest.testModel ? `${manifest.name} (TEST MODEL: random weights, restores nothing)` : manifest.name;
}

/** The decoder graph's cache design; packages older than the field have the concat graph. */
export function decoderCacheOf(manifest: Pick<PureManifest, 'decoderCache'>): 'concat' | 'static' {
  return manifest.decoderCache ?? 'concat';
}

/**
 * The decoder graph files a package holds, by cache design. decoder.onnx is the design
 * decoderCache names; a static package converted with both graphs also lists decoderConcat
 * (its twin over the same weights file). Older packages hold one graph only.
 */
export function decoderGraphFiles(manifest: Pick<PureManifest, 'decoderCache' | 'files'>): { static?: string; concat?: string } {
  if (decoderCacheOf(manifest) === 'concat') return { concat: PURE_FILES.decoder };
  const twin = manifest.files.find((f) => f.role === 'decoderConcat');
  return twin ? { static: PURE_FILES.decoder, concat: twin.name } : { static: PURE_FILES.decoder };
}
