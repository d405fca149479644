// HEIC decoding. Fixtures need an HEVC encoder, which neither sharp nor heic-decode has here:
// heif-enc (Debian: libheif-examples) makes them when installed; otherwise these tests skip.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { decodeImage } from './decode';
import { adobeLikeProfile, meanDiff, photoLike, rasterSharp, rejectsWith, tempDir } from './test-fixtures';
import type { RasterImage } from './types';

const LIMIT = { maxPixels: 100_000_000 };

test('a file that claims to be HEIC but is not is reported as damaged', async (t) => {
  const dir = tempDir(t);
  const fake = join(dir, 'fake.heic');
  writeFileSync(fake, Buffer.concat([Buffer.from('\0\0\0\x18ftypheic\0\0\0\0mif1heic', 'latin1'), Buffer.alloc(200, 7)]));
  await rejectsWith(decodeImage(fake, LIMIT), 'CORRUPT_IMAGE', /HEI[CF]/);
});

const heifEnc = spawnSync('heif-enc', ['--version']).error === undefined;

test('HEIC decodes through heic-decode (needs heif-enc to make the fixture)', { skip: !heifEnc && 'heif-enc is not installed (apt-get install libheif-examples)' }, async (t) => {
  const dir = tempDir(t);
  const encode = async (name: string, image: RasterImage, icc?: string): Promise<string> => {
    const png = join(dir, `${name}.png`);
    await (icc ? rasterSharp(image).withIccProfile(icc) : rasterSharp(image)).png().toFile(png);
    const out = join(dir, `${name}.heic`);
    const run = spawnSync('heif-enc', ['-q', '95', '-o', out, png]);
    assert.equal(run.status, 0, String(run.stderr));
    assert.equal(readFileSync(out).subarray(8, 12).toString('latin1'), 'heic');
    return out;
  };
  
  const image = photoLike(64, 48, { seed: 11 });
  const plain = await encode('plain', image);
  const decoded = await decodeImage(plain, LIMIT);
  assert.equal(decoded.metadata.format, 'heif');
  assert.equal(decoded.rgb.width, 64);
  assert.equal(decoded.rgb.height, 48);
  assert.equal(decoded.alpha, undefined);
  // HEVC at q95 with 4:2:0 chroma is lossy on this grainy fixture: a mean error near 4 is normal.
  assert.ok(meanDiff(decoded.rgb.data, image.data) < 6, `mean error ${meanDiff(decoded.rgb.data, image.data)}`);

  // A major brand heic-decode does not know ('heim') is still read.
  const renamed = join(dir, 'renamed.heic');
  const bytes = readFileSync(plain);
  bytes.write('heim', 8, 'latin1');
  writeFileSync(renamed, bytes);
  assert.deepEqual((await decodeImage(renamed, LIMIT)).rgb.data, decoded.rgb.data);

  const withAlpha = photoLike(64, 48, { channels: 4, seed: 11 });
  const alpha = await decodeImage(await encode('alpha', withAlpha), LIMIT);
  assert.ok(alpha.alpha, 'alpha plane kept');
  assert.ok(meanDiff(alpha.alpha.data, Uint8Array.from({ length: 64 * 48 }, (_, p) => withAlpha.data[p * 4 + 3])) < 6);

  // An ICC profile in the HEIC is honoured: the pixels come back as sRGB.
  const iccPath = join(dir, 'adobe.icc');
  writeFileSync(iccPath, adobeLikeProfile());
  const tagged = await decodeImage(await encode('tagged', image, iccPath), LIMIT);
  assert.ok(tagged.metadata.icc, 'profile kept in metadata');
  const device = await sharp(join(dir, 'tagged.png'), { ignoreIcc: true }).raw().toBuffer();
  const untransformed = meanDiff(device, image.data);
  const error = meanDiff(tagged.rgb.data, image.data);
  assert.ok(error < 6 && error < untransformed - 3, `tagged mean error ${error}, ${untransformed} without conversion`);
});
