// What the in-page folder picker says about a folder beyond its sub-folders and photos: a model
// package it holds (so a person inside one sees they are at the right place, not an "empty"
// folder), or how many other files it has.
import type { FolderListing } from '../../../src-main/protocol/api';
import { bytes } from './format';

const files = (count: number): string => `${count} ${count === 1 ? 'file' : 'files'}`;

/** The package note, shown above the list; undefined when the folder holds no model package. */
export function packageNote(listing: FolderListing, chooseLabel: string | undefined): string | undefined {
  const found = listing.modelPackage;
  if (!found) return undefined;
  const what = found.kind === 'pure-package' ? 'a PURE model package' : 'a model package';
  const traits = [found.testModel ? 'a TEST MODEL' : undefined, found.dtype].filter(Boolean).join(', ');
  const size = `${files(listing.otherFiles.count)}, ${bytes(listing.otherFiles.bytes)}`;
  const choose = chooseLabel ? `: choose it with “${chooseLabel}”.` : '.';
  return `This folder holds ${what}, “${found.name}”${traits ? ` (${traits})` : ''}, ${size}${choose}`;
}

/** The line for a folder with nothing to list (no sub-folders, and no photos where photos are picked). */
export function emptyLine(listing: FolderListing, pick: 'photos' | 'folders'): string {
  const { count, bytes: size } = listing.otherFiles;
  const nothing = pick === 'photos' ? 'No photos or folders here' : 'No folders here';
  if (count === 0) return pick === 'photos' ? 'No photos or folders here.' : 'This folder is empty.';
  return `${nothing}; ${files(count)} of other kinds (${bytes(size)}).`;
}
