// `npm run bench [-- --quick] [-- --only realesrgan|photos-per-hour|whole-photo|pure-sampling|pure-tiny|device-sampler|library]`: every bench, one
// after another, each in its own process (its numbers, its peak memory). Flags are passed on:
// realesrgan keeps --quick and --large-x4plus, photos-per-hour --large-x4plus; pure-tiny takes --quick, --no-mid and --mid-loop.
// The 7B-shape decode benchmark is separate: `npm run bench:pure` (bench/pure-model.bench.ts).
// Prints numbers; asserts nothing.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const passOn = args.filter((a, i) => a !== '--only' && args[i - 1] !== '--only');

const benches: { name: string; file: string; args: string[] }[] = [
  { name: 'realesrgan', file: 'realesrgan.bench.ts', args: passOn },
  // Photos per hour for a library of 2000x1500 photos per engine (a batch of 3; x4plus at 500x375
  // scaled by area unless --large-x4plus). --quick measures x4fast only.
  { name: 'photos-per-hour', file: 'photos-per-hour.bench.ts', args: [...passOn.filter((a) => a !== '--quick'), ...(quick ? ['--only', 'x4fast'] : [])] },
  // Whole restores as users run them (out/main/cli.js): CPU s of the process tree per input pixel
  // against 128x128, and the tree's peak memory. x4fast here; x4plus at 2000x1500 (~15 CPU
  // minutes) by hand: `npx tsx bench/whole-photo.bench.ts realesrgan-x4plus 128x128,2000x1500`.
  { name: 'whole-photo', file: 'whole-photo.bench.ts', args: ['realesrgan-x4fast', quick ? '128x128,512x512' : '128x128,512x512,2000x1500'] },
  // One warm-up image plus measured ones: 1 measured image with --quick, 2 otherwise.
  { name: 'pure-sampling', file: 'pure-sampling.bench.ts', args: [quick ? '2' : '3'] },
  { name: 'pure-tiny', file: 'pure-tiny.bench.ts', args: passOn },
  // Host sampler vs the sampling graph on the 73728 vocabulary (steps per side).
  { name: 'device-sampler', file: 'device-sampler.bench.ts', args: [quick ? '40' : '200'] },
  // Opening 10,000 photos, and a batch's cost per photo beyond inference.
  { name: 'library', file: 'library.bench.ts', args: quick ? ['--quick'] : [] },
];
if (only !== undefined && !benches.some((b) => b.name === only)) {
  console.error(`bench: no bench named '${only}' (${benches.map((b) => b.name).join(', ')})`);
  process.exit(2);
}

const tsx = join(import.meta.dirname, '../node_modules/.bin/tsx');
let failed = 0;
for (const bench of benches.filter((b) => only === undefined || b.name === only)) {
  console.log(`\n=== ${bench.name} ===`);
  const r = spawnSync(tsx, [join(import.meta.dirname, bench.file), ...bench.args], { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`bench ${bench.name} failed (exit ${r.status ?? r.signal})`);
    failed++;
  }
}
process.exit(failed > 0 ? 1 : 0);
