// Cancelling a conversion: SIGINT to the converter process alone (as `kill -INT` or the app would
// send it) stops it within one weight and leaves nothing, and a run killed outright (a terminal's
// Ctrl-C reaches the whole group) leaves a staging folder that the next run removes. On a TEST
// MODEL made wider than the tiny one so that its decoder pass lasts a few seconds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { makeTinyPureCheckpoint } from '../engine/pure/fixtures/make-tiny-checkpoint';
import { PURE_TINY_TEST } from '../engine/pure/config';
import type { PureConfig } from '../engine/pure/config';
import { convertPure } from '../engine/pure/package/convert-pure';
import { staleStagingFolders } from '../engine/pure/package/staging';
import { tempDir } from '../testing/fixtures';
import { EXIT } from './exit-codes';

const cli = resolve(import.meta.dirname, 'convert.ts');
const dir = tempDir();
/** ~45M parameters: a decoder pass of seconds here, with about 60 weights to stop between. */
const WIDER: PureConfig = { ...PURE_TINY_TEST, decoder: { ...PURE_TINY_TEST.decoder, hiddenSize: 256, numHeads: 4, numKvHeads: 4, headDim: 64, intermediateSize: 704, numLayers: 6 } };
let checkpoint: string;
let vq: string;

test.before(async () => {
  checkpoint = join(dir, 'checkpoint');
  vq = (await makeTinyPureCheckpoint(checkpoint, { seed: 3, config: WIDER })).vqFile;
});

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Starts the converter; once it reports the decoder under way, sends `signal` to that process only. */
function convertAndSignal(out: string, signal: NodeJS.Signals): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', cli, 'pure', '--checkpoint', checkpoint, '--vq', vq, '--out', out, '--dtype', 'fp32'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  let sent = false;
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk;
    if (!sent && /converting: decoder [1-9]\d?%/.test(stderr)) {
      sent = true;
      child.kill(signal);
    }
  });
  return new Promise((done) => child.on('close', (code, sig) => done({ code, signal: sig, stderr })));
}

const listing = async (parent: string) => (await readdir(parent)).sort();

test('SIGINT to the converter stops the decoder pass at once and leaves nothing', async () => {
  const parent = join(dir, 'sigint');
  await mkdir(parent);
  const run = await convertAndSignal(join(parent, 'pkg'), 'SIGINT');
  assert.equal(run.code, EXIT.CANCELLED, run.stderr);
  assert.match(run.stderr, /CANCELLED/);
  assert.match(run.stderr, /converting: decoder \d+% \([\d.]+ MB of [\d.]+ MB\)/, 'progress in bytes');
  // Before the fix the build held the event loop, so SIGINT was seen only after the whole pass.
  assert.doesNotMatch(run.stderr, /decoder 100%|converting: vq/, 'the conversion went on after SIGINT');
  assert.deepEqual(await listing(parent), [], 'no package and no staging folder');
});

test('a run killed outright leaves a staging folder that the next run removes; a live one stays', async () => {
  const parent = join(dir, 'killed');
  await mkdir(parent);
  const out = join(parent, 'pkg');
  const run = await convertAndSignal(out, 'SIGKILL');
  assert.equal(run.signal, 'SIGKILL');
  const left = await listing(parent);
  assert.equal(left.length, 1, `one staging folder: ${left.join(', ')}`);
  assert.match(left[0], /^\.pkg\.staging-\d+-/);
  // An older converter's folder (no pid in its name), and one of a conversion still running.
  await mkdir(join(parent, '.pkg.staging-Ab12Cd'));
  const live = `.other.staging-${process.pid}-Zz9Yy8`;
  await mkdir(join(parent, live));
  assert.equal((await staleStagingFolders(out)).length, 2);

  await convertPure({ checkpoint, vq, out, dtype: 'fp32' });
  assert.deepEqual(await listing(parent), [live, 'pkg'].sort());
});
