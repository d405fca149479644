// Command-line flags of `restore`, parsed into engine options with clear usage errors.
import { parseArgs } from 'node:util';
import { EngineError } from '../engine/common/errors';
import { parseRoiFlag } from '../engine/restore/roi';
import { ENGINE_IDS, type RestoreOptionsInput } from '../protocol/restore';

export const RESTORE_USAGE = `Usage: npm run restore -- <photos and folders...> [options]
       pure-studio restore <photos and folders...> [options]

Restores photos with the default engine (Real-ESRGAN x4 plus) and writes <name>-restored.<ext>
beside each input. Originals are never overwritten. A rerun restores only what is not done yet
(finished photos whose input and settings are unchanged are skipped) and retries what failed.

Options:
  -o, --output <file>     output file (one input only); its extension picks the format:
                          .png .jpg .jpeg .webp .tif .tiff .avif
      --out-dir <dir>     write outputs into this folder (created if missing), mirroring the
                          folders given: <dir>/<sub/folders>/<name>-restored.<ext>
  -r, --recursive         restore the photos of sub-folders too (default: a folder's top level)
      --redo              restore everything again, replacing this batch's own earlier outputs
      --engine <id>       ${ENGINE_IDS.join(' | ')} (default realesrgan-x4plus)
      --scale <4|2|1>     output scale (default 4; 2 and 1 restore without enlarging as much)
      --width <px>        output width in pixels (height follows); overrides --scale
      --tile <px>         tile size, smaller uses less memory (default: per engine,
                          x4plus 512 (its body's tiles), x4fast 512)
      --threads <n>       inference threads (default: one per physical core)
      --provider <list>   where to run, tried in order until one loads (default auto):
                          auto  the graphics card when one is found, then the CPU;
                                the CPU alone when none is found
                          gpu   the graphics card only (CUDA if installed, DirectML on
                                Windows, WebGPU); never falls back to the CPU
                          cpu, webgpu, cuda, dml   one provider, or a list: webgpu,cpu
      --quality <1-100>   JPEG/WebP/AVIF quality
      --max-pixels <n>    refuse inputs larger than this many pixels (default 40000000)
      --overwrite         replace an existing output (never the input)
      --no-keep-mtime     date the output now, not with the original's modification time
      --roi <x,y,w,h>     restore only this region (input pixels, top-left 0,0); the
                          output is the region upscaled
      --json              print one JSON result per input on stdout

PURE (--engine pure):
      --model <dir>       converted PURE package (npm run convert -- pure ...)
      --seed <n>          the same seed and photo give the same result (default 0)
      --caption "<text>"  use this degradation + description instead of the model's
      --guidance <g>      classifier-free guidance scale (default 0.8)
      --temperature <t>   sampling temperature (default 0.9)
      --k-min <n>, --k-max <n>   bounds of the entropy-based top-k (default 1, 2000)
      --max-new-tokens <n>       stop early (the rest of the image stays as the input): quick looks
      --estimate          print the number of tiles and an estimated time, restore nothing
  -h, --help              show this help

Exit codes: 0 ok, 1 internal error, 2 usage, 3 bad input, 4 output problem,
            5 model problem, 6 out of memory / worker crashed, 7 some photos of a batch
            failed (the others were restored), 130 cancelled.`;

export interface RestoreCommand {
  inputs: string[];
  output?: string;
  outDir?: string;
  recursive: boolean;
  redo: boolean;
  json: boolean;
  help: boolean;
  /** Print PURE's tiles and time estimate instead of restoring. */
  estimate: boolean;
  options: RestoreOptionsInput;
}

function integer(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new EngineError('INVALID_OPTION', `--${name} must be a whole number, got "${value}".`);
  return n;
}

export function parseRestoreArgs(argv: string[]): RestoreCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        output: { type: 'string', short: 'o' },
        'out-dir': { type: 'string' },
        recursive: { type: 'boolean', short: 'r', default: false },
        redo: { type: 'boolean', default: false },
        engine: { type: 'string' },
        scale: { type: 'string' },
        width: { type: 'string' },
        tile: { type: 'string' },
        threads: { type: 'string' },
        provider: { type: 'string' },
        quality: { type: 'string' },
        'max-pixels': { type: 'string' },
        overwrite: { type: 'boolean', default: false },
        'no-keep-mtime': { type: 'boolean', default: false },
        model: { type: 'string' },
        seed: { type: 'string' },
        caption: { type: 'string' },
        guidance: { type: 'string' },
        temperature: { type: 'string' },
        'k-min': { type: 'string' },
        'k-max': { type: 'string' },
        'max-new-tokens': { type: 'string' },
        roi: { type: 'string' },
        estimate: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new EngineError('INVALID_OPTION', (error as Error).message, 'See --help.');
  }
  const { values: f, positionals } = parsed;
  const command: RestoreCommand = { inputs: positionals, json: f.json, help: f.help, estimate: f.estimate, output: f.output, outDir: f['out-dir'], recursive: f.recursive, redo: f.redo, options: {} };
  if (f.help) return command;
  if (positionals.length === 0) throw new EngineError('INVALID_OPTION', 'No input photo given.', 'Usage: npm run restore -- photo.jpg');
  if (f.output && positionals.length > 1) throw new EngineError('INVALID_OPTION', '--output takes one input; use --out-dir for several.');
  if (f.output && f['out-dir']) throw new EngineError('INVALID_OPTION', 'Use either --output or --out-dir, not both.');
  if (f.output && f.redo) throw new EngineError('INVALID_OPTION', '--redo is for batches; with --output, use --overwrite.');
  const options: Record<string, unknown> = {
    engine: f.engine,
    scale: integer('scale', f.scale),
    width: integer('width', f.width),
    tile: integer('tile', f.tile),
    threads: integer('threads', f.threads),
    quality: integer('quality', f.quality),
    maxInputPixels: integer('max-pixels', f['max-pixels']),
    providers: f.provider?.split(',').map((p) => p.trim()).filter(Boolean),
    overwrite: f.overwrite,
    keepModifiedTime: f['no-keep-mtime'] ? false : undefined,
    model: f.model,
    seed: integer('seed', f.seed),
    caption: f.caption,
    guidance: f.guidance === undefined ? undefined : Number(f.guidance),
    temperature: f.temperature === undefined ? undefined : Number(f.temperature),
    kMin: integer('k-min', f['k-min']),
    kMax: integer('k-max', f['k-max']),
    maxNewTokens: integer('max-new-tokens', f['max-new-tokens']),
    roi: f.roi === undefined ? undefined : parseRoiFlag(f.roi),
  };
  for (const key of Object.keys(options)) if (options[key] === undefined) delete options[key];
  command.options = options;
  return command;
}
