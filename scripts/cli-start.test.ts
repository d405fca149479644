// How `pure-studio` (bin/pure-studio.js, also `npm run restore`) starts: from the build when it is
// as new as the sources, rebuilding first when they changed, and from the sources through tsx when
// the build cannot be had. Shown on a stand-in project (a fake build and build script beside a
// copy of bin/), then on the real build: out/main/cli.js restores a photo, and neither it nor the
// inference process it starts carries tsx's loader.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { buildState } from '../bin/build-state.js';
import { photo, tempDir } from '../src-main/testing/fixtures';

const ROOT = resolve(import.meta.dirname, '..');

/** What the stand-in entries print: where they ran from, and the process's loader flags. */
const REPORT = `console.log(JSON.stringify({ from: FROM, execArgv: process.execArgv, args: process.argv.slice(2) }));\n`;

/** A project with bin/, a source file, a build script that writes a fake build, and no build yet. */
function standIn(): { root: string; source: string; builds: () => number } {
  const root = tempDir('pure-start-');
  mkdirSync(join(root, 'bin'));
  for (const name of ['pure-studio.js', 'build-state.js']) copyFileSync(join(ROOT, 'bin', name), join(root, 'bin', name));
  symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'));
  writeFileSync(join(root, 'package.json'), '{ "type": "module" }\n');
  mkdirSync(join(root, 'src-main', 'cli'), { recursive: true });
  const source = join(root, 'src-main', 'cli', 'restore.ts');
  writeFileSync(source, `const FROM: string = 'source';\n${REPORT}`);
  mkdirSync(join(root, 'scripts'));
  // The build: logs that it ran, fails when told to, else writes cli.js and the stamp as the real one does.
  writeFileSync(
    join(root, 'scripts', 'build-main.mjs'),
    `import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeStamp } from '../bin/build-state.js';
const root = join(import.meta.dirname, '..');
appendFileSync(join(root, 'builds.log'), 'x');
if (process.env.FAKE_BUILD_FAIL) { process.stderr.write('\\nboom: src-main/cli/restore.ts does not parse\\n'); process.exit(1); }
mkdirSync(join(root, 'out', 'main'), { recursive: true });
writeFileSync(join(root, 'out', 'main', 'cli.js'), ${JSON.stringify(`const FROM = 'built';\n${REPORT}`)});
writeStamp(root, join(root, 'out', 'main'), [join(root, 'src-main', 'cli', 'restore.ts')], Number.POSITIVE_INFINITY);
`,
  );
  const builds = () => (existsSync(join(root, 'builds.log')) ? readFileSync(join(root, 'builds.log'), 'utf8').length : 0);
  return { root, source, builds };
}

function start(root: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'pure-studio.js'), ...args], { cwd: tempDir(), encoding: 'utf8', env: { ...process.env, PURE_STUDIO_FROM_SOURCE: '', ...env } });
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { from: string; execArgv: string[]; args: string[] };
  return { ...report, notes: r.stderr.split('\n').filter(Boolean) };
}

const hasTsx = (argv: string[]) => argv.some((a) => a.includes('tsx'));

test('a missing build is built first, then the command runs from it without tsx', () => {
  const { root, builds } = standIn();
  const first = start(root, ['restore', 'photo.jpg', '--json']);
  assert.equal(first.from, 'built');
  assert.deepEqual(first.args, ['restore', 'photo.jpg', '--json']);
  assert.equal(hasTsx(first.execArgv), false, `execArgv: ${first.execArgv.join(' ')}`);
  assert.equal(builds(), 1);
  assert.equal(first.notes.length, 1);
  assert.match(first.notes[0], /^pure-studio: no build yet: building the command-line tools first/);
  // Now fresh: no build, no note.
  const second = start(root, ['restore', '--help']);
  assert.equal(second.from, 'built');
  assert.deepEqual(second.notes, []);
  assert.equal(builds(), 1);
});

test('a source changed since the build makes it stale: rebuilt, with one line saying why', () => {
  const { root, source, builds } = standIn();
  start(root, ['restore']);
  assert.equal(buildState(root).fresh, true);
  appendFileSync(source, '// edited\n');
  assert.deepEqual(buildState(root), { fresh: false, reason: 'src-main/cli/restore.ts changed since the last build' });
  const after = start(root, ['restore']);
  assert.equal(after.from, 'built');
  assert.equal(builds(), 2);
  assert.deepEqual(after.notes, ['pure-studio: src-main/cli/restore.ts changed since the last build: building the command-line tools first (out/main, a few seconds)...']);
  // A deleted source is a change too.
  rmSync(source);
  assert.deepEqual(buildState(root), { fresh: false, reason: 'src-main/cli/restore.ts is gone since the last build' });
});

