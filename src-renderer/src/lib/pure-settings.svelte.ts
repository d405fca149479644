// PURE's sampling settings, as the side panel edits them (defaults from the paper's reference
// implementation; see docs/PURE-SPEC.md section 6), and the caption a person may write to steer
// the restoration instead of the one the model would generate.
import type { RestoreOptionsInput } from '../../../src-main/protocol/restore';

export class PureSettings {
  seed = $state(0);
  temperature = $state(0.9);
  guidance = $state(0.8);
  kMin = $state(1);
  kMax = $state(2000);
  entropyMu = $state(5);
  /** Empty: the model writes its own. */
  caption = $state('');

  /** The restore options these settings stand for (see RestoreOptionsSchema's PURE fields). */
  options(): Pick<RestoreOptionsInput, 'seed' | 'temperature' | 'guidance' | 'kMin' | 'kMax' | 'entropyMu' | 'caption'> {
    const caption = this.caption.trim();
    return {
      seed: this.seed,
      temperature: this.temperature,
      guidance: this.guidance,
      kMin: this.kMin,
      kMax: this.kMax,
      entropyMu: this.entropyMu,
      ...(caption ? { caption } : {}),
    };
  }
}
