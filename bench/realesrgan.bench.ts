// `npm run bench`: speed and peak memory of the default engines on this machine. Prints numbers;
// it asserts nothing (targets are for people to compare, not for tests to time).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

interface Case {
  engine: string;
  width: number;
  height: number;
  tile?: number;
}

const threads = Number(process.env.BENCH_THREADS ?? 2);
const cases: Case[] = [
  { engine: 'realesrgan-x4fast', width: 128, height: 128 },
  { engine: 'realesrgan-x4fast', width: 512, height: 512 },
  { engine: 'realesrgan-x4plus', width: 128, height: 128 },
  { engine: 'realesrgan-x4plus', width: 512, height: 512 },
];
if (!process.argv.includes('--quick')) cases.push({ engine: 'realesrgan-x4fast', width: 2000, height: 1500 });
// The default engine on a 3-megapixel photo takes ~13 minutes on 2 cores: opt in.
if (process.argv.includes('--large-x4plus')) cases.push({ engine: 'realesrgan-x4plus', width: 2000, height: 1500 });

const tsx = join(import.meta.dirname, '../node_modules/.bin/tsx');
console.log(`threads=${threads}  (targets on a 2-core machine: x4plus 128x128 <= 3.5 s, x4fast 128x128 <= 0.3 s, 2000x1500 x4 peak RSS <= 3 GB)`);
console.log('engine              size        tiles  inference s   s/input MP   peak RSS MB (engine + inference process)');
for (const c of cases) {
  const args = [join(import.meta.dirname, 'bench-one.ts'), c.engine, String(c.width), String(c.height), String(threads), ...(c.tile ? [String(c.tile)] : [])];
  const line = execFileSync(tsx, args, { encoding: 'utf8' }).trim().split('\n').pop()!;
  const r = JSON.parse(line) as { tiles: number; inferenceSeconds: number; secondsPerInputMegapixel: number; peakRssMB: number };
  console.log(
    `${c.engine.padEnd(20)}${`${c.width}x${c.height}`.padEnd(12)}${String(r.tiles).padStart(5)}${r.inferenceSeconds.toFixed(3).padStart(13)}${r.secondsPerInputMegapixel.toFixed(1).padStart(13)}${r.peakRssMB.toFixed(0).padStart(14)}`,
  );
}
