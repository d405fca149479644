import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { decodeImage } from './decode';
import { insertPngIccProfile, pngChunk } from './metadata-inject';
import { adobeLikeProfile, maxDiff, photoLike, rasterSharp, rejectsWith, tempDir } from './test-fixtures';

const LIMIT = { maxPixels: 100_000_000 };




test('bad inputs end in clear errors', async (t) => {
  const dir = tempDir(t);
  await rejectsWith(decodeImage(join(dir, 'missing.jpg'), LIMIT), 'INPUT_NOT_FOUND', /missing\.jpg/);

  // Tests run as root, where chmod 000 does not stop reads; a folder gives a genuine read error.
  const folder = join(dir, 'photo.jpg');
  mkdirSync(folder);
  await rejectsWith(decodeImage(folder, LIMIT), 'INPUT_UNREADABLE', /folder/);

  const empty = join(dir, 'empty.png');
  writeFileSync(empty, '');
  await rejectsWith(decodeImage(empty, LIMIT), 'EMPTY_FILE');

  const text = join(dir, 'notes.jpg');
  writeFileSync(text, 'These are my holiday notes, not a photo.\n');
  await rejectsWith(decodeImage(text, LIMIT), 'UNSUPPORTED_IMAGE', /text file.*Supported formats: JPEG, PNG/);

  const bmp = join(dir, 'old.bmp');
  writeFileSync(bmp, Buffer.concat([Buffer.from('BM'), Buffer.alloc(60)]));
  await rejectsWith(decodeImage(bmp, LIMIT), 'UNSUPPORTED_IMAGE', /BMP/);

  const nef = join(dir, 'DSC_0001.NEF'); // camera raw files are TIFF containers
  await rasterSharp(photoLike(16, 16)).tiff().toFile(nef);
  await rejectsWith(decodeImage(nef, LIMIT), 'UNSUPPORTED_IMAGE', /raw/);

});

test('truncated JPEG and PNG are refused, not decoded grey', async (t) => {
  const dir = tempDir(t);
  const image = photoLike(96, 64);
  for (const [name, bytes] of [
    ['cut.jpg', await rasterSharp(image).jpeg({ quality: 90 }).toBuffer()],
    ['cut.png', await rasterSharp(image).png().toBuffer()],
  ] as const) {
    for (const keep of [0.5, 0.9]) {
      const path = join(dir, `${keep}-${name}`);
      writeFileSync(path, bytes.subarray(0, Math.floor(bytes.length * keep)));
      await rejectsWith(decodeImage(path, LIMIT), 'CORRUPT_IMAGE', /damaged or truncated/);
    }
  }
});

test('too small and too large images are refused from the header', async (t) => {
  const dir = tempDir(t);
  const tiny = join(dir, 'tiny.png');
  await rasterSharp(photoLike(1, 1)).png().toFile(tiny);
  await rejectsWith(decodeImage(tiny, LIMIT), 'IMAGE_TOO_SMALL', /1x1/);
  const thin = join(dir, 'thin.png');
  await rasterSharp(photoLike(3, 200)).png().toFile(thin);
  await rejectsWith(decodeImage(thin, LIMIT), 'IMAGE_TOO_SMALL');

  const normal = join(dir, 'normal.png');
  await rasterSharp(photoLike(40, 30)).png().toFile(normal);
  await rejectsWith(decodeImage(normal, { maxPixels: 1000 }), 'IMAGE_TOO_LARGE', /1,000.*--max-pixels/);
});

test('a decompression bomb (tiny PNG declaring 50000x50000) is refused fast, without decoding', async (t) => {
  const dir = tempDir(t);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(50000, 0);
  ihdr.writeUInt32BE(50000, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const png = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(Buffer.alloc(50000 * 3 + 1))),
    pngChunk('IEND', new Uint8Array(0)),
  ]);
  assert.ok(png.length < 1000);
  const path = join(dir, 'bomb.png');
  writeFileSync(path, png);
  const started = performance.now();
  const rssBefore = process.memoryUsage().rss;
  const error = await rejectsWith(decodeImage(path, LIMIT), 'IMAGE_TOO_LARGE', /50000x50000.*100,000,000.*--max-pixels/);
  assert.ok(performance.now() - started < 2000, 'refused from the header, not after decoding');
  assert.ok(process.memoryUsage().rss - rssBefore < 500 * 2 ** 20, 'no 7.5 GB pixel buffer was allocated');
  assert.match(error.hint ?? '', /--max-pixels 2500000000/);
});

