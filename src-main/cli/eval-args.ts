// Flags of `eval`, parsed into an EvalCommand with clear usage errors.
import { EngineError } from '../engine/common/errors';
import { parseDegradation } from '../engine/quality/degrade';
import type { DegradationSpec } from '../engine/quality/degrade';
import { ENGINE_IDS } from '../protocol/restore';
import { integerFlag, parseFlags } from './quality-cli';

export const EVAL_USAGE = `Usage: npm run eval -- --dataset <folder of HQ photos> --out <dir> [options]

Makes low-quality x4 inputs from the high-quality photos with a seeded synthetic degradation,
restores them with each engine, and writes per-image and mean PSNR, SSIM (Y channel, border 4
cropped), NIQE and seconds per image as results.md, results.csv, results.json, with side-by-side
crops in index.html.

Options:
      --dataset <dir>       folder of ground-truth photos (png, jpg, webp, tiff, ...)
      --out <dir>           where to write the inputs, outputs and the report
      --engines <list>      comma-separated: bicubic, ${ENGINE_IDS.join(', ')}
                            (default bicubic,realesrgan-x4fast,realesrgan-x4plus)
      --degradation <spec>  realesrgan (default) | preset:noise=<sigma>[,grey] |
                            preset:blur=<sigma> | preset:jpeg=<quality> (comma-combinable)
      --seed <n>            seed of the degradation (default 0); each photo mixes in its name
      --crop <px>           centre-crop the ground truth to px x px first (default: whole photo)
      --limit <n>           only the first n photos (by name)
      --threads <n>         inference threads (default: one per physical core)
  -h, --help                show this help

Exit codes: 0 ok, 1 internal error, 2 usage, 3 bad input, 4 output problem,
            5 model problem, 6 out of memory / worker crashed, 130 cancelled.`;

export const EVAL_ENGINES = ['bicubic', ...ENGINE_IDS] as const;

export interface EvalCommand {
  help: boolean;
  dataset: string;
  out: string;
  engines: string[];
  degradation: DegradationSpec;
  degradationText: string;
  seed: number;
  crop?: number;
  limit?: number;
  threads: number;
}

export function parseEvalArgs(argv: string[]): EvalCommand {
  const { values, positionals } = parseFlags(
    argv,
    {
      dataset: { type: 'string' },
      out: { type: 'string' },
      engines: { type: 'string' },
      degradation: { type: 'string' },
      seed: { type: 'string' },
      crop: { type: 'string' },
      limit: { type: 'string' },
      threads: { type: 'string' },
    },
    'eval',
  );
  const usage = 'See npm run eval -- --help.';
  const base = { dataset: '', out: '', engines: [], degradation: { kind: 'realesrgan' } as const, degradationText: 'realesrgan', seed: 0, threads: 0 };
  if (values.help) return { help: true, ...base };
  if (positionals.length) throw new EngineError('INVALID_OPTION', `Unexpected argument "${positionals[0]}".`, usage);
  if (!values.dataset) throw new EngineError('INVALID_OPTION', '--dataset <folder> is required.', usage);
  if (!values.out) throw new EngineError('INVALID_OPTION', '--out <dir> is required.', usage);
  const engines = (values.engines ?? 'bicubic,realesrgan-x4fast,realesrgan-x4plus').split(',').map((e) => e.trim()).filter(Boolean);
  for (const e of engines) {
    if (!(EVAL_ENGINES as readonly string[]).includes(e)) throw new EngineError('INVALID_OPTION', `Unknown engine "${e}".`, `Use ${EVAL_ENGINES.join(', ')}.`);
  }
  if (engines.length === 0 || new Set(engines).size !== engines.length) throw new EngineError('INVALID_OPTION', '--engines must name each engine once.', usage);
  const degradationText = values.degradation ?? 'realesrgan';
  const crop = integerFlag('crop', values.crop, 16, 8192);
  if (crop !== undefined && crop % 4 !== 0) throw new EngineError('INVALID_OPTION', `--crop must be a multiple of 4 (the scale), got ${crop}.`);
  return {
    help: false,
    dataset: values.dataset,
    out: values.out,
    engines,
    degradation: parseDegradation(degradationText),
    degradationText,
    seed: integerFlag('seed', values.seed, 0) ?? 0,
    crop,
    limit: integerFlag('limit', values.limit, 1),
    threads: integerFlag('threads', values.threads, 0, 256) ?? 0,
  };
}
