// How the restore command reports on a terminal: one line per restored photo (engine, sizes,
// PURE's caption), one-line errors with a hint, and a batch's summary.
import type { ErrorPayload } from '../engine/common/errors';
import { formatDuration } from '../engine/common/eta';
import type { BatchSummary } from '../engine/library/batch-runner';
import type { EstimateResult } from '../engine/restore/restore';
import { kvCacheNote } from '../protocol/kv-cache-note';
import type { RestoreResult } from '../protocol/restore';
import { providerRefusalLines } from './provider-report';

export function printError(input: string | undefined, error: ErrorPayload): void {
  const where = input && !error.message.includes(input) ? `${input}: ` : '';
  process.stderr.write(`error ${error.code}: ${where}${error.message}${error.hint ? `\n  ${error.hint}` : ''}\n`);
}

export function describeEstimate(label: string, r: EstimateResult): string {
  const e = r.estimate;
  const region = r.roi ? ` region ${r.roi.x},${r.roi.y},${r.roi.width}x${r.roi.height} of` : '';
  const speed = e.source === 'measured' ? `${e.tokensPerSecond.toFixed(1)} tokens/s measured here` : `${e.tokensPerSecond.toFixed(1)} tokens/s assumed (not yet measured on this machine)`;
  return (
    `${label}:${region} ${r.inputSize.width}x${r.inputSize.height} -> ${r.outputSize.width}x${r.outputSize.height}\n` +
    `  ${e.tiles} tile${e.tiles === 1 ? '' : 's'} (${e.columns}x${e.rows} of ${e.tileSize} px at x${e.factor}), ${e.tokensPerTile} tokens each\n` +
    `  about ${formatDuration(e.seconds)} at ${speed}, ${e.overheadSecondsPerTile.toFixed(1)} s per tile besides\n` +
    (r.testModel ? '  (TEST MODEL installed: random weights; its speed says nothing about PURE)\n' : '')
  );
}

export function printRestored(label: string, result: RestoreResult): void {
  const s = (result.timings.totalMs / 1000).toFixed(1);
  process.stderr.write(`${label} -> ${result.output} (${result.outputSize.width}x${result.outputSize.height}, ${result.engine} on ${result.provider}${result.threads ? ` (${result.threads} threads)` : ''}, ${s} s)\n`);
  for (const line of providerRefusalLines(result)) process.stderr.write(`${line}\n`);
  for (const warning of result.warnings ?? []) process.stderr.write(`  warning: ${warning}\n`);
  if (result.perception) process.stderr.write(`  perceived: noise ${result.perception.noise}, blur ${result.perception.blur} (${result.perception.source})\n`);
  if (result.pure) {
    process.stderr.write(`  model: ${result.pure.model}\n`);
    process.stderr.write(result.pure.parsed ? `  caption: ${result.pure.caption}\n` : `  text: ${result.pure.text}\n`);
    process.stderr.write(`  entropy map: ${result.pure.entropyMap}\n`);
    const cacheNote = kvCacheNote(result.provider, result.pure.kvCache);
    if (cacheNote) process.stderr.write(`  note: ${cacheNote}\n`);
  }
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** "Restored 12 photos, 30 done before (skipped), 2 failed (CORRUPT_IMAGE 2) in 1 min 05 s." */
export function describeSummary(s: BatchSummary): string {
  const parts = [`Restored ${plural(s.restored, 'photo')}`];
  if (s.doneBefore) parts.push(`${s.doneBefore} done before (skipped; --redo restores them again)`);
  if (s.failed) {
    const byCode = new Map<string, number>();
    for (const f of s.failures) byCode.set(f.code, (byCode.get(f.code) ?? 0) + 1);
    parts.push(`${s.failed} failed (${[...byCode].map(([code, n]) => `${code} ${n}`).join(', ')}; a rerun retries them)`);
  }
  const left = s.total - s.restored - s.doneBefore - s.failed;
  if (s.cancelled && left > 0) parts.push(`${left} not done (cancelled; a rerun continues)`);
  else if (left > 0) parts.push(`${left} not done (stopped after an error that every photo would meet)`);
  const extra = [s.ignored.length ? ` ${plural(s.ignored.length, 'named file')} ignored.` : '', s.cleaned ? ` Removed ${plural(s.cleaned, 'temporary file')} of an interrupted run.` : ''].join('');
  return `${parts.join(', ')} of ${s.total} in ${formatDuration(s.seconds)}.${extra}`;
}
