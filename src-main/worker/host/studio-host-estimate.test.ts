// The page's estimate call end to end on the host side: StudioHost and the HTTP bridge over the
// real worker process (worker/index.ts, forked like `npm run serve` does), with the PURE TEST
// MODEL installed where the app looks for it. Every expected figure comes from the engine's own
// Restorer.estimate for the same home and options, never from a number written here.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { startBridge, type Bridge } from '../../bridge/server';
import { makeTinyPureCheckpoint } from '../../engine/pure/fixtures/make-tiny-checkpoint';
import { convertPure } from '../../engine/pure/package/convert-pure';
import { modelsDir } from '../../engine/models/paths';
import { DEFAULT_PURE_MODEL } from '../../engine/restore/pure-restore';
import { Restorer } from '../../engine/restore/restore';
import { recordSpeed } from '../../engine/restore/pure-tile-speed';
import type { RestoreCall } from '../../protocol/api';
import type { RestoreOptionsInput } from '../../protocol/restore';
import { photo, tempDir } from '../../testing/fixtures';
import { forkNodeWorker } from './node-worker';
import { StudioHost } from './studio-host';

const dir = tempDir('pure-host-estimate-');
const home = join(dir, 'home');
const root = join(dir, 'root');
const model = join(modelsDir(home), DEFAULT_PURE_MODEL);
const cat = join(root, 'cat.png');
const outside = join(dir, 'outside.png');
const restorer = new Restorer(home);
let host: StudioHost;
let bridge: Bridge;
let opened: string;

before(async () => {
  mkdirSync(root, { recursive: true });
  copyFileSync(photo('chelsea.png'), cat);
  copyFileSync(photo('chelsea.png'), outside);
  const made = await makeTinyPureCheckpoint(join(dir, 'checkpoint'), { seed: 3 });
  await convertPure({ checkpoint: join(dir, 'checkpoint'), vq: made.vqFile, out: model, dtype: 'fp32' });
  // The forked worker finds its home the way the app's does: from the environment it inherits.
  process.env.PURE_STUDIO_HOME = home;
  const entry = fileURLToPath(new URL('../index.ts', import.meta.url));
  host = new StudioHost({
    info: { version: '0.0.0', transport: 'bridge', nativeDialogs: false, menu: false, reveal: false },
    stateDir: join(dir, 'state'),
    settingsFile: join(dir, 'state', 'settings.json'),
    browseRoot: root,
    spawnWorker: () => forkNodeWorker(entry, () => {}),
  });
  await host.start();
  const renderer = join(dir, 'renderer');
  mkdirSync(renderer);
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>PURE Studio</title>');
  bridge = await startBridge({ host, rendererDir: renderer });
  [{ path: opened }] = await host.open([cat], 'browse');
});

after(async () => {
  await bridge?.close();
  await host?.stop();
  await restorer.close();
});

/** The call the page makes for PURE on the CPU, with `extra` options. */
const call = (extra: RestoreOptionsInput = {}): RestoreCall => ({ input: opened, options: { engine: 'pure', providers: ['cpu'], ...extra }, format: 'png' });

describe('StudioHost.estimate', () => {
  test('an opened photo gets the engine’s estimate, assumed before anything was measured', async () => {
    const answer = await host.estimate(call());
    assert.deepEqual(answer, await restorer.estimate(opened, call().options));
    assert.equal(answer.estimate.source, 'assumed');
    assert.ok(answer.estimate.tiles > 1, `the whole cat takes several tiles (${answer.estimate.tiles})`);
    assert.equal(answer.estimate.tiles, answer.estimate.columns * answer.estimate.rows);
  });

  test('a speed measured on this provider is used, and a region needs one tile', async () => {
    await recordSpeed(home, model, 0, 'cpu', { tokensPerSecond: 7.5, overheadSecondsPerTile: 2 });
    const whole = await host.estimate(call());
    assert.deepEqual(whole, await restorer.estimate(opened, call().options));
    assert.equal(whole.estimate.source, 'measured');
    const roi = { x: 10, y: 20, width: 64, height: 48 };
    const part = await host.estimate(call({ roi }));
    assert.deepEqual(part, await restorer.estimate(opened, call({ roi }).options));
    assert.deepEqual([part.estimate.tiles, part.roi], [1, roi]);
    assert.ok(part.estimate.seconds < whole.estimate.seconds);
  });

  test('a photo that was not opened is refused before the worker sees it', async () => {
    await assert.rejects(host.estimate({ ...call(), input: outside }), { code: 'INPUT_UNREADABLE' });
  });

  test('no PURE model in a folder inside the root: MODEL_MISSING, as the worker says it', async () => {
    mkdirSync(join(root, 'no-model-here'), { recursive: true });
    await assert.rejects(host.estimate(call({ model: join(root, 'no-model-here') })), { code: 'MODEL_MISSING' });
  });

  test('a model folder outside the root is refused before the worker looks (nothing said about the folder)', async () => {
    await assert.rejects(host.estimate(call({ model: join(dir, 'no-model-here') })), { code: 'INVALID_OPTION' });
    await assert.rejects(host.estimate(call({ model: model })), { code: 'INVALID_OPTION' });
  });

  test('bad options are INVALID_OPTION', async () => {
    await assert.rejects(host.estimate({ input: opened, options: { engine: 'pure', scale: 3 } }), { code: 'INVALID_OPTION' });
  });
});

describe('POST /api/estimate', () => {
  const post = async (body: unknown): Promise<{ ok: boolean; value?: unknown; error?: { code: string }; status: number }> => {
    const response = await fetch(`http://127.0.0.1:${bridge.port}/api/estimate`, {
      method: 'POST',
      headers: { 'x-pure-token': bridge.token, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { ...((await response.json()) as { ok: boolean; value?: unknown; error?: { code: string } }), status: response.status };
  };

  test('answers the page with the engine’s estimate, and refuses a photo it never opened', async () => {
    const options = { engine: 'pure' as const, providers: ['cpu' as const], scale: 2 as const };
    assert.deepEqual(await post({ input: opened, options }), { ok: true, value: await restorer.estimate(opened, options), status: 200 });
    // A refusal is an ordinary answer here (200, ok: false): the browser must not log it as a failed request.
    const refused = await post({ input: outside, options });
    assert.deepEqual([refused.status, refused.ok, refused.error?.code], [200, false, 'INPUT_UNREADABLE']);
  });
});
