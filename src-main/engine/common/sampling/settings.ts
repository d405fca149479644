// The sampling settings of PURE (shared/docs/PURE-SPEC.md section 6), as data: every number the
// reference hard-codes is a setting here so that a checkpoint or an experiment can change it.
// Pure TypeScript: no Node built-ins.

export interface SamplingSettings {
  /** CFG weight g in g*(cond - uncond) + uncond; 1 switches CFG (and the unconditional branch) off. */
  guidanceScale: number; // 0.8 in the released script
  /** Applied after top-k, before the softmax. Must be > 0. */
  temperature: number; // 0.9
  /** Dynamic top-k for image tokens: k = round(kMin + (kMax - kMin) * sigmoid(H - entropyMu)). */
  kMin: number; // 1
  kMax: number; // 2000
  entropyMu: number; // 5 nats
  /** H is clamped to [0, entropyMax] before the sigmoid. */
  entropyMax: number; // 10 nats
  /** Top-k for text tokens: 1 = greedy (ties with the best are kept and sampled between). */
  textTopK: number; // 1
}

export const PURE_SAMPLING: Readonly<SamplingSettings> = Object.freeze({
  guidanceScale: 0.8,
  temperature: 0.9,
  kMin: 1,
  kMax: 2000,
  entropyMu: 5,
  entropyMax: 10,
  textTopK: 1,
});

/** Defaults overlaid with `overrides`, checked: a bad value fails here, not 4000 tokens later. */
export function samplingSettings(overrides: Partial<SamplingSettings> = {}): SamplingSettings {
  const s: SamplingSettings = { ...PURE_SAMPLING };
  for (const [key, value] of Object.entries(overrides) as [keyof SamplingSettings, number | undefined][]) {
    if (value !== undefined) s[key] = value;
  }
  const positiveInt = (v: number): boolean => Number.isInteger(v) && v >= 1;
  if (!Number.isFinite(s.guidanceScale)) throw new RangeError(`guidanceScale must be finite, got ${s.guidanceScale}.`);
  if (!(s.temperature > 0) || !Number.isFinite(s.temperature)) throw new RangeError(`temperature must be > 0, got ${s.temperature}.`);
  if (!positiveInt(s.kMin) || !positiveInt(s.kMax) || s.kMin > s.kMax) {
    throw new RangeError(`Need integers 1 <= kMin <= kMax, got ${s.kMin}, ${s.kMax}.`);
  }
  if (!positiveInt(s.textTopK)) throw new RangeError(`textTopK must be an integer >= 1, got ${s.textTopK}.`);
  if (!Number.isFinite(s.entropyMu) || !(s.entropyMax >= 0)) throw new RangeError('entropyMu must be finite and entropyMax >= 0.');
  return s;
}