test('EXIF orientation 6: a 40x20 JPEG decodes upright as 20x40', async (t) => {
  const dir = tempDir(t);
  // Stored: grey with a green 10x10 block at the stored top-left. Orientation 6 means "rotate
  // 90 degrees clockwise to view", which puts that block at the viewed top-right.
  const stored = new Uint8Array(40 * 20 * 3).fill(128);
  for (let y = 0; y < 10; y++) for (let x = 0; x < 10; x++) stored.set([0, 200, 0], (y * 40 + x) * 3);
  const path = join(dir, 'rotated.jpg');
  await sharp(stored, { raw: { width: 40, height: 20, channels: 3 } }).jpeg({ quality: 100 }).withMetadata({ orientation: 6 }).toFile(path);
  const decoded = await decodeImage(path, LIMIT);
  assert.equal(decoded.metadata.orientation, 6);
  assert.equal(decoded.rgb.width, 20);
  assert.equal(decoded.rgb.height, 40);
  const at = (x: number, y: number): number[] => Array.from(decoded.rgb.data.subarray((y * 20 + x) * 3, (y * 20 + x) * 3 + 3));
  assert.ok(maxDiff(at(15, 5), [0, 200, 0]) < 12, `top-right is green: ${at(15, 5).join()}`);
  assert.ok(maxDiff(at(4, 5), [128, 128, 128]) < 12, `top-left is grey: ${at(4, 5).join()}`);
  assert.ok(maxDiff(at(15, 35), [128, 128, 128]) < 12, `bottom-right is grey: ${at(15, 35).join()}`);
});

test('16-bit PNG and TIFF decode to Uint16Array with the exact values', async (t) => {
  const dir = tempDir(t);
  const image = photoLike(48, 32, { bitDepth: 16, seed: 3 });
  for (const [name, encoder] of [
    ['deep.png', rasterSharp(image).toColourspace('rgb16').png()],
    ['deep.tif', rasterSharp(image).toColourspace('rgb16').tiff({ compression: 'deflate' })],
  ] as const) {
    const path = join(dir, name);
    await encoder.toFile(path);
    const decoded = await decodeImage(path, LIMIT);
    assert.equal(decoded.highBitDepth, true);
    assert.equal(decoded.rgb.bitDepth, 16);
    assert.ok(decoded.rgb.data instanceof Uint16Array);
    assert.equal(maxDiff(decoded.rgb.data, image.data), 0, name);
  }
});

test('grey, CMYK and palette sources become RGB', async (t) => {
  const dir = tempDir(t);
  const grey = photoLike(32, 24, { channels: 1 });
  const greyPath = join(dir, 'grey.png');
  await rasterSharp(grey).toColourspace('b-w').png().toFile(greyPath);
  const g = await decodeImage(greyPath, LIMIT);
  assert.equal(g.grey, true);
  assert.equal(g.rgb.channels, 3);
  for (let p = 0; p < grey.data.length; p++) {
    assert.deepEqual(Array.from(g.rgb.data.subarray(p * 3, p * 3 + 3)), [grey.data[p], grey.data[p], grey.data[p]]);
  }

  const cmykPath = join(dir, 'cmyk.jpg');
  const red = new Uint8Array(32 * 24 * 3);
  for (let i = 0; i < red.length; i += 3) red.set([190, 120, 100], i); // well inside the CMYK gamut
  await sharp(red, { raw: { width: 32, height: 24, channels: 3 } }).toColourspace('cmyk').jpeg({ quality: 100 }).toFile(cmykPath);
  assert.equal((await sharp(cmykPath).metadata()).space, 'cmyk', 'fixture is CMYK');
  const c = await decodeImage(cmykPath, LIMIT);
  assert.equal(c.metadata.space, 'cmyk');
  assert.equal(c.grey, false);
  assert.ok(maxDiff(c.rgb.data.subarray(0, 3), [190, 120, 100]) < 20, `CMYK colour came back as ${Array.from(c.rgb.data.subarray(0, 3)).join()}`);

  const palettePath = join(dir, 'palette.png');
  const image = photoLike(32, 24, { seed: 9 });
  await rasterSharp(image).png({ palette: true, colours: 64, dither: 0 }).toFile(palettePath);
  assert.equal((await sharp(palettePath).metadata()).isPalette, true, 'fixture is a palette PNG');
  const p = await decodeImage(palettePath, LIMIT);
  assert.equal(p.rgb.channels, 3);
  assert.ok(maxDiff(p.rgb.data, image.data) < 64, 'palette colours approximate the source');
});

