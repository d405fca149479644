// The step kinds of a short PURE-shaped generation, for the sampler tests: 3 text tokens, the two
// grid tokens, then an H x W image (each row's codes, a row end; the image end last).
import type { StepKind } from '../../common/sampling/step-tracker';

export function shortGenerationSteps(H: number, W: number): StepKind[] {
  const steps: StepKind[] = [{ mode: 'text' }, { mode: 'text' }, { mode: 'text' }, { mode: 'grid', index: 0 }, { mode: 'grid', index: 1 }];
  for (let position = 0; position <= (W + 1) * H; position++) {
    const next = position + 1;
    const slot = next % (W + 1) === 0 ? 'rowEnd' : next === (W + 1) * H + 1 ? 'imageEnd' : 'code';
    steps.push({ mode: 'image', position, slot, height: H, width: W });
  }
  return steps;
}
