// Words for the library's queue: where a photo stands in it, how long the rest will take, what
// the browser tab says when the queue is done, and which folder a same-named photo is in.
import { duration } from './format';

/** "3 of 40": a queued photo's place, counted from 1. */
export function queuePlace(position: number, total: number): string {
  return `${position} of ${total}`;
}

/** The top bar's ETA: "about 5 min left", or nothing when no rate has been measured yet. */
export function etaWords(seconds: number | undefined): string | undefined {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return undefined;
  if (seconds < 1) return 'almost done';
  return `about ${duration(seconds)} left`;
}

/** The page title once the queue has finished, until the person comes back to the page. */
export function finishedTitle(restored: number, failed: number, app = 'PURE Studio'): string {
  const parts = [];
  if (restored > 0 || failed === 0) parts.push(`✓ ${restored} restored`);
  if (failed > 0) parts.push(`${failed} failed`);
  return `${parts.join(', ')} — ${app}`;
}

/** The notice when the queue finishes. */
export function finishedText(restored: number, failed: number): string {
  const photos = (n: number): string => `${n} photo${n === 1 ? '' : 's'}`;
  if (failed === 0) return `The queue is done: ${photos(restored)} restored.`;
  return `The queue is done: ${photos(restored)} restored, ${failed} failed.`;
}

/** The folder part of a '/'-separated relative path ('' at the top of the opened folder). */
export function relFolder(rel: string): string {
  const cut = rel.lastIndexOf('/');
  return cut > 0 ? rel.slice(0, cut) : '';
}
