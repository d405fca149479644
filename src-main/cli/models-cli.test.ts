// `npm run models` pointed at a throwaway home and a catalog whose files come from the loopback
// fixture server: in-process through runModels, and as real processes where two instances race.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { modelDir } from '../engine/models/model-store';
import { downloadFilesDir } from '../engine/models/pull';
import { assertNothingHalfMade, onnxEntry, tinyOnnx, writeCatalog } from '../engine/models/test-catalog';
import { FixtureServer } from '../engine/models/test-server';
import { makeTinyPureCheckpoint } from '../engine/pure/fixtures/make-tiny-checkpoint';
import { convertPure } from '../engine/pure/package/convert-pure';
import { PURE_FILES } from '../engine/pure/package/pure-manifest';
import { tempDir } from '../testing/fixtures';
import { pureDownloadEntry } from '../testing/pure-download-entry';
import { runModels } from './models-command';

const ROOT = resolve(import.meta.dirname, '../..');
const good = tinyOnnx();

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `models <args>` in this process, capturing its output. */
async function models(args: string[], env: Record<string, string>): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: { ...process.env, ...env },
    signal: new AbortController().signal,
  };
  const code = await runModels(args, io);
  return { code, stdout, stderr };
}

/** Runs the real CLI process (asynchronously: the fixture server in this process must keep serving). */
function spawnModels(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, ['--import', 'tsx', 'src-main/cli/models.ts', ...args], { cwd: ROOT, env: { ...process.env, ...env } }, (error, stdout, stderr) =>
      done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function setup(behaviour = {}) {
  const server = await FixtureServer.start();
  server.serve('/tiny.onnx', good, behaviour);
  const home = tempDir();
  const catalog = writeCatalog(home, [
    onnxEntry('tiny', [{ name: 'model.onnx', url: server.url('/tiny.onnx'), pin: good }]),
    onnxEntry('gone', [{ name: 'model.onnx', url: server.url('/missing.onnx') }]),
  ]);
  return { server, home, env: { PURE_STUDIO_HOME: home, PURE_STUDIO_CATALOG: catalog.path } };
}

test('list, pull, verify, remove: exit codes and output', async () => {
  const { home, env } = await setup();
  const listed = await models(['list', '--json'], env);
  assert.equal(listed.code, 0, listed.stderr);
  assert.deepEqual((JSON.parse(listed.stdout) as { id: string; status: string }[]).map((m) => [m.id, m.status]), [['tiny', 'not-installed'], ['gone', 'not-installed']]);

  const pulled = await models(['pull', 'tiny'], env);
  assert.equal(pulled.code, 0, pulled.stderr);
  assert.match(pulled.stderr, /tiny: +\d+% downloading model\.onnx/);
  assert.match(pulled.stderr, /tiny: installed \(ready\) in /);
  const table = await models(['list'], env);
  assert.match(table.stdout, /^tiny +ready +\d/m);
  assert.match(table.stdout, new RegExp(`Models folder: ${join(home, 'models')}`));

  assert.equal((await models(['verify', 'tiny'], env)).code, 0);
  writeFileSync(join(modelDir('tiny', home), 'model.onnx'), new Uint8Array(good.length));
  const damaged = await models(['verify', 'tiny'], env);
  assert.equal(damaged.code, 5);
  assert.match(damaged.stderr, /^error DIGEST_MISMATCH: Model "tiny" is damaged: model\.onnx does not match/m);

  const removed = await models(['remove', 'tiny', '--json'], env);
  assert.equal(removed.code, 0, removed.stderr);
  assert.equal((JSON.parse(removed.stdout) as { ok: boolean }).ok, true);
  assert.ok(!existsSync(modelDir('tiny', home)));
  assert.equal((await models(['verify', 'tiny'], env)).code, 5); // MODEL_MISSING
  await assertNothingHalfMade(home, 'tiny');
});

test('errors: usage is exit 2, a 404 is exit 5 with a clear message and hint', async () => {
  const { home, env } = await setup();
  assert.equal((await models([], env)).code, 2);
  assert.equal((await models(['fetch', 'x'], env)).code, 2);
  assert.equal((await models(['pull'], env)).code, 2);
  assert.equal((await models(['pull', 'nope'], env)).code, 2);
  assert.equal((await models(['pull', 'tiny', '--parts', '0'], env)).code, 2);
  assert.equal((await models(['--help'], env)).code, 0);
  const gone = await models(['pull', 'gone', '--json'], env);
  assert.equal(gone.code, 5);
  assert.match(gone.stderr, /error NETWORK: The server has no file at http:\/\/127\.0\.0\.1:\d+\/missing\.onnx \(HTTP 404\)\.\n {2}The model catalog may be out of date/);
  assert.equal((JSON.parse(gone.stdout.trim().split('\n').at(-1)!) as { error: { code: string } }).error.code, 'NETWORK');
  await assertNothingHalfMade(home, 'gone');
});

test('two app instances pulling the same model: the second is refused while the first downloads; one download', async () => {
  let open = (): void => {};
  const gate = new Promise<void>((resolve) => (open = resolve));
  const { server, home, env } = await setup({ gate });
  const first = spawnModels(['pull', 'tiny'], env);
  await server.requested('/tiny.onnx'); // the first instance holds the lock and is downloading
  const second = await spawnModels(['pull', 'tiny'], env);
  assert.equal(second.code, 5);
  assert.match(second.stderr, /error MODEL_LOCKED: Model "tiny" is busy: another PURE Studio \(process \d+\) is downloading it/);
  open();
  const done = await first;
  assert.equal(done.code, 0, done.stderr);
  assert.equal(server.stats('/tiny.onnx').requests, 1);
  await assertNothingHalfMade(home, 'tiny');
});

test('a PURE-style model downloads its checkpoint; a checkpoint the converter refuses lists as failed, with why; the files stay', async () => {
  const server = await FixtureServer.start();
  const home = tempDir();
  const config = '{"architectures": ["ChameleonForConditionalGeneration"]}';
  const shard = new Uint8Array(50_000).fill(7);
  const vq = new Uint8Array(20_000).fill(9);
  const commit = 'a'.repeat(40);
  const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
  server.serveJson('/api/models/nonwhy/PURE/revision/main', {
    sha: commit,
    siblings: [
      { rfilename: 'config.json', size: config.length },
      { rfilename: 'model-00001-of-00001.safetensors', size: shard.length, lfs: { sha256: sha256(shard), size: shard.length } },
      { rfilename: 'README.md', size: 3 },
    ],
  });
  server.serve(`/nonwhy/PURE/resolve/${commit}/config.json`, config);
  server.serve(`/nonwhy/PURE/resolve/${commit}/model-00001-of-00001.safetensors`, shard);
  server.serve('/LlamaGen/vq_ds8_c2i.pt', vq);
  const pure = pureDownloadEntry({ endpoint: server.origin, vqUrl: server.url('/LlamaGen/vq_ds8_c2i.pt'), vqBytes: 20_000 });
  const env = { PURE_STUDIO_HOME: home, PURE_STUDIO_CATALOG: writeCatalog(home, [pure]).path };
  const pulled = await models(['pull', 'pure-7b'], env);
  assert.equal(pulled.code, 5);
  // The served files are not a real checkpoint: conversion fails, and the download is kept.
  assert.match(pulled.stderr, /error MODEL_FORMAT: /);
  const files = downloadFilesDir('pure-7b', home);
  for (const name of ['config.json', 'model-00001-of-00001.safetensors', 'tokenizer/vq_ds8_c2i.pt']) assert.ok(existsSync(join(files, name)), name);
  assert.ok(!existsSync(join(files, 'README.md')));
  // The list says it failed and why (not "downloaded", as if the conversion had never run).
  const listed = JSON.parse((await models(['list', '--json'], env)).stdout) as { status: string; failure?: { stage: string; code: string; message: string } }[];
  assert.equal(listed[0].status, 'failed');
  assert.equal(listed[0].failure?.stage, 'convert');
  assert.equal(listed[0].failure?.code, 'MODEL_FORMAT');
  const table = (await models(['list'], env)).stdout;
  assert.match(table, /^pure-7b +failed +\d/m);
  assert.match(table, /^pure-7b: conversion failed: error MODEL_FORMAT: config\.json in .+ is not a Chameleon config/m);
  assert.match(table, /Retry: npm run models -- pull pure-7b \(resumes what was kept\)/);
  await assertNothingHalfMade(home, 'pure-7b');
});

test('import of a package made by `convert pure`: installed as pure-7b (TEST MODEL) from the built-in catalog; a damaged copy is refused, naming the file', { timeout: 300_000 }, async () => {
  const work = tempDir();
  const tiny = await makeTinyPureCheckpoint(join(work, 'checkpoint'), { seed: 9 });
  const converted = join(work, 'converted');
  await convertPure({ checkpoint: join(work, 'checkpoint'), vq: tiny.vqFile, out: converted, dtype: 'fp16' });
  const home = tempDir();
  const env = { PURE_STUDIO_HOME: home, PURE_STUDIO_CATALOG: '' }; // the built-in catalog

  const imported = await models(['import', converted], env);
  assert.equal(imported.code, 0, imported.stderr);
  assert.match(imported.stderr, /^pure-7b: validating/m);
  assert.ok(imported.stderr.includes(`pure-7b: imported (converted package) in ${modelDir('pure-7b', home)}: ready (unverified), TEST MODEL.`), imported.stderr);
  assert.match((await models(['list'], env)).stdout, /^pure-7b +ready \(unverified\) \(TEST MODEL\) +\d/m);
  assert.equal((await models(['verify', 'pure-7b'], env)).code, 0);
  await assertNothingHalfMade(home, 'pure-7b');

  const damaged = join(work, 'damaged');
  cpSync(converted, damaged, { recursive: true });
  const file = join(damaged, PURE_FILES.decoder);
  const bytes = readFileSync(file);
  bytes[bytes.length - 1] ^= 0x80;
  writeFileSync(file, bytes);
  const other = tempDir();
  const refused = await models(['import', damaged, '--json'], { ...env, PURE_STUDIO_HOME: other });
  assert.equal(refused.code, 5);
  assert.match(refused.stderr, /^error DIGEST_MISMATCH: The PURE package in .+ is damaged: decoder\.onnx does not match the sha256 its manifest records\./m);
  assert.equal((JSON.parse(refused.stdout.trim().split('\n').at(-1)!) as { error: { code: string } }).error.code, 'DIGEST_MISMATCH');
  assert.ok(!existsSync(modelDir('pure-7b', other)));
  assert.deepEqual(readdirSync(join(other, 'models')).filter((n) => n !== '.locks'), [], 'no staging folder left');
});
