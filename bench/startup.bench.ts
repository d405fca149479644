// Start-up of the CLI through tsx (what `npm run restore` and bin/pure-studio.js do today) against
// the same CLI and inference worker bundled to JavaScript (esbuild, into .cache/startup-bench: the
// app ships built JavaScript; the CLI does not yet). Alternated, each a whole process: `restore
// --help`, and a one-photo restore (a 128x128 crop of rocket.jpg, x4fast and x4plus). Wall and CPU
// seconds (the process and its children: tsx starts a child, the restore an inference process).
// Prints medians; asserts nothing. Usage: tsx bench/startup.bench.ts [reps=3]
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import sharp from 'sharp';

const reps = Number(process.argv[2] ?? 3);
const root = join(import.meta.dirname, '..');
const out = join(root, '.cache/startup-bench');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
// Native and wasm packages stay outside the bundle, resolved from node_modules as the app does.
const external = ['onnxruntime-node', 'sharp', 'heic-decode', 'node-sqlite3-wasm', '@huggingface/tokenizers', 'tsx'];
const common = { bundle: true, platform: 'node', format: 'esm', target: 'node20', external, logLevel: 'error' } as const;
// The worker beside the CLI: workerScript() looks for ./ort-worker.js next to a built caller.
await build({ ...common, entryPoints: [join(root, 'src-main/cli/restore.ts')], outfile: join(out, 'restore.js') });
await build({ ...common, entryPoints: [join(root, 'src-main/engine/runtime/ort-worker.ts')], outfile: join(out, 'ort-worker.js') });
const input = join(out, 'photo128.png');
await sharp(join(root, 'test-data/photos/rocket.jpg')).extract({ left: 250, top: 120, width: 128, height: 128 }).toFile(input);

/** CPU seconds of waited-for children so far (fields 16 and 17 of /proc/self/stat, 1/100 s ticks). */
function childCpu(): number {
  const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(f[13]) + Number(f[14])) / 100;
}

function timed(cmd: string, args: string[]): { wall: number; cpu: number } {
  const c = childCpu();
  const t = performance.now();
  const r = spawnSync(cmd, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status}: ${r.stderr.toString().slice(-300)}`);
  return { wall: (performance.now() - t) / 1000, cpu: childCpu() - c };
}

const tsx = join(root, 'node_modules/.bin/tsx');
const cases: { name: string; args: (n: number) => string[] }[] = [
  { name: 'restore --help', args: () => ['--help'] },
  ...['realesrgan-x4fast', 'realesrgan-x4plus'].map((engine) => ({
    name: `restore 128x128 ${engine.slice(11)}`,
    args: (n: number) => [input, '-o', join(out, `out-${engine}-${n}.png`), '--engine', engine, '--provider', 'cpu', '--overwrite'],
  })),
];
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log('case                          through tsx: wall / CPU s     built JavaScript: wall / CPU s');
for (const c of cases) {
  const viaTsx: { wall: number; cpu: number }[] = [];
  const built: { wall: number; cpu: number }[] = [];
  for (let i = 0; i < reps; i++) {
    viaTsx.push(timed(tsx, [join(root, 'src-main/cli/restore.ts'), ...c.args(2 * i)]));
    built.push(timed(process.execPath, [join(out, 'restore.js'), ...c.args(2 * i + 1)]));
  }
  const f = (xs: { wall: number; cpu: number }[]): string => `${median(xs.map((x) => x.wall)).toFixed(2)} / ${median(xs.map((x) => x.cpu)).toFixed(2)}`;
  console.log(`${c.name.padEnd(30)}${f(viaTsx).padStart(25)}${f(built).padStart(33)}`);
}
