// The shapes of the PURE model (Lumina-mGPT 7B / Chameleon + LlamaGen VQ-8), as data, so that the
// real 7B and the tiny test models run through exactly the same code. Facts: shared/docs/PURE-SPEC.md.
// Pure TypeScript: no Node built-ins.

export interface DecoderConfig {
  hiddenSize: number; // 4096
  numLayers: number; // 32
  numHeads: number; // 32
  numKvHeads: number; // 32 (plain multi-head)
  headDim: number; // 128 = hidden / heads
  intermediateSize: number; // 11008, SwiGLU
  vocabSize: number; // 73728 (65536 text + image codes)
  rmsNormEps: number; // 1e-5
  qkNormEps: number; // 1e-5, LayerNorm over each head's dims before RoPE
  ropeTheta: number; // 10000
  maxPositions: number; // 11776 [I]
}

export interface VqConfig {
  codebookSize: number; // 16384
  codebookDim: number; // 8
  baseChannels: number; // 128
  channelMultipliers: number[]; // [1, 2, 2, 4]
  encoderResBlocks: number; // 2 per level
  decoderResBlocks: number; // 3 per level
  zChannels: number; // 256
  groupNormGroups: number; // 32
  groupNormEps: number; // 1e-6
  downsample: number; // 8 = 2 ** (levels - 1)
}

export interface TokenIds {
  bos: number; // 0
  imageStart: number; // 8197 <racm3:break>
  imageEnd: number; // 8196 <eoss>
  rowEnd: number; // 8803 <reserved08799>
  gridBase: number; // 8804: grid token for n = gridBase + n
  endOfTurn: number; // 8710 <reserved08706>, also EOS
}

export interface PureConfig {
  decoder: DecoderConfig;
  vq: VqConfig;
  tokens: TokenIds;
  /** Side of the model's square image in pixels (512); tokens per side = imageSize / vq.downsample. */
  imageSize: number;
}

export const PURE_TOKENS: TokenIds = { bos: 0, imageStart: 8197, imageEnd: 8196, rowEnd: 8803, gridBase: 8804, endOfTurn: 8710 };

/** The real PURE-7B shape. */
export const PURE_7B: PureConfig = {
  decoder: {
    hiddenSize: 4096,
    numLayers: 32,
    numHeads: 32,
    numKvHeads: 32,
    headDim: 128,
    intermediateSize: 11008,
    vocabSize: 73728,
    rmsNormEps: 1e-5,
    qkNormEps: 1e-5,
    ropeTheta: 10000,
    maxPositions: 11776,
  },
  vq: {
    codebookSize: 16384,
    codebookDim: 8,
    baseChannels: 128,
    channelMultipliers: [1, 2, 2, 4],
    encoderResBlocks: 2,
    decoderResBlocks: 3,
    zChannels: 256,
    groupNormGroups: 32,
    groupNormEps: 1e-6,
    downsample: 8,
  },
  tokens: PURE_TOKENS,
  imageSize: 512,
};

/**
 * A TEST MODEL: the real architecture and token ids at a tiny size, for tests and fixtures only.
 * Its weights are random: it restores nothing and must never be presented as PURE.
 * The vocabulary stays 73728 so that every real token id is valid.
 */
export const PURE_TINY_TEST: PureConfig = {
  decoder: {
    hiddenSize: 64,
    numLayers: 2,
    numHeads: 4,
    numKvHeads: 4,
    headDim: 16,
    intermediateSize: 128,
    vocabSize: 73728,
    rmsNormEps: 1e-5,
    qkNormEps: 1e-5,
    ropeTheta: 10000,
    maxPositions: 11776,
  },
  vq: {
    codebookSize: 16384,
    codebookDim: 8,
    baseChannels: 32,
    channelMultipliers: [1, 2, 2, 4],
    encoderResBlocks: 1,
    decoderResBlocks: 1,
    zChannels: 32,
    groupNormGroups: 8,
    groupNormEps: 1e-6,
    downsample: 8,
  },
  tokens: PURE_TOKENS,
  imageSize: 512,
};

/** Image tokens per side: 64 for 512 px. */
export const gridSide = (config: PureConfig): number => config.imageSize / config.vq.downsample;
