// Reads an HF-style PURE checkpoint's config.json into our PureConfig. The VQ's shape is not in
// that file: the real model uses LlamaGen's VQ-8; the project's test models carry theirs.
import * as v from 'valibot';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EngineError } from '../../common/errors';
import { PURE_7B, PURE_TOKENS, type PureConfig, type VqConfig } from '../config';
import { refuseUnimplementedSettings } from './implemented-config';

const HfConfigSchema = v.object({
  model_type: v.optional(v.string()),
  hidden_size: v.number(),
  num_hidden_layers: v.number(),
  num_attention_heads: v.number(),
  num_key_value_heads: v.optional(v.number()),
  intermediate_size: v.number(),
  vocab_size: v.number(),
  rms_norm_eps: v.optional(v.number(), 1e-5),
  rope_theta: v.optional(v.number(), 10000),
  max_position_embeddings: v.optional(v.number(), 11776),
  pure_studio_test_model: v.optional(v.boolean(), false),
  pure_studio_vq: v.optional(v.custom<VqConfig>((x) => typeof x === 'object' && x !== null)),
});

export interface CheckpointConfig {
  config: PureConfig;
  /** A project-made model with random weights: it restores nothing and is labelled so everywhere. */
  testModel: boolean;
}

export async function readCheckpointConfig(dir: string): Promise<CheckpointConfig> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'));
  } catch (error) {
    throw new EngineError('MODEL_FORMAT', `Cannot read config.json in ${dir}: ${(error as Error).message}`, 'Point --checkpoint at the downloaded PURE folder.');
  }
  const parsed = v.safeParse(HfConfigSchema, json);
  if (!parsed.success) throw new EngineError('MODEL_FORMAT', `config.json in ${dir} is not a Chameleon config: ${parsed.issues[0].message}.`);
  refuseUnimplementedSettings(json as Record<string, unknown>, `config.json in ${dir}`);
  const c = parsed.output;
  const heads = c.num_attention_heads;
  return {
    testModel: c.pure_studio_test_model,
    config: {
      decoder: {
        hiddenSize: c.hidden_size,
        numLayers: c.num_hidden_layers,
        numHeads: heads,
        numKvHeads: c.num_key_value_heads ?? heads,
        headDim: c.hidden_size / heads,
        intermediateSize: c.intermediate_size,
        vocabSize: c.vocab_size,
        rmsNormEps: c.rms_norm_eps,
        qkNormEps: 1e-5,
        ropeTheta: c.rope_theta,
        maxPositions: c.max_position_embeddings,
      },
      vq: c.pure_studio_vq ?? PURE_7B.vq,
      tokens: PURE_TOKENS,
      imageSize: PURE_7B.imageSize,
    },
  };
}
