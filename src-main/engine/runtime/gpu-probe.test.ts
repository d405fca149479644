// The graphics-card probe: nvidia-smi's and amdgpu's texts parsed, nvidia-smi run for real (a stub
// script first on PATH: this machine has no NVIDIA driver, so the real binary does not exist here),
// including one that hangs and one that fails, and the per-platform choice of sources.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { freemem, totalmem } from 'node:os';
import { tempDir } from '../../testing/fixtures';
import { amdCardFromSysfs, largestFreeGpu, NVIDIA_SMI_ARGS, parseNvidiaSmi, parseSysfsBytes, probeGpus, readAmdSysfs, runNvidiaSmi } from './gpu-probe';

const MIB = 1024 * 1024;

// What `nvidia-smi --query-gpu=name,memory.total,memory.free --format=csv,noheader,nounits` prints:
// one line per card, MiB, and "[N/A]" where the driver has no figure (GB10-class unified parts).
const TWO_CARDS = 'NVIDIA H100 80GB HBM3, 81559, 81008\nNVIDIA GeForce RTX 4090, 24564, 23012\n';
const NA_CARD = 'NVIDIA GB10, [N/A], [N/A]\r\n';

test('nvidia-smi lines: one card each, MiB to bytes, [N/A] left out, messages skipped', () => {
  assert.deepEqual(parseNvidiaSmi(TWO_CARDS), [
    { vendor: 'nvidia', name: 'NVIDIA H100 80GB HBM3', totalBytes: 81559 * MIB, freeBytes: 81008 * MIB },
    { vendor: 'nvidia', name: 'NVIDIA GeForce RTX 4090', totalBytes: 24564 * MIB, freeBytes: 23012 * MIB },
  ]);
  assert.deepEqual(parseNvidiaSmi(NA_CARD), [{ vendor: 'nvidia', name: 'NVIDIA GB10' }]);
  assert.deepEqual(parseNvidiaSmi('Tesla T4, 15360, [Not Supported]'), [{ vendor: 'nvidia', name: 'Tesla T4', totalBytes: 15360 * MIB }]);
  // a name with a comma keeps it; the memory is always the last two fields
  assert.deepEqual(parseNvidiaSmi('Quadro RTX 8000, Rev B, 48601, 100'), [{ vendor: 'nvidia', name: 'Quadro RTX 8000, Rev B', totalBytes: 48601 * MIB, freeBytes: 100 * MIB }]);
  assert.deepEqual(parseNvidiaSmi('No devices were found\n'), []);
  assert.deepEqual(parseNvidiaSmi(''), []);
});

test('amdgpu sysfs figures: bytes, free = total - used, a card without a total is no AMD card', () => {
  assert.equal(parseSysfsBytes('17163091968\n'), 17_163_091_968);
  assert.equal(parseSysfsBytes('n/a'), undefined);
  assert.equal(parseSysfsBytes(undefined), undefined);
  assert.deepEqual(amdCardFromSysfs('card0', { total: '17163091968\n', used: '1234567168\n', productName: 'AMD Radeon RX 7800 XT\n' }), {
    vendor: 'amd',
    name: 'AMD Radeon RX 7800 XT',
    totalBytes: 17_163_091_968,
    freeBytes: 15_928_524_800,
  });
  assert.deepEqual(amdCardFromSysfs('card3', { total: '536870912' }), { vendor: 'amd', name: 'AMD graphics card (card3)', totalBytes: 536_870_912 });
  assert.equal(amdCardFromSysfs('card1', { used: '5' }), undefined);
});

/** A /sys/class/drm of: an AMD card, its connector, an Intel card (no VRAM files), an AMD APU without "used". */
function fakeDrm(): string {
  const root = tempDir();
  const card = (name: string, files: Record<string, string>): void => {
    mkdirSync(join(root, name, 'device'), { recursive: true });
    for (const [file, text] of Object.entries(files)) writeFileSync(join(root, name, 'device', file), text);
  };
  card('card0', { mem_info_vram_total: '17163091968\n', mem_info_vram_used: '1234567168\n', product_name: 'AMD Radeon RX 7800 XT\n' });
  card('card0-DP-1', { mem_info_vram_total: '1\n' });
  card('card1', { vendor: '0x8086\n' });
  card('card10', { mem_info_vram_total: '536870912\n' });
  return root;
}

