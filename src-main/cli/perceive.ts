// `npm run perceive -- <image> [--json]`: the noise and blur levels PURE Studio perceives in a
// photo (small / medium / large) and the measurements behind them (docs/quality/perception.md).
import { decodeImage } from '../engine/image/decode';
import { perceiveDetailed } from '../engine/quality/perception';
import { EXIT } from './exit-codes';
import { parseFlags, runCli } from './quality-cli';
import { EngineError } from '../engine/common/errors';

export const PERCEIVE_USAGE = `Usage: npm run perceive -- <image> [--json]

Estimates the noise and blur of a photo from its pixels alone and prints their levels
(small / medium / large) with the raw estimates: noise sigma on the 0..255 scale (per colour
channel) and the Gaussian blur sigma at edges, in pixels.

Options:
      --json              print one JSON object on stdout
  -h, --help              show this help`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, { json: { type: 'boolean' } }, 'perceive');
  if (values.help) {
    process.stdout.write(`${PERCEIVE_USAGE}\n`);
    return EXIT.OK;
  }
  if (positionals.length !== 1) throw new EngineError('INVALID_OPTION', `perceive takes one image, got ${positionals.length}.`, 'See npm run perceive -- --help.');
  const input = positionals[0];
  const { rgb } = await decodeImage(input, { maxPixels: 40_000_000 });
  const detail = perceiveDetailed(rgb);
  if (values.json) {
    const body = detail ? { perception: detail.perception, noiseBlocks: detail.noise.blocks, edgePixels: detail.blur.edges } : { perception: null };
    process.stdout.write(`${JSON.stringify({ ok: true, input, width: rgb.width, height: rgb.height, ...body })}\n`);
    return EXIT.OK;
  }
  if (!detail) {
    process.stdout.write(`${input}: too small or too flat to measure (needs 8x8-pixel blocks and edges)\n`);
    return EXIT.OK;
  }
  const { perception: p, noise, blur } = detail;
  process.stdout.write(
    `${input} (${rgb.width}x${rgb.height})\n` +
      `  noise  ${p.noise.padEnd(6)}  sigma ${p.estimates.noiseSigma.toFixed(2)} (0..255, from the flattest of ${noise.blocks} blocks)\n` +
      `  blur   ${p.blur.padEnd(6)}  sigma ${p.estimates.blurSigma.toFixed(2)} px (median over ${blur.edges} edge pixels)\n`,
  );
  return EXIT.OK;
}

const argv = process.argv.slice(2);
await runCli(() => main(argv), argv.includes('--json'));
