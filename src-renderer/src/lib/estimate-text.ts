// PURE's up-front estimate in a person's words, for the line beside Restore:
// "About 2 h 10 min · 6 tiles (3 × 2) · measured on this machine".
import type { RestoreEstimate } from '../../../src-main/protocol/restore';
import { duration } from './format';

export function estimateText({ estimate, testModel }: Pick<RestoreEstimate, 'estimate' | 'testModel'>): string {
  const tiles = estimate.tiles === 1 ? '1 tile' : `${estimate.tiles} tiles (${estimate.columns} × ${estimate.rows})`;
  const basis = estimate.source === 'measured' ? 'measured on this machine' : 'rough guess (not measured yet)';
  // A test model's speed says nothing about PURE's: the line must not read as if it did.
  return `${testModel ? 'TEST MODEL: ' : ''}About ${duration(estimate.seconds)} · ${tiles} · ${basis}`;
}

/** The figures behind it, for a tooltip. */
export function estimateDetail({ estimate }: Pick<RestoreEstimate, 'estimate'>): string {
  const speed = estimate.tokensPerSecond >= 10 ? Math.round(estimate.tokensPerSecond) : estimate.tokensPerSecond.toFixed(1);
  return (
    `Each tile is ${estimate.tileSize} px of the photo restored at ×${estimate.factor}: ` +
    `${estimate.tokensPerTile} tokens at ${speed} tokens/s, plus ${duration(estimate.overheadSecondsPerTile)} per tile.`
  );
}