test('the sysfs tree: AMD cards in card order, connectors and other vendors left out, a missing tree is none', async () => {
  assert.deepEqual(await readAmdSysfs(fakeDrm()), [
    { vendor: 'amd', name: 'AMD Radeon RX 7800 XT', totalBytes: 17_163_091_968, freeBytes: 15_928_524_800 },
    { vendor: 'amd', name: 'AMD graphics card (card10)', totalBytes: 536_870_912 },
  ]);
  assert.deepEqual(await readAmdSysfs(join(tempDir(), 'no-such-folder')), []);
});

/** A folder holding an executable `nvidia-smi` shell script, and an environment with it first on PATH. */
function stubNvidiaSmi(body: string): { env: NodeJS.ProcessEnv; dir: string } {
  const dir = tempDir();
  const path = join(dir, 'nvidia-smi');
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return { dir, env: { ...process.env, PATH: `${dir}${delimiter}${process.env.PATH ?? ''}` } };
}

test('nvidia-smi is run with the query and its output parsed', async () => {
  const { env, dir } = stubNvidiaSmi(`echo "$@" > "${'$'}(dirname "$0")/args"\nprintf '${TWO_CARDS.replace(/\n/g, '\\n')}'`);
  const text = await runNvidiaSmi({ env });
  assert.equal(text, TWO_CARDS);
  assert.equal(readFileSync(join(dir, 'args'), 'utf8').trim(), NVIDIA_SMI_ARGS.join(' '));
});

test('a missing, failing or hanging nvidia-smi means no NVIDIA information, never an error', async () => {
  assert.equal(await runNvidiaSmi({ env: { ...process.env, PATH: tempDir() } }), undefined, 'missing');
  const failing = stubNvidiaSmi(`echo "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver."\nexit 9`);
  assert.equal(await runNvidiaSmi(failing), undefined, 'failing');
  // One that hangs itself, and one whose child holds the output open after it is killed.
  for (const body of ['exec sleep 20', 'sleep 5\necho "NVIDIA H100, 1, 1"']) {
    const t0 = performance.now();
    assert.equal(await runNvidiaSmi({ ...stubNvidiaSmi(body), timeoutMs: 300 }), undefined, body);
    const ms = performance.now() - t0;
    assert.ok(ms >= 250 && ms < 3000, `gave up after ${ms.toFixed(0)} ms`);
  }
});

test('the probe per platform: NVIDIA and AMD on Linux, NVIDIA only on Windows, unified memory on Apple silicon', async () => {
  const { env } = stubNvidiaSmi(`printf '${TWO_CARDS.replace(/\n/g, '\\n')}'`);
  const sysfsRoot = fakeDrm();
  const linux = await probeGpus({ fresh: true, platform: 'linux', env, sysfsRoot });
  assert.deepEqual(linux.map((g) => `${g.vendor}:${g.name}`), ['nvidia:NVIDIA H100 80GB HBM3', 'nvidia:NVIDIA GeForce RTX 4090', 'amd:AMD Radeon RX 7800 XT', 'amd:AMD graphics card (card10)']);
  const windows = await probeGpus({ fresh: true, platform: 'win32', env, sysfsRoot });
  assert.deepEqual(windows.map((g) => g.vendor), ['nvidia', 'nvidia']);
  const mac = await probeGpus({ fresh: true, platform: 'darwin', arch: 'arm64', env, sysfsRoot });
  assert.equal(mac.length, 1);
  assert.equal(mac[0].vendor, 'apple');
  assert.equal(mac[0].unified, true);
  assert.equal(mac[0].totalBytes, totalmem());
  assert.ok(mac[0].freeBytes! > 0 && mac[0].freeBytes! <= totalmem() && Math.abs(mac[0].freeBytes! - freemem()) < totalmem() / 4);
  assert.deepEqual(await probeGpus({ fresh: true, platform: 'darwin', arch: 'x64', env, sysfsRoot }), []);
});

test('probed once per process unless asked afresh', async () => {
  const first = probeGpus();
  assert.equal(probeGpus(), first);
  assert.notEqual(probeGpus({ fresh: true }), first);
  assert.ok(Array.isArray(await first));
});

test('the largest free card is the one with the most free memory, ignoring cards that do not say', () => {
  const gpus = parseNvidiaSmi(`${NA_CARD}${TWO_CARDS}`);
  assert.equal(largestFreeGpu(gpus)?.name, 'NVIDIA H100 80GB HBM3');
  assert.equal(largestFreeGpu([...gpus].reverse())?.name, 'NVIDIA H100 80GB HBM3');
  assert.equal(largestFreeGpu(parseNvidiaSmi(NA_CARD)), undefined);
  assert.equal(largestFreeGpu([]), undefined);
});
