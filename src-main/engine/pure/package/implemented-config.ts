// Settings in a Chameleon config.json that change the maths, and the values our ONNX graphs
// implement. The converter used to ignore them, so a checkpoint that needs (say) RoPE scaling
// would convert cleanly and then generate garbage. Anything else is refused, naming the key and
// its value. A missing key reads as the value we implement (the project's test checkpoints
// and Lumina-mGPT-style configs leave some out).
import { EngineError } from '../../common/errors';

interface Rule {
  key: string;
  /** What the graphs do, for the message. */
  implemented: string;
  accepts(value: unknown): boolean;
}

const RULES: Rule[] = [
  {
    // HF Chameleon sets every image-token logit to the minimum when this is true, so no image
    // could ever be generated; PURE's generation masks only by position inside the image.
    key: 'mask_image_logits',
    implemented: 'false (image-token logits are never masked globally)',
    accepts: (value) => value === false,
  },
  {
    // true moves the RMSNorms after attention and the MLP (Chameleon 30B's layout).
    key: 'swin_norm',
    implemented: 'false (RMSNorm before attention and before the MLP)',
    accepts: (value) => value === false,
  },
  {
    key: 'rope_scaling',
    implemented: 'null (plain RoPE, no scaling)',
    accepts: (value) => value === null,
  },
];

/** Throws MODEL_FORMAT for the first setting whose value the graphs do not implement. */
export function refuseUnimplementedSettings(config: Record<string, unknown>, where: string): void {
  for (const rule of RULES) {
    if (!(rule.key in config) || rule.accepts(config[rule.key])) continue;
    throw new EngineError(
      'MODEL_FORMAT',
      `${where} sets ${rule.key} to ${JSON.stringify(config[rule.key])}; PURE Studio's graphs implement only ${rule.key} = ${rule.implemented}.`,
      'This checkpoint is not the PURE model the converter was written for; converting it would produce a model that restores nothing.',
    );
  }
}
