// PURE on one photo, inside the inference process: LQ -> VQ codes -> prompt -> perceive,
// understand, restore (token by token) -> VQ decode -> wavelet colour fix. Spec sections 4-6.
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { EngineError, throwIfAborted } from '../../common/errors';
import type { SamplingSettings } from '../../common/sampling/settings';
import type { RasterImage } from '../../image/types';
import { gridSide } from '../config';
import { DecoderSession } from '../decoder/decoder-session';
import { generatePure, type GenerateOptions, type GenerationResult } from '../generation/generate';
import { DeviceSampler } from '../sampling-graph/device-sampler';
import { deviceLogitsSampler } from '../sampling-graph/device-logits-sampler';
import type { GenerationProgress } from '../generation/progress';
import { buildPrompt, PURE_INSTRUCTION } from '../generation/prompt';
import { latentPerGrid, serializeImage } from '../generation/token-layout';
import { checkPackageFiles, type PackageCheck } from '../package/package-check';
import { decoderGraphFiles, PURE_FILES, readPureManifest, type PureManifest } from '../package/pure-manifest';
import { loadPureTokenizer, type PureTokenizer } from '../tokenizer/text-tokenizer';
import { preprocessLq } from '../vq/vq-preprocess';
import { rgb8ToUnitPlanar, unitPlanarToRgb8, vqOutputToRgb8 } from '../vq/vq-postprocess';
import { waveletColorFix } from '../vq/wavelet-color-fix';
import { withProviderFallback } from '../../runtime/provider-chain';
import type { ProviderAttempt } from '../../runtime/worker-messages';
import { resolveThreads } from '../../runtime/thread-count';
import { decoderPlanFor, runnerFor, type CfgBatching, type DecoderBackend, type KvCacheDesign } from './decoder-runner-choice';
import { OrtGpuCacheRunner } from './ort-gpu-cache-runner';

export interface PureLoadOptions {
  /**
   * Called before each provider of the chain is tried; throwing refuses it. The worker's memory
   * preflight for a fallback provider goes here (an INSUFFICIENT_MEMORY ends the chain).
   */
  beforeProvider?: (provider: string, index: number, manifest: PureManifest) => void;
  /**
   * Where the cache stays on the device (WebGPU): sample there too with the float32 sampling graph,
   * so the logits never come to the host (the host redoes the rare step the graph cannot be sure
   * of). Off by default until a real GPU shows it pays: the graph is ~600 small kernels per token
   * against a 0.6 ms host sampler and a 0.6 MB download (docs/gpu-kv-cache.md).
   */
  sampleOnDevice?: boolean;
}

export interface PureSettings {
  seed: number;
  sampling?: Partial<SamplingSettings>;
  /** Replaces the generated degradation + caption text (forced token by token). */
  text?: string;
  /** Decode a preview every this many image rows (0 = never): the VQ decoder is not free. */
  previewEveryRows: number;
  /** Stop after this many new tokens (the LQ codes fill what is not generated); for quick checks. */
  maxNewTokens?: number;
  /**
   * CFG's two branches in one batch-2 decoder call, or one call each. The runner family follows the
   * package's decoder graph (manifest decoderCache); the default per graph is in decoder-runner-choice.ts.
   * The device runner (webgpu) runs the branches one by one whatever this says.
   */
  cfgBatching?: CfgBatching;
}

export interface PureHooks {
  signal?: AbortSignal;
  onProgress?: (p: GenerationProgress) => void;
  /** (size, size, 3) RGB of the image so far, LQ codes standing in for the rows not yet made. */
  onPreview?: (rgb: Uint8Array, size: number, rowsDone: number) => void;
}

export interface PureOutput {
  /** (size, size, 3) RGB after the colour fix. */
  rgb: Uint8Array;
  size: number;
  generation: GenerationResult;
}

const session = (path: string, threads: number, provider: string): Promise<ort.InferenceSession> =>
  ort.InferenceSession.create(path, { executionProviders: [provider], graphOptimizationLevel: 'all', intraOpNumThreads: threads });

