// Choosing and checking where a restored photo goes, before any slow work starts.
import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { formatFromPath } from '../image/encode';
import { checkOutputPath } from '../image/output-file';
import { candidateName, outputExtension } from '../library/output-plan';
import type { OutputFormat } from '../image/types';

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

/**
 * `photo.jpg` -> `photo-restored.jpg` beside it (formats we cannot write become .png), and
 * `photo-restored-2.jpg` ... when that exists: a default name never replaces anything. The same
 * naming as a batch's (library/output-plan.ts).
 */
export async function defaultOutputPath(input: string, outDir?: string): Promise<string> {
  const ext = outputExtension(input);
  const dir = outDir ?? dirname(input);
  for (let n = 1; ; n++) {
    const candidate = join(dir, candidateName(input, ext, n));
    if (!(await exists(candidate))) return candidate;
  }
}

/** Fails fast on an output that will be refused anyway, before minutes of inference. */
export async function checkOutput(output: string, input: string, overwrite: boolean): Promise<OutputFormat> {
  const format = formatFromPath(output);
  await checkOutputPath(output, { overwrite, protectedPaths: [input] });
  return format;
}
