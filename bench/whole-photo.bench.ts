// A whole restoration as a user runs it (`node out/main/cli.js restore`), measured from outside:
// the CPU seconds of the whole process tree (the CLI, its engine and inference processes) and the
// tree's peak memory. Per-pixel cost is taken against a 16x16 run of the same settings, so process
// start and model load cancel out: (CPU(W x H) - CPU(16 x 16)) / (W x H - 256).
//
// Peak memory, two ways:
//  - tree RSS: every 200 ms the resident memory of each process of the tree (processes found by
//    parent pid in /proc/<pid>/stat, never threads, which share one address space), summed;
//  - cgroup: when a cgroup-v1 memory controller is writable (root on this machine), the run is put
//    in a group of its own and its `memory.max_usage_in_bytes` read at the end: exact, but it counts
//    the page cache the run touched too (the model file read, the output written), so it is an
//    upper bound.
// Prints one JSON line per case and a table. Asserts nothing.
// Usage: tsx bench/whole-photo.bench.ts [engine=realesrgan-x4plus] [sizes=128x128,2000x1500] [tiles=default] [threads=1]
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';

const [engine = 'realesrgan-x4plus', sizesArg = '128x128,2000x1500', tilesArg = 'default', threads = '1'] = process.argv.slice(2);
const root = join(import.meta.dirname, '..');
const cli = join(root, 'out/main/cli.js');
if (!existsSync(cli)) throw new Error('out/main/cli.js is missing: run `npm run build:main` (or any `npm run restore`) first');
const sizes = sizesArg.split(',').map((s) => s.split('x').map(Number) as [number, number]);
const tiles = tilesArg.split(',').map((t) => (t === 'default' ? undefined : Number(t)));
const TICK = 100; // clock ticks per second of /proc/<pid>/stat

interface ProcStat {
  ppid: number;
  childCpu: number; // reaped children's user + system, seconds
  rssPages: number;
}

function procStat(pid: number): ProcStat | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return { ppid: Number(fields[1]), childCpu: (Number(fields[13]) + Number(fields[14])) / TICK, rssPages: Number(fields[21]) };
  } catch {
    return undefined; // gone between the listing and the read
  }
}

/** The pids of `root` and all its descendants (processes, not threads). */
function tree(rootPid: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const stat = procStat(pid);
    if (stat) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), pid]);
  }
  const out: number[] = [];
  const walk = (pid: number): void => {
    out.push(pid);
    for (const child of children.get(pid) ?? []) walk(child);
  };
  walk(rootPid);
  return out;
}

/** A cgroup-v1 memory group for one run, or undefined where none can be made. */
function memoryGroup(): { dir: string; peak: () => number; remove: () => void } | undefined {
  const base = '/sys/fs/cgroup/memory';
  if (!existsSync(join(base, 'cgroup.procs'))) return undefined;
  const dir = join(base, `pure-bench-${process.pid}-${Date.now()}`);
  try {
    mkdirSync(dir);
  } catch {
    return undefined;
  }
  return {
    dir,
    peak: () => Number(readFileSync(join(dir, 'memory.max_usage_in_bytes'), 'utf8')),
    remove: () => {
      try {
        rmdirSync(dir);
      } catch {
        // a process still in it: left for the system; harmless
      }
    },
  };
}

const PAGE = 4096;

interface Measured {
  cpuSeconds: number;
  wallSeconds: number;
  peakTreeRssMB: number;
  cgroupPeakMB?: number;
}

async function measure(input: string, output: string, tile: number | undefined): Promise<Measured> {
  const args = [cli, 'restore', input, '-o', output, '--overwrite', '--engine', engine, '--threads', threads, ...(tile ? ['--tile', String(tile)] : [])];
  const group = memoryGroup();
  // The child joins the group before it execs node: a shell writes its own pid, then execs.
  const shellArgs = group ? ['-c', `echo $$ > ${group.dir}/cgroup.procs && exec "$0" "$@"`, process.execPath, ...args] : undefined;
  const started = performance.now();
  const child = shellArgs ? spawn('/bin/sh', shellArgs, { stdio: ['ignore', 'ignore', 'inherit'] }) : spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  const pid = child.pid!;
  let peakPages = 0;
  const sample = (): void => {
    let pages = 0;
    for (const p of tree(pid)) pages += procStat(p)?.rssPages ?? 0;
    peakPages = Math.max(peakPages, pages);
  };
  const timer = setInterval(sample, 200);
  const code = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
  clearInterval(timer);
  const wallSeconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`restore exited with ${code}`);
  const cgroupPeakMB = group ? group.peak() / 2 ** 20 : undefined;
  group?.remove();
  return { cpuSeconds: childrenCpu(), wallSeconds, peakTreeRssMB: (peakPages * PAGE) / 2 ** 20, ...(cgroupPeakMB ? { cgroupPeakMB } : {}) };
}

// CPU seconds of this process's reaped children since the last call: the CLI with everything it
// forked and waited for (engine and inference processes), exact once the CLI has exited.
let childrenBefore = 0;
function childrenCpu(): number {
  const total = procStat(process.pid)!.childCpu;
  const delta = total - childrenBefore;
  childrenBefore = total;
  return delta;
}

const dir = mkdtempSync(join(tmpdir(), 'pure-whole-photo-'));
try {
  childrenCpu(); // start the count from here
  const photo = join(import.meta.dirname, '../test-data/photos/rocket.jpg');
  const rows: string[] = [];
  for (const tile of tiles) {
    const base = join(dir, 'base.png');
    await sharp(photo).resize(16, 16, { fit: 'fill' }).png().toFile(base);
    const start = await measure(base, join(dir, 'base-out.png'), tile);
    let perPixel128: number | undefined;
    for (const [width, height] of sizes) {
      const input = join(dir, `in-${width}x${height}.png`);
      await sharp(photo).resize(width, height, { fit: 'fill' }).png().toFile(input);
      const run = await measure(input, join(dir, 'out.png'), tile);
      const cpuPerMP = ((run.cpuSeconds - start.cpuSeconds) / (width * height - 256)) * 1e6;
      if (width === 128 && height === 128) perPixel128 = cpuPerMP;
      const line = { engine, size: `${width}x${height}`, tile: tile ?? 'default', threads: Number(threads), ...run, startCpuSeconds: start.cpuSeconds, cpuSecondsPerInputMP: cpuPerMP, vs128: perPixel128 ? cpuPerMP / perPixel128 : undefined };
      console.log(JSON.stringify(line));
      rows.push(`| ${engine} | ${tile ?? 'default'} | ${width}x${height} | ${run.cpuSeconds.toFixed(1)} | ${cpuPerMP.toFixed(1)} | ${line.vs128?.toFixed(2) ?? '-'} | ${run.wallSeconds.toFixed(0)} | ${run.peakTreeRssMB.toFixed(0)} | ${run.cgroupPeakMB?.toFixed(0) ?? '-'} |`);
    }
  }
  console.log(`\n| engine | tile | size | CPU s | CPU s / input MP | vs 128x128 | wall s | peak tree RSS MB | cgroup peak MB |\n|---|---|---|---|---|---|---|---|---|\n${rows.join('\n')}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
