// The conversion step of a pull in its own process, against the loopback server: a converter that
// never yields is stopped by a cancel (its process is gone, the downloads stay, no partial package
// anywhere), and what goes wrong in the child (a thrown Error, a worded EngineError, the process
// dying) reaches the caller as the clear error it would have been in process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { childProcessConverters } from './convert-process';
import type { ConverterRegistry } from './converters';
import { DEFAULT_TRANSFER } from './download-file';
import { modelInfo } from './model-status';
import { installedState } from './model-store';
import { modelsDir } from './paths';
import { downloadFilesDir, pullModel, type PullOptions } from './pull';
import { assertNothingHalfMade, onnxEntry, tinyOnnx, writeCatalog } from './test-catalog';
import * as testConverters from './test-converters';
import { FixtureServer } from './test-server';
import { tempDir } from '../../testing/fixtures';

const good = tinyOnnx();
const transfer = { ...DEFAULT_TRANSFER, retries: 1, backoffMs: 1, stallMs: 2000, parts: 1 };

type TestRegistry = 'stuckConverters' | 'throwingConverters' | 'refusingConverters' | 'dyingConverters';

/** The test registry `name`, run in the child the way PURE's converter is. */
const inChild = (name: TestRegistry): ConverterRegistry =>
  childProcessConverters(testConverters[name], { module: testConverters.TEST_CONVERTERS_MODULE, exportName: name });

async function setup() {
  const server = await FixtureServer.start();
  server.serve('/tiny.onnx', good);
  const home = tempDir();
  const { models } = writeCatalog(home, [onnxEntry('tiny', [{ name: 'model.onnx', url: server.url('/tiny.onnx'), pin: good }])]);
  const options: PullOptions = { home, catalog: models, transfer, proxy: null };
  return { server, home, models, options };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

test('a cancel kills a conversion that never yields: the downloads stay, no partial package, the retry converts them', async () => {
  const { server, home, models, options } = await setup();
  const controller = new AbortController();
  let childPid: number | undefined;
  await assert.rejects(
    pullModel('tiny', {
      ...options,
      converters: inChild('stuckConverters'),
      signal: controller.signal,
      onProgress: (p) => {
        const pid = /^pid (\d+)$/.exec(p.message ?? '')?.[1];
        if (p.phase === 'converting' && pid) {
          childPid = Number(pid);
          controller.abort();
        }
      },
    }),
    { code: 'CANCELLED' },
  );
  assert.ok(childPid !== undefined && childPid !== process.pid, `converted in process ${childPid}, not in this one (${process.pid})`);
  assert.equal(isAlive(childPid), false, 'the conversion process is gone');
  assert.ok(existsSync(join(downloadFilesDir('tiny', home), 'model.onnx')), 'the verified download is kept');
  assert.equal((await installedState('tiny', home)).kind, 'missing');
  assert.deepEqual(readdirSync(modelsDir(home)).filter((n) => n !== '.downloads' && n !== '.locks'), [], 'no staging or scratch folder left');
  await assertNothingHalfMade(home, 'tiny');
  // A cancel is the user's choice, not a failure: the model waits to be converted.
  assert.equal((await modelInfo(models[0], home)).status, 'downloaded');

  const requests = server.stats('/tiny.onnx').requests;
  assert.equal(await pullModel('tiny', options), 'installed');
  assert.equal(server.stats('/tiny.onnx').requests, requests, 'the retry fetched nothing again');
  await assertNothingHalfMade(home, 'tiny');
});

test('an Error thrown in the child is a MODEL_FORMAT naming it, the model lists as failed, and the retry succeeds', async () => {
  const { home, models, options } = await setup();
  await assert.rejects(
    pullModel('tiny', { ...options, converters: inChild('throwingConverters') }),
    (e: { code: string; message: string; hint?: string }) => e.code === 'MODEL_FORMAT' && /^Converting Test model tiny failed: the weights are torn at byte 42$/.test(e.message) && /pull tiny/.test(e.hint ?? ''),
  );
  const failed = await modelInfo(models[0], home);
  assert.equal(failed.status, 'failed');
  assert.deepEqual([failed.failure?.stage, failed.failure?.code], ['convert', 'MODEL_FORMAT']);
  assert.match(failed.failure?.message ?? '', /torn at byte 42/);
  assert.ok(existsSync(join(downloadFilesDir('tiny', home), 'model.onnx')));
  await assertNothingHalfMade(home, 'tiny');

  assert.equal(await pullModel('tiny', options), 'installed');
  const ready = await modelInfo(models[0], home);
  assert.equal(ready.status, 'ready');
  assert.equal(ready.failure, undefined);
});

test("a converter's own EngineError crosses with its code and hint; a child that dies is WORKER_CRASHED", async () => {
  const { home, options } = await setup();
  await assert.rejects(pullModel('tiny', { ...options, converters: inChild('refusingConverters') }), {
    code: 'MODEL_FORMAT',
    message: 'The package has no decoder graph.',
    hint: 'Convert it again.',
  });
  await assertNothingHalfMade(home, 'tiny');
  await assert.rejects(
    pullModel('tiny', { ...options, converters: inChild('dyingConverters') }),
    (e: { code: string; message: string; hint?: string }) => e.code === 'WORKER_CRASHED' && /exit code 3/.test(e.message) && /downloaded files are kept/.test(e.hint ?? ''),
  );
  assert.ok(existsSync(join(downloadFilesDir('tiny', home), 'model.onnx')));
  await assertNothingHalfMade(home, 'tiny');
});
