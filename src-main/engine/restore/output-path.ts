// Choosing and checking where a restored photo goes, before any slow work starts.
import { stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { formatFromPath } from '../image/encode';
import { checkOutputPath } from '../image/output-file';
import type { OutputFormat } from '../image/types';

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

function writable(ext: string): boolean {
  try {
    formatFromPath(`x${ext}`);
    return true;
  } catch {
    return false;
  }
}

/**
 * `photo.jpg` -> `photo-restored.jpg` beside it (formats we cannot write become .png), and
 * `photo-restored-2.jpg` ... when that exists: a default name never replaces anything.
 */
export async function defaultOutputPath(input: string, outDir?: string): Promise<string> {
  const ext = extname(input);
  const keep = writable(ext) ? ext : '.png';
  const stem = basename(input, ext);
  const dir = outDir ?? dirname(input);
  for (let n = 1; ; n++) {
    const candidate = join(dir, `${stem}-restored${n === 1 ? '' : `-${n}`}${keep}`);
    if (!(await exists(candidate))) return candidate;
  }
}

/** Fails fast on an output that will be refused anyway, before minutes of inference. */
export async function checkOutput(output: string, input: string, overwrite: boolean): Promise<OutputFormat> {
  const format = formatFromPath(output);
  await checkOutputPath(output, { overwrite, protectedPaths: [input] });
  return format;
}
