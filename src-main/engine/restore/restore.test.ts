// The public restore API end to end, with the real installed models (installed by `npm install`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { Restorer } from './restore';
import { photo, tempDir } from '../../testing/fixtures';
import { hugeProfile, jpegWithProfile } from '../image/test-fixtures';

const restorer = new Restorer();
test.after(() => restorer.close());
const fast = { engine: 'realesrgan-x4fast' as const, threads: 2 };

async function crop(src: string, out: string, left: number, top: number, width: number, height: number): Promise<string> {
  await sharp(src).extract({ left, top, width, height }).toFile(out);
  return out;
}

/** PSNR in dB between two same-size 8-bit RGB images. */
async function psnr(a: string, b: string): Promise<number> {
  const [x, y] = await Promise.all([a, b].map((p) => sharp(p).removeAlpha().raw().toBuffer()));
  assert.equal(x.length, y.length);
  let se = 0;
  for (let i = 0; i < x.length; i++) se += (x[i] - y[i]) ** 2;
  return 10 * Math.log10((255 * 255) / (se / x.length));
}

test('restores a real photo x4 into a PNG that looks like the input, with progress to 100%', async () => {
  const dir = tempDir();
  const input = await crop(photo('chelsea.png'), join(dir, 'cat.png'), 150, 60, 64, 48);
  const stages = new Set<string>();
  let last = 0;
  const result = await restorer.restore(input, undefined, fast, {
    onProgress: (p) => {
      stages.add(p.stage);
      assert.ok(p.fraction >= last, 'progress never goes back');
      last = p.fraction;
    },
  });
  assert.equal(result.output, join(dir, 'cat-restored.png'));
  assert.deepEqual(result.outputSize, { width: 256, height: 192 });
  assert.equal(result.provider, 'cpu');
  assert.deepEqual([...stages], ['decoding', 'loading-model', 'restoring', 'resizing', 'encoding', 'done']);
  assert.equal(last, 1);
  const meta = await sharp(result.output).metadata();
  assert.equal(meta.width, 256);
  // The restoration must be the same picture: close to a plain bicubic enlargement, not equal to it.
  const bicubic = join(dir, 'bicubic.png');
  await sharp(input).resize(256, 192, { kernel: 'cubic' }).toFile(bicubic);
  const db = await psnr(result.output, bicubic);
  assert.ok(db > 22 && db < 45, `PSNR vs bicubic ${db.toFixed(1)} dB`);
});

test('a second default output never replaces the first', async () => {
  const dir = tempDir();
  const input = await crop(photo('chelsea.png'), join(dir, 'c.png'), 0, 0, 16, 16);
  const a = await restorer.restore(input, undefined, fast);
  const b = await restorer.restore(input, undefined, fast);
  assert.equal(a.output, join(dir, 'c-restored.png'));
  assert.equal(b.output, join(dir, 'c-restored-2.png'));
});

test('scale 2, scale 1 and a target width give the asked sizes', async () => {
  const dir = tempDir();
  const input = await crop(photo('rocket.jpg'), join(dir, 'r.jpg'), 200, 100, 40, 30);
  assert.deepEqual((await restorer.restore(input, join(dir, 'x2.png'), { ...fast, scale: 2 })).outputSize, { width: 80, height: 60 });
  assert.deepEqual((await restorer.restore(input, join(dir, 'x1.png'), { ...fast, scale: 1 })).outputSize, { width: 40, height: 30 });
  assert.deepEqual((await restorer.restore(input, join(dir, 'w.png'), { ...fast, width: 100 })).outputSize, { width: 100, height: 75 });
  assert.equal((await sharp(join(dir, 'x1.png')).metadata()).width, 40);
});

test('cancelling mid-restoration rejects with CANCELLED and leaves no file behind', async () => {
  const dir = tempDir();
  const input = await crop(photo('rocket.jpg'), join(dir, 'big.png'), 0, 0, 200, 150);
  const controller = new AbortController();
  const output = join(dir, 'out.png');
  await assert.rejects(
    restorer.restore(input, output, { ...fast, tile: 48 }, {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.stage === 'restoring' && (p.tilesDone ?? 0) >= 1) controller.abort();
      },
    }),
    { code: 'CANCELLED' },
  );
  assert.equal(existsSync(output), false);
  assert.deepEqual(readdirSync(dir).sort(), ['big.png']);
  // The engine recovers: the next job runs on a fresh worker thread.
  const ok = await restorer.restore(input, output, { ...fast, scale: 1 });
  assert.equal(ok.outputSize.width, 200);
});

