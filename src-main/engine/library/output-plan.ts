// Where each photo of a batch is written: `<out>/<folders as in the source>/<name>-restored.<ext>`
// (beside the input when there is no output folder), with the default naming of a single restore.
// A name, once planned, belongs to that photo: a rerun or --redo replaces it in place instead of
// adding "-restored-2", and no two photos of any batch ever share one.
import { lstat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { formatFromPath } from '../image/encode';
import type { FoundInput } from './library-types';

/** The output extension for an input: its own when we can write it (.heic, .gif -> .png). */
export function outputExtension(input: string, format?: string): string {
  if (format) return format.startsWith('.') ? format : `.${format}`;
  const ext = extname(input);
  try {
    formatFromPath(`x${ext}`);
    return ext;
  } catch {
    return '.png';
  }
}

/** The folder a photo's output goes to: mirrored under `outRoot`, or beside the input. */
export function outputFolder(found: FoundInput, outRoot: string | undefined): string {
  if (!outRoot) return dirname(found.input);
  const relDir = dirname(found.rel);
  return relDir === '.' ? outRoot : join(outRoot, ...relDir.split('/'));
}

export function candidateName(input: string, ext: string, n: number): string {
  const stem = basename(input, extname(input));
  return `${stem}-restored${n === 1 ? '' : `-${n}`}${ext}`;
}

export interface PlanContext {
  /** Outputs planned by other photos (any batch): never given to this one. */
  plannedByOthers: (path: string) => boolean;
  /** --overwrite: the first name is taken even when a file of the person's is there. */
  overwrite: boolean;
}

/** The first free default name for a photo's output in `folder`. */
export async function planOutputPath(found: FoundInput, folder: string, ext: string, ctx: PlanContext): Promise<string> {
  for (let n = 1; ; n++) {
    const candidate = join(folder, candidateName(found.input, ext, n));
    if (ctx.plannedByOthers(candidate)) continue;
    if (ctx.overwrite) return candidate;
    const onDisk = await lstat(candidate).then(() => true, () => false);
    if (!onDisk) return candidate;
  }
}