export class PurePipeline {
  private constructor(
    readonly manifest: PureManifest,
    private readonly decoder: DecoderBackend,
    private readonly vqEncoder: ort.InferenceSession,
    private readonly vqDecoder: ort.InferenceSession,
    private readonly tokenizer: PureTokenizer,
  ) {}

  /** The execution provider every session runs on, and each provider tried before it and why it was refused. */
  provider = 'cpu';
  providerAttempts: ProviderAttempt[] = [{ provider: 'cpu' }];
  /** Where the KV cache lives on that provider (decoder-runner-choice.ts decoderPlanFor). */
  kvCache: KvCacheDesign = 'host-static';
  /** onnxruntime's intra-op threads in every session: the caller's, or the default (thread-count.ts). */
  threads = 1;
  /** How this load proved the package's files: from the recorded proof, or hashed now. */
  fileCheck: PackageCheck = { how: 'hashed', hashedBytes: 0 };
  private readonly deviceSamplers = new Map<string, Promise<DeviceSampler>>();

  /**
   * Loads a converted package after proving its files (sizes, and sha256 unless a recorded proof
   * still matches: package-check.ts), on the first of
   * `providers` that can load all three graphs (the same explicit fallback chain as Real-ESRGAN).
   */
  static async load(dir: string, threads: number, providers: readonly string[] = ['cpu'], load: PureLoadOptions = {}): Promise<PurePipeline> {
    const manifest = await readPureManifest(dir);
    // Sizes always; the bytes only when a file changed since its last full proof (package-check.ts).
    const fileCheck = await checkPackageFiles(dir, manifest.files);
    const intraOpThreads = resolveThreads(threads); // never 0: onnxruntime's own choice left a core idle
    const options = { intraOpNumThreads: intraOpThreads };
    const graphs = decoderGraphFiles(manifest);
    const chosen = await withProviderFallback(providers, async (provider) => {
      load.beforeProvider?.(provider, providers.indexOf(provider), manifest);
      // The provider picks the graph: webgpu keeps a concat graph's cache on the device.
      const plan = decoderPlanFor(provider, graphs);
      const path = join(dir, plan.file);
      const openDecoder = async (): Promise<DecoderBackend> => {
        if (plan.kvCache === 'device') {
          const runner = await OrtGpuCacheRunner.create(path, manifest.config.decoder, manifest.dtype, { provider, session: { graphOptimizationLevel: 'all', ...options }, logitsOnDevice: load.sampleOnDevice === true });
          return { kind: 'device', runner };
        }
        // No CPU memory arena for the decoder: the arena keeps what each call freed for later calls,
        // and as the cache grows every call's fp32 copies of the layers' K/V are a little larger, so
        // it kept about 0.27 GB more per layer over a run (8 layers of the 7B shape: 3.05 GB beyond
        // weights and cache with it, 0.85 GB without). At the full 7B shape at 2400 tokens the run
        // peaked 1.06 GB lower without it and was no slower (docs/pure-cpu-7b.md).
        const arena = provider === 'cpu' ? { enableCpuMemArena: false } : {};
        return { kind: 'host', session: await DecoderSession.create(path, manifest.config.decoder, manifest.dtype, { executionProviders: [provider], graphOptimizationLevel: 'all', ...arena, ...options }) };
      };
      const made = await Promise.allSettled([openDecoder(), session(join(dir, PURE_FILES.vqEncoder), intraOpThreads, provider), session(join(dir, PURE_FILES.vqDecoder), intraOpThreads, provider)] as const);
      const [decoder, vqEncoder, vqDecoder] = made;
      if (decoder.status === 'fulfilled' && vqEncoder.status === 'fulfilled' && vqDecoder.status === 'fulfilled') {
        return { plan, decoder: decoder.value, vqEncoder: vqEncoder.value, vqDecoder: vqDecoder.value };
      }
      await Promise.all([decoder.status === 'fulfilled' ? releaseDecoder(decoder.value) : undefined, ...[vqEncoder, vqDecoder].map((m) => (m.status === 'fulfilled' ? m.value.release() : undefined))]);
      throw [decoder, vqEncoder, vqDecoder].find((m) => m.status === 'rejected')!.reason;
    });
    const { plan, decoder, vqEncoder, vqDecoder } = chosen.value;
    // The runner family follows the graph (decoder-runner-choice.ts): the manifest must say the same.
    const loadedCache = decoder.kind === 'host' ? decoder.session.cacheKind : 'concat';
    if (loadedCache !== plan.cache) {
      await Promise.all([releaseDecoder(decoder), vqEncoder.release(), vqDecoder.release()]);
      throw new EngineError('DIGEST_MISMATCH', `The PURE model in ${dir} is inconsistent: its manifest says ${plan.file} has a ${plan.cache} KV cache, the graph has a ${loadedCache} one.`, 'Convert the model again.');
    }
    const tokenizer = await loadPureTokenizer(dir, { codebookSize: manifest.config.vq.codebookSize, vocabSize: manifest.config.decoder.vocabSize });
    tokenizer.checkTokenIds(manifest.config.tokens);
    const pipeline = new PurePipeline(manifest, decoder, vqEncoder, vqDecoder, tokenizer);
    pipeline.provider = chosen.provider;
    pipeline.providerAttempts = chosen.attempts;
    pipeline.threads = intraOpThreads;
    pipeline.fileCheck = fileCheck;
    pipeline.kvCache = plan.kvCache;
    return pipeline;
  }

