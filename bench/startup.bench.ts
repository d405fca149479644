// Start-up of the command-line tools, before and after they ran from built JavaScript, as whole
// processes alternated in one run so both see the same machine:
//   before: tsx src-main/cli/restore.ts ...      (what `npm run restore` and bin/ ran until now)
//   after:  node bin/pure-studio.js restore ...  (the build in out/main, after bin's stamp check)
// Cases: `restore --help`; a one-photo x4plus restore of a 128x128 crop of rocket.jpg (CPU); and,
// from the same runs, "process start to model ready": from the spawn until the restore reports
// its first 'restoring' line (decode, engine process start and model load behind it), in wall
// seconds and in CPU seconds of the whole process tree at that moment (on a shared machine wall
// time waits for a core; CPU time does not).
// Wall and CPU seconds (the process and its children). npm's own start (~0.3 s) is in neither.
// Prints medians; asserts nothing. Usage: tsx bench/startup.bench.ts [reps=5] [engine=realesrgan-x4plus]
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { buildState } from '../bin/build-state.js';

const reps = Number(process.argv[2] ?? 5);
const engine = process.argv[3] ?? 'realesrgan-x4plus';
const root = join(import.meta.dirname, '..');
const out = join(root, '.cache/startup-bench');
mkdirSync(out, { recursive: true });
const input = join(out, 'photo128.png');
await sharp(join(root, 'test-data/photos/rocket.jpg')).extract({ left: 250, top: 120, width: 128, height: 128 }).toFile(input);
// The build is made fresh first: its own time is a one-off after a change, not a start-up.
if (!buildState(root).fresh && spawnSync(process.execPath, [join(root, 'scripts/build-main.mjs')], { stdio: 'inherit' }).status !== 0) throw new Error('build failed');

/** CPU seconds of waited-for children so far (fields 16 and 17 of /proc/self/stat, 1/100 s ticks). */
function childCpu(): number {
  const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(f[13]) + Number(f[14])) / 100;
}

/** CPU seconds so far of `root` and all its descendants (Linux /proc; exited children of each included). */
function treeCpu(root: number): number {
  const procs = new Map<number, { ppid: number; ticks: number }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const f = readFileSync(`/proc/${name}/stat`, 'utf8').split(') ')[1].split(' ');
      procs.set(Number(name), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]) });
    } catch {
      // gone meanwhile
    }
  }
  let ticks = 0;
  const walk = (pid: number): void => {
    ticks += procs.get(pid)?.ticks ?? 0;
    for (const [child, p] of procs) if (p.ppid === pid) walk(child);
  };
  walk(root);
  return ticks / 100;
}

interface Timing {
  wall: number;
  cpu: number;
  /** Seconds from the spawn to the first 'restoring' progress line, when there was one. */
  ready?: number;
  /** CPU seconds of the process tree at that moment. */
  readyCpu?: number;
}

function timed(cmd: string, args: string[]): Promise<Timing> {
  const c = childCpu();
  const t = performance.now();
  let ready: number | undefined;
  let readyCpu: number | undefined;
  let stderr = '';
  const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, PURE_STUDIO_FROM_SOURCE: '' } });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (ready === undefined && /\d+% restoring/.test(stderr)) {
      ready = (performance.now() - t) / 1000;
      readyCpu = treeCpu(child.pid!);
    }
  });
  return new Promise((resolve, reject) =>
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`${cmd} ${args.join(' ')}: exit ${code}: ${stderr.slice(-300)}`));
      resolve({ wall: (performance.now() - t) / 1000, cpu: childCpu() - c, ...(ready !== undefined && { ready, readyCpu }) });
    }),
  );
}

const before = (args: string[]) => timed(join(root, 'node_modules/.bin/tsx'), [join(root, 'src-main/cli/restore.ts'), ...args]);
const after = (args: string[]) => timed(process.execPath, [join(root, 'bin/pure-studio.js'), 'restore', ...args]);
const restoreArgs = (n: number) => [input, '-o', join(out, `out-${n}.png`), '--engine', engine, '--provider', 'cpu', '--overwrite'];

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const f = (xs: number[]): string => median(xs).toFixed(2);
console.log(`load average at start: ${loadavg().map((l) => l.toFixed(1)).join(' ')}; ${reps} runs each, alternated; medians`);
console.log('| case | through tsx (before): wall / CPU s | built JavaScript (after): wall / CPU s |');
console.log('|---|---|---|');
const help = { tsx: [] as Timing[], built: [] as Timing[] };
const restore = { tsx: [] as Timing[], built: [] as Timing[] };
// One untimed run each: the optimized-graph cache and the page cache are warm for both.
await before(restoreArgs(0));
await after(restoreArgs(0));
for (let i = 0; i < reps; i++) {
  help.tsx.push(await before(['--help']));
  help.built.push(await after(['--help']));
  restore.tsx.push(await before(restoreArgs(2 * i)));
  restore.built.push(await after(restoreArgs(2 * i + 1)));
}
const row = (name: string, c: { tsx: Timing[]; built: Timing[] }) =>
  console.log(`| ${name} | ${f(c.tsx.map((t) => t.wall))} / ${f(c.tsx.map((t) => t.cpu))} | ${f(c.built.map((t) => t.wall))} / ${f(c.built.map((t) => t.cpu))} |`);
row('`restore --help`', help);
row(`restore 128x128, ${engine.replace('realesrgan-', '')}`, restore);
const ready = (ts: Timing[]) => `${f(ts.map((t) => t.ready ?? NaN))} / ${f(ts.map((t) => t.readyCpu ?? NaN))}`;
console.log(`| process start to model ready (${engine.replace('realesrgan-', '')}) | ${ready(restore.tsx)} | ${ready(restore.built)} |`);
console.log(`load average at end: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
