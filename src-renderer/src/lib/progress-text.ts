// The words of a running restoration, shared by the panel's bar and the viewer's overlay: one
// vocabulary ("tile", "row"), counted from 1 (the one being worked on), and nothing for a photo
// of one tile.
import type { RestoreProgress } from '../../../src-main/protocol/restore';

/** "tile 2 of 12", or '' when the photo is one tile. */
export function tileWords(progress: Pick<RestoreProgress, 'tilesDone' | 'tilesTotal'>): string {
  const total = progress.tilesTotal ?? 0;
  if (total <= 1) return '';
  return `tile ${Math.min(total, (progress.tilesDone ?? 0) + 1)} of ${total}`;
}

/** PURE's rows within the tile being restored: "row 10 of 64", counted from 1. */
export function rowWords(progress: Pick<RestoreProgress, 'rowsDone' | 'rows'>): string {
  const rows = progress.rows ?? 0;
  if (rows <= 0) return '';
  return `row ${Math.min(rows, (progress.rowsDone ?? 0) + 1)} of ${rows}`;
}

/** The parts joined with ' · ', empty ones left out. */
export function joinWords(...parts: string[]): string {
  return parts.filter(Boolean).join(' · ');
}