  /**
   * One generation step on the real runner: BOS + the instruction through the decoder, and the
   * greedy next token. Proves the package computes (finite logits of the right width, a token in
   * the vocabulary), not only that its files load: a conversion's last check before "ready".
   */
  async selfTest(): Promise<{ token: number; logitsWidth: number }> {
    const { tokens, decoder } = this.manifest.config;
    const prompt = Int32Array.from([tokens.bos, ...this.tokenizer.encode(PURE_INSTRUCTION)]);
    const runner = runnerFor(this.decoder);
    const sequence = await runner.openSequence();
    try {
      const [logits] = await runner.forward([{ sequence, tokens: prompt, position: 0 }]); // (vocab,)
      let best = 0;
      for (let i = 0; i < logits.length; i++) {
        if (!Number.isFinite(logits[i])) throw new EngineError('MODEL_FORMAT', `The PURE model computes non-finite scores (token ${i} after the instruction).`, 'Convert the model again; if it persists, the checkpoint itself is damaged.');
        if (logits[i] > logits[best]) best = i;
      }
      if (logits.length !== decoder.vocabSize) throw new EngineError('MODEL_FORMAT', `The PURE decoder returns ${logits.length} scores per token, its config says ${decoder.vocabSize}.`, 'Convert the model again.');
      return { token: best, logitsWidth: logits.length };
    } finally {
      await runner.closeSequence(sequence);
    }
  }

