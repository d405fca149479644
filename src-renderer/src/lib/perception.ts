// What an engine perceived and understood about a photo, read from a result. Noise and blur
// levels come with every engine (measured from the pixels, or PURE's own words); PURE adds a
// caption, its raw text and an entropy map. Fields a result lacks are absent, and the panel
// hides them.
import type { RestoreProgress, RestoreResult } from '../../../src-main/protocol/restore';

export interface PerceptionView {
  noise?: string;
  blur?: string;
  /** 'model' when the engine itself said so (PURE), 'estimated' when measured from pixels. */
  source?: string;
  caption?: string;
  /** PURE's text as written, shown when no levels could be read from it. */
  rawText?: string;
  /** A produced image file: per-token entropy, for the heatmap overlay. */
  entropyMap?: string;
  /** The result came from a tiny test model, not the real weights: say so wherever it shows. */
  testModel?: boolean;
}

const text = (value: string | undefined): string | undefined => (value?.trim() ? value : undefined);

export function perceptionOf(result: RestoreResult | undefined): PerceptionView | undefined {
  if (!result) return undefined;
  const { perception, pure } = result;
  const view: PerceptionView = {
    noise: perception?.noise,
    blur: perception?.blur,
    source: perception?.source,
    caption: text(pure?.caption),
    rawText: pure && !pure.parsed ? text(pure.text) : undefined,
    entropyMap: text(pure?.entropyMap),
    testModel: pure?.testModel || undefined,
  };
  return Object.values(view).some((v) => v !== undefined) ? view : undefined;
}

/** The live preview image an engine sends while it works (PURE: the whole picture so far, a file path). */
export function previewOf(progress: RestoreProgress | undefined): string | undefined {
  return text(progress?.preview);
}
