// Choosing and checking where a restored photo goes, before any slow work starts.
import { access, constants, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { EngineError } from '../common/errors';
import { OUTPUT_FORMATS, type OutputFormat } from '../image/types';

const EXTENSIONS: Record<string, OutputFormat> = {
  '.png': 'png', '.jpg': 'jpeg', '.jpeg': 'jpeg', '.webp': 'webp', '.tif': 'tiff', '.tiff': 'tiff', '.avif': 'avif',
};

export function outputFormatOf(path: string): OutputFormat {
  const format = EXTENSIONS[extname(path).toLowerCase()];
  if (!format) {
    throw new EngineError('UNSUPPORTED_OUTPUT', `Cannot write "${extname(path) || basename(path)}" files.`, `Use one of: ${Object.keys(EXTENSIONS).join(', ')}.`);
  }
  return format;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

/**
 * `photo.jpg` -> `photo-restored.jpg` beside it (formats we cannot write become .png), and
 * `photo-restored-2.jpg` ... when that exists: a default name never replaces anything.
 */
export async function defaultOutputPath(input: string, outDir?: string): Promise<string> {
  const ext = extname(input);
  const keep = EXTENSIONS[ext.toLowerCase()] ? ext : '.png';
  const stem = basename(input, ext);
  const dir = outDir ?? dirname(input);
  for (let n = 1; ; n++) {
    const candidate = join(dir, `${stem}-restored${n === 1 ? '' : `-${n}`}${keep}`);
    if (!(await exists(candidate))) return candidate;
  }
}

/** Fails fast on an output that will be refused anyway, before minutes of inference. */
export async function checkOutput(output: string, input: string, overwrite: boolean): Promise<OutputFormat> {
  const format = outputFormatOf(output);
  if (resolve(output) === resolve(input)) {
    throw new EngineError('OUTPUT_IS_INPUT', `Refusing to write over the original ${input}.`, 'Choose another output name: originals are never overwritten.');
  }
  if (!overwrite && (await exists(output))) {
    throw new EngineError('OUTPUT_EXISTS', `${output} already exists.`, 'Choose another name, or pass --overwrite to replace it.');
  }
  try {
    await access(dirname(resolve(output)), constants.W_OK);
  } catch {
    throw new EngineError('OUTPUT_UNWRITABLE', `Cannot write into ${dirname(resolve(output))}.`, 'Check that the folder exists and is writable.');
  }
  return format;
}

export { OUTPUT_FORMATS };