test('alpha is separated; RGB under transparent pixels is kept, not premultiplied', async (t) => {
  const dir = tempDir(t);
  const image = photoLike(32, 16, { channels: 4 });
  for (let y = 0; y < 16; y++) image.data[(y * 32) * 4 + 3] = 0; // a fully transparent first column
  const path = join(dir, 'alpha.png');
  await rasterSharp(image).png().toFile(path);
  const decoded = await decodeImage(path, LIMIT);
  assert.ok(decoded.alpha);
  assert.equal(decoded.alpha.channels, 1);
  for (let p = 0; p < 32 * 16; p++) {
    assert.equal(decoded.alpha.data[p], image.data[p * 4 + 3]);
    assert.deepEqual(Array.from(decoded.rgb.data.subarray(p * 3, p * 3 + 3)), Array.from(image.data.subarray(p * 4, p * 4 + 3)));
  }

  const opaque = photoLike(16, 16, { channels: 4 });
  for (let p = 0; p < 256; p++) opaque.data[p * 4 + 3] = 255;
  const opaquePath = join(dir, 'opaque.png');
  await rasterSharp(opaque).png().toFile(opaquePath);
  assert.equal((await decodeImage(opaquePath, LIMIT)).alpha, undefined, 'an alpha that is opaque everywhere is dropped');
});

test('animated GIF and WebP: the first frame only', async (t) => {
  const dir = tempDir(t);
  const frame = (colour: string): Promise<Buffer> =>
    sharp({ create: { width: 24, height: 16, channels: 3, background: colour } }).png().toBuffer();
  const frames = [await frame('#ff0000'), await frame('#0000ff'), await frame('#00ff00')];
  for (const format of ['gif', 'webp'] as const) {
    const path = join(dir, `anim.${format}`);
    await sharp(frames, { join: { animated: true } })[format]().toFile(path);
    assert.equal((await sharp(path).metadata()).pages, 3, 'fixture is animated');
    const decoded = await decodeImage(path, LIMIT);
    assert.equal(decoded.rgb.width, 24);
    assert.equal(decoded.rgb.height, 16);
    assert.ok(maxDiff(decoded.rgb.data.subarray(0, 3), [255, 0, 0]) < 8, `${format}: first frame is red`);
  }
});

test('an embedded RGB profile is converted to sRGB, at 8 and 16 bits', async (t) => {
  const dir = tempDir(t);
  const iccPath = join(dir, 'adobe.icc');
  writeFileSync(iccPath, adobeLikeProfile());
  const image = photoLike(32, 24, { seed: 5 });
  const tagged8 = join(dir, 'adobe8.png');
  await rasterSharp(image).withIccProfile(iccPath).png().toFile(tagged8);
  const device = await sharp(tagged8, { ignoreIcc: true }).raw().toBuffer();
  assert.ok(maxDiff(device, image.data) > 10, 'fixture stores Adobe-like values, not sRGB');

  const d8 = await decodeImage(tagged8, LIMIT);
  assert.ok(maxDiff(d8.rgb.data, image.data) <= 3, 'back to the sRGB values');
  assert.deepEqual(Buffer.from(d8.metadata.icc ?? []), readFileSync(iccPath), 'profile kept in metadata');

  // The same device values at 16 bits (exactly x257), tagged with the same profile.
  const tagged16 = join(dir, 'adobe16.png');
  const device16 = Uint16Array.from(device, (v) => v * 257);
  const png16 = await sharp(device16, { raw: { width: 32, height: 24, channels: 3 } }).toColourspace('rgb16').png().toBuffer();
  writeFileSync(tagged16, insertPngIccProfile(png16, adobeLikeProfile()));
  const d16 = await decodeImage(tagged16, LIMIT);
  assert.equal(d16.rgb.bitDepth, 16);
  const scaled = Array.from(d16.rgb.data, (v) => v / 257);
  assert.ok(maxDiff(scaled, d8.rgb.data) <= 2, `16-bit matches 8-bit decoding (off by ${maxDiff(scaled, d8.rgb.data)})`);
});

test('metadata is kept: EXIF, XMP, density, format', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'camera.jpg');
  const xmp = '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></x:xmpmeta>';
  await rasterSharp(photoLike(32, 24))
    .jpeg()
    .withExif({ IFD0: { Make: 'Canon', Model: 'AE-1 scan', DateTime: '1979:01:02 03:04:05' } })
    .withXmp(xmp)
    .withDensity(300)
    .toFile(path);
  const decoded = await decodeImage(path, LIMIT);
  const { metadata } = decoded;
  assert.equal(metadata.format, 'jpeg');
  assert.equal(metadata.orientation, 1);
  assert.equal(metadata.density, 300);
  assert.equal(metadata.space, 'srgb');
  assert.ok(Buffer.from(metadata.exif ?? []).includes('AE-1 scan'));
  assert.ok(Buffer.from(metadata.xmp ?? []).toString('utf8').includes('xmpmeta'));
  assert.equal(decoded.highBitDepth, false);
  assert.equal(decoded.grey, false);
});

test('a cancelled signal stops decoding', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'ok.png');
  await rasterSharp(photoLike(16, 16)).png().toFile(path);
  const controller = new AbortController();
  controller.abort();
  await rejectsWith(decodeImage(path, { ...LIMIT, signal: controller.signal }), 'CANCELLED');
});
