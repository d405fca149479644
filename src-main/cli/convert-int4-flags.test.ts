// The converter's int4 flags as a person types them: a bad value or an int4 flag without
// --dtype int4 is a usage error before anything is read; --int4-accuracy 0 is recorded in the
// package (the default, 4, is covered by quant/convert-int4.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { makeTinyPureCheckpoint } from '../engine/pure/fixtures/make-tiny-checkpoint';
import { readPureManifest } from '../engine/pure/package/pure-manifest';
import { tempDir } from '../testing/fixtures';

const cli = join(import.meta.dirname, 'convert.ts');
const convert = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', cli, 'pure', ...args], { encoding: 'utf8' });

test('bad int4 flags are usage errors (exit 2) that say what is accepted', () => {
  const base = ['--checkpoint', '/nowhere', '--vq', '/nowhere.pt', '--out', join(tempDir(), 'out')];
  const bad = convert([...base, '--dtype', 'int4', '--int4-accuracy', '3']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /error INVALID_OPTION: --int4-accuracy must be 4 or 0, got "3"/);
  const noInt4 = convert([...base, '--int4-accuracy', '0']);
  assert.equal(noInt4.status, 2);
  assert.match(noInt4.stderr, /need --dtype int4/);
});

test('--int4-accuracy 0 is recorded in the package', { timeout: 180_000 }, async () => {
  const dir = tempDir();
  const made = await makeTinyPureCheckpoint(join(dir, 'checkpoint'), { seed: 4 });
  const out = join(dir, 'pure-int4-exact');
  const run = convert(['--checkpoint', join(dir, 'checkpoint'), '--vq', made.vqFile, '--out', out, '--dtype', 'int4', '--int4-accuracy', '0']);
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual((await readPureManifest(out)).int4, { blockSize: 32, scheme: 'asymmetric', lmHead: true, accuracyLevel: 0 });
});