  async restore(image: RasterImage, settings: PureSettings, hooks: PureHooks = {}): Promise<PureOutput> {
    const { config } = this.manifest;
    const size = config.imageSize;
    const side = gridSide(config);
    const lq = preprocessLq(image, size); // (1, 3, S, S) in [-1, 1], and the (S, S, 3) bicubic RGB
    const codes = await this.encode(lq.input, size); // (side * side,)
    throwIfAborted(hooks.signal);

    const { codeToId } = this.tokenizer.codeMap;
    const lqTokens = serializeImage(codes, side, side, codeToId, config.tokens, latentPerGrid(config.vq.downsample));
    const prompt = buildPrompt(config.tokens, this.tokenizer.encode(PURE_INSTRUCTION), lqTokens);
    const input = { prompt, lqCodes: codes, ...(settings.text ? { forcedText: this.tokenizer.encode(settings.text) } : {}) };
    const options: GenerateOptions = {
      tokens: config.tokens,
      codeMap: this.tokenizer.codeMap,
      side,
      latentPerGrid: latentPerGrid(config.vq.downsample),
      seed: settings.seed,
      sampling: settings.sampling,
      maxPositions: config.decoder.maxPositions,
      ...(settings.maxNewTokens ? { maxNewTokens: settings.maxNewTokens } : {}),
      decodeText: (ids) => this.tokenizer.decode(ids),
      signal: hooks.signal,
      onProgress: hooks.onProgress,
      previewEveryRows: hooks.onPreview ? settings.previewEveryRows : 0,
      onPreview: hooks.onPreview
        ? ({ codes: sofar, rowsDone }) => {
            // Fire and forget: a preview must never hold up generation or fail it.
            void this.decode(sofar, side).then((rgb) => hooks.onPreview?.(rgb, size, rowsDone), () => undefined);
          }
        : undefined,
    };
    const device = this.decoder.kind === 'device' && this.decoder.runner.logitsOnDevice ? this.decoder.runner : undefined;
    const generation = device
      ? await generatePure(device.deviceLogits(), input, options, deviceLogitsSampler(await this.deviceSampler(settings.sampling ?? {}), (t) => device.readLogits(t)))
      : await generatePure(runnerFor(this.decoder, settings.cfgBatching), input, options);
    throwIfAborted(hooks.signal);
    const generated = await this.decode(generation.codes, side); // (S, S, 3)
    // Wavelet colour fix against the bicubic LQ: high frequencies from the model, colours from the photo.
    const fixed = waveletColorFix(rgb8ToUnitPlanar(generated, size, size), rgb8ToUnitPlanar(lq.rgb, size, size), size, size);
    return { rgb: unitPlanarToRgb8(fixed, size, size), size, generation };
  }

  async close(): Promise<void> {
    const samplers = [...this.deviceSamplers.values()];
    this.deviceSamplers.clear();
    await Promise.all([releaseDecoder(this.decoder), this.vqEncoder.release(), this.vqDecoder.release(), ...samplers.map((s) => s.then((sampler) => sampler.release(), () => undefined))]);
  }

  /** The float32 sampling graph on the pipeline's provider, one per sampling settings (kept: building one compiles its shaders). */
  private deviceSampler(sampling: Partial<SamplingSettings>): Promise<DeviceSampler> {
    const key = JSON.stringify(sampling);
    let made = this.deviceSamplers.get(key);
    if (!made) {
      const { tokens } = this.manifest.config;
      const maskIds = { codeIds: this.tokenizer.codeMap.codeIds, rowEnd: tokens.rowEnd, imageEnd: tokens.imageEnd };
      made = DeviceSampler.create(this.manifest.config.decoder.vocabSize, sampling, maskIds, { executionProviders: [this.provider] }, 'float32');
      this.deviceSamplers.set(key, made);
      made.catch(() => this.deviceSamplers.delete(key)); // a failed build is tried again next time, not kept
    }
    return made;
  }

  private async encode(input: Float32Array, size: number): Promise<Int32Array> {
    const out = await this.vqEncoder.run({ image: new ort.Tensor('float32', input, [1, 3, size, size]) });
    return Int32Array.from(out.codes.data as BigInt64Array, (c) => Number(c)); // (1, side * side) int64
  }

  private async decode(codes: Int32Array, side: number): Promise<Uint8Array> {
    const tensor = new ort.Tensor('int64', BigInt64Array.from(codes, (c) => BigInt(c)), [1, side, side]);
    const out = await this.vqDecoder.run({ codes: tensor });
    const size = side * this.manifest.config.vq.downsample;
    return vqOutputToRgb8(out.image.data as Float32Array, size, size); // (S, S, 3)
  }
}

function releaseDecoder(decoder: DecoderBackend): Promise<void> {
  return decoder.kind === 'device' ? decoder.runner.release() : decoder.session.release();
}