test('16-bit, alpha and greyscale sources keep their nature', async () => {
  const dir = tempDir();
  const rgba = join(dir, 'rgba.png');
  // Left half fully transparent, right half opaque.
  const rgb = await sharp(photo('chelsea.png')).extract({ left: 100, top: 50, width: 24, height: 20 }).raw().toBuffer();
  const px = Buffer.alloc(24 * 20 * 4);
  for (let i = 0; i < 24 * 20; i++) px.set([rgb[i * 3], rgb[i * 3 + 1], rgb[i * 3 + 2], i % 24 < 12 ? 0 : 255], i * 4);
  await sharp(px, { raw: { width: 24, height: 20, channels: 4 } }).png().toFile(rgba);
  const a = await restorer.restore(rgba, join(dir, 'rgba-out.png'), fast);
  const am = await sharp(a.output).metadata();
  assert.equal(am.channels, 4);
  const alpha = await sharp(a.output).extractChannel(3).raw().toBuffer();
  assert.equal(alpha[10 * 96 + 5], 0, 'transparent half stays transparent');
  assert.equal(alpha[10 * 96 + 90], 255, 'opaque half stays opaque');

  const grey = join(dir, 'grey.png');
  await sharp(photo('camera.png')).extract({ left: 200, top: 200, width: 20, height: 20 }).toColourspace('b-w').toFile(grey);
  assert.equal((await sharp(grey).metadata()).channels, 1);
  const g = await restorer.restore(grey, join(dir, 'grey-out.png'), fast);
  assert.equal((await sharp(g.output).metadata()).channels, 1);

  const deep = join(dir, 'deep.png');
  await sharp(photo('chelsea.png')).extract({ left: 100, top: 50, width: 20, height: 20 }).toColourspace('rgb16').png().toFile(deep);
  assert.equal((await sharp(deep).metadata()).depth, 'ushort');
  const d = await restorer.restore(deep, join(dir, 'deep-out.png'), fast);
  assert.equal((await sharp(d.output).metadata()).depth, 'ushort');
});

test('EXIF survives a restoration, with orientation applied and reset', async () => {
  const dir = tempDir();
  const input = join(dir, 'exif.jpg');
  await sharp(photo('rocket.jpg')).extract({ left: 300, top: 100, width: 32, height: 16 })
    .withExif({ IFD0: { Make: 'TestCam', Model: 'Model 7' } }).withMetadata({ orientation: 6 }).jpeg().toFile(input);
  const r = await restorer.restore(input, join(dir, 'exif-out.jpg'), fast);
  assert.deepEqual(r.outputSize, { width: 64, height: 128 }, 'rotated upright before restoring');
  const meta = await sharp(r.output).metadata();
  assert.equal(meta.orientation ?? 1, 1);
  const exif = meta.exif?.toString('latin1') ?? '';
  assert.match(exif, /TestCam/);
  assert.match(exif, /PURE Studio/);
});

test('refusals happen before any work: existing output, the input itself, bad options', async () => {
  const dir = tempDir();
  const input = await crop(photo('chelsea.png'), join(dir, 'in.png'), 0, 0, 16, 16);
  await crop(photo('chelsea.png'), join(dir, 'taken.png'), 0, 0, 8, 8);
  await assert.rejects(restorer.restore(input, join(dir, 'taken.png'), fast), { code: 'OUTPUT_EXISTS' });
  await assert.rejects(restorer.restore(input, input, { ...fast, overwrite: true }), { code: 'OUTPUT_IS_INPUT' });
  await assert.rejects(restorer.restore(input, join(dir, 'o.bmp'), fast), { code: 'UNSUPPORTED_OUTPUT' });
  await assert.rejects(restorer.restore(input, undefined, { ...fast, scale: 3 as never }), { code: 'INVALID_OPTION' });
  await assert.rejects(restorer.restore(input, undefined, { ...fast, engine: 'nope' as never }), { code: 'INVALID_OPTION' });
  await assert.rejects(restorer.restore(join(dir, 'missing.png'), undefined, fast), { code: 'INPUT_NOT_FOUND' });
  // --overwrite replaces an output that is not the input.
  const r = await restorer.restore(input, join(dir, 'taken.png'), { ...fast, overwrite: true });
  assert.equal((await sharp(r.output).metadata()).width, 64);
});

test('what the output could not keep reaches the result as a warning', { timeout: 120_000 }, async () => {
  const input = join(tempDir(), 'big-icc.jpg');
  writeFileSync(input, await jpegWithProfile(hugeProfile(8 * 1024 * 1024)));
  const restorer = new Restorer();
  try {
    const result = await restorer.restore(input, undefined, { engine: 'realesrgan-x4fast', threads: 2 });
    assert.equal(result.warnings?.length, 1);
    assert.match(result.warnings[0], /colour profile .* sRGB/);
  } finally {
    await restorer.close();
  }
});
