// A disk that fills up during a model download, on a real small file system (a tmpfs mounted
// for the test; skipped, saying so, where this process may not mount one). The pull must end
// in DISK_FULL, the model must list as failed with that reason (not "paused"), and no temp
// file of ours may be left behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { after } from 'node:test';
import { join } from 'node:path';
import { DEFAULT_TRANSFER } from './download-file';
import { modelInfo } from './model-status';
import { pullModel } from './pull';
import { onnxEntry, writeCatalog } from './test-catalog';
import { FixtureServer } from './test-server';
import { tempDir } from '../../testing/fixtures';

/** A tmpfs of `kib` KiB at a fresh folder, unmounted when the file ends; undefined if not allowed. */
function smallDisk(kib: number): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'pure-studio-full-disk-'));
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${kib}k`, 'tmpfs', dir], { stdio: 'ignore' });
  after(() => {
    // Unmounted before the folder is removed (a mount point cannot be).
    if (mounted.status === 0) spawnSync('umount', ['-l', dir], { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  });
  return mounted.status === 0 ? dir : undefined;
}

function filesUnder(dir: string): { path: string; size: number }[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => ({ path: join(e.parentPath, e.name).slice(dir.length + 1), size: statSync(join(e.parentPath, e.name)).size }));
}

test('a disk that fills up mid-download: DISK_FULL, listed as failed, no temp files left', async (t) => {
  const home = smallDisk(512);
  if (!home) return t.skip('cannot mount a tmpfs here (needs root with CAP_SYS_ADMIN)');
  const server = await FixtureServer.start();
  const big = Uint8Array.from({ length: 2 << 20 }, (_, i) => (i * 2654435761) >>> 24);
  server.serve('/big.onnx', big, { chunkSize: 32 << 10 });
  const { models } = writeCatalog(tempDir(), [onnxEntry('big', [{ name: 'model.onnx', url: server.url('/big.onnx') }])]);
  mkdirSync(join(home, 'filler'));
  writeFileSync(join(home, 'filler', 'other-data'), new Uint8Array(200 << 10)); // the rest of the disk is someone else's

  await assert.rejects(
    pullModel('big', { home, catalog: models, proxy: null, transfer: { ...DEFAULT_TRANSFER, parts: 1, retries: 1, backoffMs: 1 }, freeSpace: async () => 1e12 }),
    { code: 'DISK_FULL' },
  );
  const info = await modelInfo(models[0], home);
  assert.equal(info.status, 'failed');
  assert.equal(info.failure?.code, 'DISK_FULL');
  assert.equal(info.failure?.stage, 'download');
  // No .tmp or other empty file of ours (the failure is kept in an empty marker when even a
  // small record does not fit: that one is expected).
  const leftovers = filesUnder(home).filter((f) => f.path.endsWith('.tmp') || (f.size === 0 && !f.path.endsWith('.disk-full')));
  assert.deepEqual(leftovers, []);
  // The next pull starts by forgetting the failure (and fails again here, the same way).
  await assert.rejects(pullModel('big', { home, catalog: models, proxy: null, freeSpace: async () => 1e12 }), { code: 'DISK_FULL' });
  assert.equal((await modelInfo(models[0], home)).failure?.code, 'DISK_FULL');
});