test('when the rebuild fails, the sources run through tsx and the stale build does not', () => {
  const { root, source, builds } = standIn();
  start(root, ['restore']);
  appendFileSync(source, '// edited\n');
  const fallback = start(root, ['restore', 'x.png'], { FAKE_BUILD_FAIL: '1' });
  assert.equal(fallback.from, 'source');
  assert.deepEqual(fallback.args, ['x.png']);
  assert.equal(builds(), 2);
  assert.equal(fallback.notes.length, 2);
  assert.match(fallback.notes[1], /^pure-studio: the build failed: boom: src-main\/cli\/restore\.ts does not parse; running from the sources \(tsx\)\.$/);
});

test('PURE_STUDIO_FROM_SOURCE=1 runs the sources, and a build without sources (a package) runs as it is', () => {
  const { root, builds } = standIn();
  assert.equal(start(root, ['restore'], { PURE_STUDIO_FROM_SOURCE: '1' }).from, 'source');
  assert.equal(builds(), 0);
  start(root, ['restore']);
  rmSync(join(root, 'src-main'), { recursive: true });
  rmSync(join(root, 'out', 'main', 'build-stamp.json'));
  rmSync(join(root, 'scripts'), { recursive: true });
  const packaged = start(root, ['restore']);
  assert.equal(packaged.from, 'built');
  assert.deepEqual(packaged.notes, []);
});

/** The command lines of `pid`'s child processes (Linux /proc), polled until one matches or it exits. */
async function watchChildren(pid: number, until: Promise<unknown>): Promise<string[][]> {
  const seen: string[][] = [];
  let done = false;
  void until.finally(() => (done = true));
  while (!done) {
    const ps = spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' });
    for (const child of ps.stdout.split('\n').map((l) => l.trim()).filter(Boolean)) {
      try {
        const argv = readFileSync(`/proc/${child}/cmdline`, 'utf8').split('\0').filter(Boolean);
        if (argv.length && !seen.some((s) => s.join(' ') === argv.join(' '))) seen.push(argv);
      } catch {
        // gone already
      }
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return seen;
}

test('the real build: its stamp is fresh, and cli.js restores a photo with no tsx in it or its inference process', { skip: process.platform !== 'linux' ? 'reads /proc' : false }, async () => {
  const outDir = `out/.cli-start-test-${process.pid}`;
  try {
    const built = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build-main.mjs'), '--out-dir', outDir], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(built.status, 0, built.stderr);
    assert.deepEqual(buildState(ROOT, outDir), { fresh: true });
    const stamp = JSON.parse(readFileSync(join(ROOT, outDir, 'build-stamp.json'), 'utf8')) as { files: [string, number, number][] };
    const stamped = stamp.files.map(([path]) => path);
    for (const path of ['src-main/cli/main.ts', 'src-main/cli/restore.ts', 'src-main/engine/runtime/ort-worker.ts', 'electron.vite.config.ts', 'package.json']) assert.ok(stamped.includes(path), `${path} is stamped`);
    assert.ok(!stamped.some((p) => p.includes('node_modules')), 'packages are not stamped file by file');

    const dir = tempDir();
    const input = join(dir, 'p.png');
    await sharp(photo('rocket.jpg')).extract({ left: 250, top: 120, width: 48, height: 40 }).png().toFile(input);
    const cli = join(ROOT, outDir, 'cli.js');
    const child = spawn(process.execPath, [cli, 'restore', input, '-o', join(dir, 'out.png'), '--engine', 'realesrgan-x4fast', '--provider', 'cpu', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const children = await watchChildren(child.pid!, exited);
    assert.equal(await exited, 0, stderr);
    assert.equal((JSON.parse(stdout.trim()) as { ok: boolean }).ok, true);
    const worker = children.find((argv) => argv.some((a) => a.endsWith('ort-worker.js')));
    assert.ok(worker, `the inference process was seen: ${JSON.stringify(children)}`);
    assert.equal(worker[1], join(ROOT, outDir, 'ort-worker.js'), 'forked from the build, beside cli.js');
    assert.equal(hasTsx(worker), false, worker.join(' '));
  } finally {
    rmSync(join(ROOT, outDir), { recursive: true, force: true });
  }
});
