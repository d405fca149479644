// PURE in the app's library resumes at tile level across an app restart: a 4-tile photo of the
// queue, the app closed after its first tile, the app started again on the same state folder:
// the queue goes on by itself, generation starts at tile 2, and the output is byte-identical to an
// uninterrupted run with the same seed (and the photo's own caption). Real worker process, PURE
// TEST MODEL (random weights): this proves the bookkeeping, not the quality.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import sharp from 'sharp';
import { makeTinyPureCheckpoint } from '../../engine/pure/fixtures/make-tiny-checkpoint';
import { convertPure } from '../../engine/pure/package/convert-pure';
import { Restorer } from '../../engine/restore/restore';
import type { LibraryEvent } from '../../protocol/api';
import type { JobEvent } from '../../protocol/messages';
import { photo, tempDir } from '../../testing/fixtures';
import { forkNodeWorker } from './node-worker';
import { StudioHost } from './studio-host';
import { bridgeHost } from './library-test-host';

const entry = fileURLToPath(new URL('../index.ts', import.meta.url));
const caption = 'noise: medium, blur: small. A cat.';

function startHost(base: string): { host: StudioHost; jobs: JobEvent[]; library: LibraryEvent[] } {
  const { host, jobs, events } = bridgeHost(base, () => forkNodeWorker(entry, () => {}));
  return { host, jobs, library: events };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 500_000;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const generating = (event: JobEvent, tilesDone: number) => event.type === 'progress' && event.progress.phase !== undefined && event.progress.tilesDone === tilesDone;

test('a PURE photo interrupted by closing the app resumes at its second tile, byte-identical', { timeout: 600_000 }, async () => {
  const base = tempDir('pure-library-pure-');
  // Inside the served folder: the bridge takes a model folder from the page only there.
  const model = join(base, 'root', 'models', 'pure-tiny');
  const made = await makeTinyPureCheckpoint(join(base, 'checkpoint'), { seed: 5 });
  await convertPure({ checkpoint: join(base, 'checkpoint'), vq: made.vqFile, out: model, dtype: 'fp32' });
  const album = join(base, 'root', 'album');
  mkdirSync(album, { recursive: true });
  const input = join(album, 'cat.png');
  await sharp(photo('chelsea.png')).extract({ left: 80, top: 40, width: 200, height: 180 }).toFile(input);
  const options = { engine: 'pure' as const, model, threads: 2, seed: 7, maxNewTokens: 40, providers: ['cpu' as const] };

  const whole = new Restorer(join(base, 'home'));
  const reference = await whole.restore(input, join(base, 'reference.png'), { ...options, caption });
  await whole.close();
  assert.equal(reference.tiles, 4);

  const first = startHost(base);
  await first.host.start();
  const [opened] = await first.host.open([album], 'browse');
  const id = opened.id!;
  await first.host.library.setOverrides(id, { caption });
  await first.host.library.restorePhotos({ ids: [id], options });
  await until(() => first.jobs.some((e) => generating(e, 1)), 'the first tile to finish');
  await first.host.stop();
  const tiles = join(base, 'state', 'tiles', String(id));
  assert.ok(readdirSync(tiles).includes('tile-0.bin'), 'the finished tile is kept in the state folder');

  const second = startHost(base);
  await second.host.start();
  try {
    await until(() => second.library.some((e) => e.type === 'queue-finished'), 'the queue to go on and finish');
    assert.ok(!second.jobs.some((e) => generating(e, 0)), 'tile 1 was not generated again');
    assert.ok(second.jobs.some((e) => generating(e, 1)), 'generation started at tile 2');
    const [done] = (await second.host.library.snapshot()).items;
    assert.equal(done.state, 'done');
    assert.equal(done.output, join(base, 'root', 'restored', 'cat-restored.png'));
    assert.equal(done.result?.pure?.caption, reference.pure?.caption, 'the photo’s own caption');
    assert.ok(readFileSync(done.output).equals(readFileSync(join(base, 'reference.png'))), 'the same bytes as the uninterrupted run');
    assert.equal(existsSync(tiles), false, 'the kept tiles go once the photo is written');
  } finally {
    await second.host.stop();
  }
});
