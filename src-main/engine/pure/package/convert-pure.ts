// `convert pure`: an HF-style PURE checkpoint + LlamaGen's vq_ds8_c2i.pt -> a model package of
// our own ONNX graphs. Weights stream from the shards straight into the decoder's external data
// file; the package appears (atomic rename) only once every file is written and hashed.
import { copyFile, mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { EngineError, throwIfAborted } from '../../common/errors';
import { openCheckpoint } from '../../checkpoint/open-checkpoint';
import { openTorchCheckpoint } from '../../checkpoint/torch-zip';
import { buildDecoderGraphPairYielding } from '../decoder/decoder-graph-pair';
import { buildDecoderGraphYielding, INT4_DEFAULTS, type DecoderCacheKind, type DecoderDtype, type Int4GraphOptions } from '../decoder/decoder-graph';
import { isIgnoredDecoderTensor } from '../tensor-names';
import { buildVqDecoderGraph } from '../vq/vq-decoder-graph';
import { buildVqEncoderGraph } from '../vq/vq-encoder-graph';
import { readCheckpointConfig } from './checkpoint-config';
import { PURE_FILES, PURE_MANIFEST, pureManifestJson, type PureManifest } from './pure-manifest';
import { hashFile, recordVerified } from './package-check';
import { makeStaging, removeStaleStaging } from './staging';
import { preloadedWeights, safetensorsWeights, storedBytes } from './sync-weights';

// The version stays 1 with the static-cache graph: packages of either graph load (the manifest's
// decoderCache says which), so nothing installed has to be converted again.
export const PURE_CONVERTER = { name: 'pure-studio pure-to-onnx', version: 1 };

/** The decoder graph new packages get: see docs/gpu-kv-cache.md for the numbers behind it. */
export const DEFAULT_DECODER_CACHE: DecoderCacheKind = 'static';

export interface ConvertPureOptions {
  checkpoint: string;
  vq: string;
  out: string;
  dtype: DecoderDtype;
  /** dtype 'int4' only: block size, scheme, LM head (defaults: INT4_DEFAULTS). */
  int4?: Partial<Int4GraphOptions>;
  /**
   * decoder.onnx's KV-cache design; default DEFAULT_DECODER_CACHE. A 'static' package also gets
   * decoder-concat.onnx (the GPU runner's graph) over the same weights file.
   */
  cache?: DecoderCacheKind;
  overwrite?: boolean;
  signal?: AbortSignal;
  /** `bytes`: for the stages that stream (the decoder's weights read, the package hashed). */
  onProgress?: (stage: string, fraction: number, bytes?: ConvertBytes) => void;
}

/** Bytes done of a stage's total. */
export interface ConvertBytes {
  done: number;
  total: number;
}

export async function convertPure(options: ConvertPureOptions): Promise<PureManifest> {
  const out = resolve(options.out);
  const progress = options.onProgress ?? (() => {});
  if (!options.overwrite && (await stat(out).then(() => true, () => false))) {
    throw new EngineError('OUTPUT_EXISTS', `${out} already exists.`, 'Choose another --out, or pass --overwrite.');
  }
  if (options.int4 && options.dtype !== 'int4') throw new EngineError('INVALID_OPTION', `int4 settings were given for a ${options.dtype} conversion.`, 'Use them with --dtype int4 only.');
  const int4 = options.dtype === 'int4' ? { ...INT4_DEFAULTS, ...options.int4 } : undefined;
  const cache = options.cache ?? DEFAULT_DECODER_CACHE;
  const { config, testModel } = await readCheckpointConfig(options.checkpoint);
  await mkdir(dirname(out), { recursive: true });
  await removeStaleStaging(out); // left by runs that were killed outright
  const staging = await makeStaging(out);
  try {
    // Decoder: one pass over the shards, each weight read, converted and appended to disk. The
    // build yields after each weight, so Ctrl-C and the signal stop it within one weight.
    const reader = await openCheckpoint(options.checkpoint);
    // Progress in checkpoint bytes, not tensors: an embedding and a norm weight are not one step each.
    const total = storedBytes(reader, [...reader.tensors.keys()].filter((n) => !isIgnoredDecoderTensor(n)));
    const weights = safetensorsWeights(reader, () => progress('decoder', total ? weights.bytesRead / total : 1, { done: weights.bytesRead, total }));
    try {
      const graph = { dtype: options.dtype, ...(int4 ? { int4 } : {}), externalDataPath: join(staging, PURE_FILES.decoderData) };
      if (cache === 'static') {
        // Both graphs, one weights file: the concat twin references the static graph's offsets.
        const pair = await buildDecoderGraphPairYielding(config.decoder, weights.get, graph, options.signal);
        await writeFile(join(staging, PURE_FILES.decoder), pair.static.model);
        await writeFile(join(staging, PURE_FILES.decoderConcat), pair.concat.model);
      } else {
        await writeFile(join(staging, PURE_FILES.decoder), (await buildDecoderGraphYielding(config.decoder, weights.get, { ...graph, cache }, options.signal)).model);
      }
    } finally {
      weights.close();
      await reader.close();
    }
    throwIfAborted(options.signal);

    progress('vq', 0);
    const vqReader = await openTorchCheckpoint(options.vq);
    const vq = await preloadedWeights(vqReader, (n) => n === 'quantize.codebook_used');
    await vqReader.close();
    await writeFile(join(staging, PURE_FILES.vqEncoder), buildVqEncoderGraph(config.vq, vq.get));
    progress('vq', 0.5);
    await writeFile(join(staging, PURE_FILES.vqDecoder), buildVqDecoderGraph(config.vq, vq.get));
    vq.close();
    await copyFile(join(options.checkpoint, PURE_FILES.tokenizer), join(staging, PURE_FILES.tokenizer));
    throwIfAborted(options.signal);

    const roles: [keyof typeof PURE_FILES, string][] = [
      ['decoder', PURE_FILES.decoder],
      ['decoderData', PURE_FILES.decoderData],
      ['decoderConcat', PURE_FILES.decoderConcat],
      ['vqEncoder', PURE_FILES.vqEncoder],
      ['vqDecoder', PURE_FILES.vqDecoder],
      ['tokenizer', PURE_FILES.tokenizer],
    ];
    const sizeOf = (name: string) => stat(join(staging, name)).then((s) => s.size, () => 0);
    const hashTotal = (await Promise.all(roles.map(([, name]) => sizeOf(name)))).reduce((a, b) => a + b, 0);
    let hashed = 0;
    progress('hashing', 0, { done: 0, total: hashTotal });
    const files: PureManifest['files'] = [];
    for (const [role, name] of roles) {
      const path = join(staging, name);
      const info = await stat(path).catch(() => undefined);
      if (!info) continue; // no data file when all weights fit inline; no twin for a concat package
      const sha256 = await hashFile(path, (n) => progress('hashing', hashTotal ? (hashed + n) / hashTotal : 1, { done: hashed + n, total: hashTotal }), options.signal);
      hashed += info.size;
      files.push({ name, role, size: info.size, sha256 });
    }
    const manifest: PureManifest = {
      manifestVersion: 1,
      engine: 'pure',
      name: testModel ? 'PURE tiny test model' : 'PURE 7B',
      testModel,
      dtype: options.dtype,
      ...(int4 ? { int4 } : {}),
      decoderCache: cache,
      config,
      files,
      source: { checkpoint: resolve(options.checkpoint), vq: resolve(options.vq) },
      converter: PURE_CONVERTER,
      createdAt: new Date().toISOString(),
    };
    // Just hashed: loads trust this proof while sizes and mtimes match (the rename keeps mtimes).
    await recordVerified(staging, files);
    await writeFile(join(staging, PURE_MANIFEST), pureManifestJson(manifest)); // last: marks it complete
    if (options.overwrite) await rm(out, { recursive: true, force: true });
    await rename(staging, out);
    progress('done', 1);
    return manifest;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOSPC') {
      throw new EngineError('DISK_FULL', 'The disk filled up while converting PURE; nothing was kept.', 'The 7B package needs about 15 GB (fp16), 29 GB (fp32) or 5 GB (int4) free.');
    }
    throw error;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
