// `npm run metrics -- <image> [--ref <ground truth>] [--crop-border n] [--json]`: NIQE of an
// image, and PSNR / SSIM against a reference when one is given (Y channel, docs/quality/metrics.md).
import { EngineError } from '../engine/common/errors';
import { decodeImage } from '../engine/image/decode';
import { loadNiqeModel, niqe } from '../engine/quality/niqe';
import { psnr, ssim } from '../engine/quality/psnr-ssim';
import { EXIT } from './exit-codes';
import { integerFlag, parseFlags, runCli } from './quality-cli';

export const METRICS_USAGE = `Usage: npm run metrics -- <image> [--ref <ground truth>] [--crop-border n] [--json]

Prints NIQE (no reference; lower is better) and, with --ref, PSNR (dB) and SSIM against the
ground truth. All on the Y channel (BT.601), as the super-resolution papers report them.

Options:
      --ref <file>        ground truth of the same size: adds PSNR and SSIM
      --crop-border <n>   pixels left out on each side (the scale, e.g. 4; default 0)
      --json              print one JSON object on stdout
  -h, --help              show this help

NIQE needs at least 96x96 pixels after the crop; its pristine model is read from
../shared/data/niqe_pris_params.npz (or $PURE_NIQE_PARAMS).`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, { ref: { type: 'string' }, 'crop-border': { type: 'string' }, json: { type: 'boolean' } }, 'metrics');
  if (values.help) {
    process.stdout.write(`${METRICS_USAGE}\n`);
    return EXIT.OK;
  }
  if (positionals.length !== 1) throw new EngineError('INVALID_OPTION', `metrics takes one image, got ${positionals.length}.`, 'See npm run metrics -- --help.');
  const input = positionals[0];
  const border = integerFlag('crop-border', values['crop-border'], 0, 1000) ?? 0;
  const image = (await decodeImage(input, { maxPixels: 40_000_000 })).rgb;
  const reference = values.ref === undefined ? undefined : (await decodeImage(values.ref, { maxPixels: 40_000_000 })).rgb;
  const full = reference && { psnr: psnr(image, reference, border), ssim: ssim(image, reference, border) };
  let niqeValue: number | null = null;
  try {
    niqeValue = niqe(image, await loadNiqeModel(), border);
  } catch (error) {
    // A small image still has PSNR and SSIM; without a reference, NIQE was the whole answer.
    if (!(error instanceof EngineError && error.code === 'IMAGE_TOO_SMALL' && full)) throw error;
  }
  if (values.json) {
    const psnrJson = full && (Number.isFinite(full.psnr) ? full.psnr : null); // JSON has no Infinity
    process.stdout.write(`${JSON.stringify({ ok: true, input, ref: values.ref ?? null, cropBorder: border, niqe: niqeValue, ...(full && { psnr: psnrJson, ssim: full.ssim }) })}\n`);
    return EXIT.OK;
  }
  const lines = [`${input} (${image.width}x${image.height}, crop border ${border})`];
  lines.push(`  NIQE  ${niqeValue === null ? 'n/a (needs 96x96 pixels after the crop)' : niqeValue.toFixed(4)}`);
  if (full) {
    lines.push(`  PSNR  ${Number.isFinite(full.psnr) ? `${full.psnr.toFixed(4)} dB` : 'inf (identical)'}   (Y, against ${values.ref})`);
    lines.push(`  SSIM  ${full.ssim.toFixed(6)}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  return EXIT.OK;
}

const argv = process.argv.slice(2);
await runCli(() => main(argv), argv.includes('--json'));
