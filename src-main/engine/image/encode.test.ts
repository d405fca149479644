import assert from 'node:assert/strict';
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { EngineError } from '../common/errors';
import { decodeImage } from './decode';
import { formatFromPath, writeImage } from './encode';
import { createExif, parseExif, setIfd0Tags, TAGS } from './exif-patch';
import type { TagValue } from './exif-patch';
import { joinAlpha, to8Bit } from './raster';
import { adobeLikeProfile, greyProfile, maxDiff, meanDiff, photoLike, rejectsWith, tempDir } from './test-fixtures';
import type { EncodeOptions, OutputFormat, RasterImage, SourceMetadata } from './types';

const SOFTWARE = 'PURE Studio 0.1.0 (test)';

function options(format: OutputFormat, extra: Partial<EncodeOptions> = {}): EncodeOptions {
  return { format, overwrite: false, protectedPaths: [], software: SOFTWARE, ...extra };
}


async function readRaw(path: string, deep: boolean, space?: string): Promise<Uint8Array | Uint16Array> {
  const pipeline = sharp(path, { ignoreIcc: true });
  if (space) pipeline.toColourspace(space);
  const data = await pipeline.raw({ depth: deep ? 'ushort' : 'uchar' }).toBuffer();
  return deep ? new Uint16Array(data.buffer, data.byteOffset, data.length / 2) : new Uint8Array(data);
}


const leftovers = (dir: string): string[] => readdirSync(dir).filter((n) => n.endsWith('.tmp'));

test('formatFromPath maps extensions and lists the supported ones otherwise', () => {
  assert.equal(formatFromPath('a.png'), 'png');
  assert.equal(formatFromPath('/x/b.JPG'), 'jpeg');
  assert.equal(formatFromPath('c.jpeg'), 'jpeg');
  assert.equal(formatFromPath('d.webp'), 'webp');
  assert.equal(formatFromPath('e.tif'), 'tiff');
  assert.equal(formatFromPath('f.TIFF'), 'tiff');
  assert.equal(formatFromPath('g.avif'), 'avif');
  for (const bad of ['h.gif', 'i.bmp', 'noext']) {
    assert.throws(() => formatFromPath(bad), (e: unknown) => e instanceof EngineError && e.code === 'UNSUPPORTED_OUTPUT' && /\.png .*\.avif/.test(e.hint ?? ''));
  }
});

test('an input is never written over: by name, symlink, symlinked folder or hard link, even with overwrite', async (t) => {
  const dir = tempDir(t);
  const input = join(dir, 'in.png');
  await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } }).png().toFile(input);
  const original = readFileSync(input);
  const link = join(dir, 'link.png');
  symlinkSync(input, link);
  const hard = join(dir, 'hard.png');
  linkSync(input, hard);
  const folderLink = join(dir, 'alias');
  symlinkSync(dir, folderLink);
  const image = photoLike(8, 8);
  for (const path of [input, join(dir, 'sub', '..', 'in.png'), link, hard, join(folderLink, 'in.png')]) {
    for (const overwrite of [false, true]) {
      await rejectsWith(writeImage(path, image, options('png', { overwrite, protectedPaths: [input] })), 'OUTPUT_IS_INPUT');
    }
  }
  assert.deepEqual(readFileSync(input), original);
  // The protected path given through a symlink protects the file it names too.
  await rejectsWith(writeImage(input, image, options('png', { overwrite: true, protectedPaths: [link] })), 'OUTPUT_IS_INPUT');
  assert.deepEqual(leftovers(dir), []);
});

test('existing outputs need overwrite; missing folders and folder names are refused', async (t) => {
  const dir = tempDir(t);
  const image = photoLike(8, 8);
  const out = join(dir, 'out.png');
  writeFileSync(out, 'previous result');
  await rejectsWith(writeImage(out, image, options('png')), 'OUTPUT_EXISTS', /already exists/);
  assert.equal(readFileSync(out, 'utf8'), 'previous result');
  await writeImage(out, image, options('png', { overwrite: true }));
  assert.equal((await sharp(out).metadata()).format, 'png');

  await rejectsWith(writeImage(join(dir, 'no', 'such', 'dir', 'out.png'), image, options('png')), 'OUTPUT_UNWRITABLE', /does not exist/);
  mkdirSync(join(dir, 'taken.png'));
  await rejectsWith(writeImage(join(dir, 'taken.png'), image, options('png', { overwrite: true })), 'OUTPUT_UNWRITABLE', /folder/);
  await rejectsWith(writeImage(join(dir, 'q.jpg'), image, options('jpeg', { quality: 0 })), 'INVALID_OPTION');
  await rejectsWith(writeImage(join(dir, 'wide.webp'), photoLike(16400, 4), options('webp')), 'UNSUPPORTED_OUTPUT', /16383/);
  assert.deepEqual(leftovers(dir), []);
});

/** A signal whose every check runs `onCheck`, to act at precise points inside writeImage. */
function probeSignal(onCheck: (n: number) => boolean): AbortSignal {
  let n = 0;
  return { get aborted() { return onCheck(++n); } } as unknown as AbortSignal;
}

test('cancelling at any point leaves neither the output nor a temporary file', async (t) => {
  const dir = tempDir(t);
  const image = photoLike(64, 48);
  const out = join(dir, 'out.jpg');
  const already = new AbortController();
  already.abort();
  await rejectsWith(writeImage(out, image, options('jpeg', { signal: already.signal })), 'CANCELLED');
  assert.deepEqual(readdirSync(dir), []);

  let cancelledWithTempOnDisk = false;
  for (let k = 1; ; k++) {
    let sawTemp = false;
    const signal = probeSignal((n) => {
      if (n !== k) return false;
      sawTemp = leftovers(dir).length > 0;
      return true;
    });
    try {
      await writeImage(out, image, options('jpeg', { signal }));
      assert.ok(existsSync(out), 'a run that was not cancelled wrote the file');
      break; // k passed the last check
    } catch (error) {
      assert.ok(error instanceof EngineError && error.code === 'CANCELLED', String(error));
      assert.deepEqual(readdirSync(dir), [], `cancel at check ${k} left files`);
      cancelledWithTempOnDisk ||= sawTemp;
    }
    assert.ok(k < 50, 'writeImage checks the signal a bounded number of times');
  }
  assert.ok(cancelledWithTempOnDisk, 'at least one cancel happened while the temporary file existed');
});

test('a failure after the temporary file was written removes it and leaves the other file alone', async (t) => {
  const dir = tempDir(t);
  const out = join(dir, 'out.png');
  // Another program creates the output while we are writing: without overwrite it must survive.
  const signal = probeSignal(() => {
    if (leftovers(dir).length > 0 && !existsSync(out)) writeFileSync(out, 'written by someone else');
    return false;
  });
  await rejectsWith(writeImage(out, photoLike(32, 32), options('png', { signal })), 'OUTPUT_EXISTS');
  assert.equal(readFileSync(out, 'utf8'), 'written by someone else');
  assert.deepEqual(leftovers(dir), []);
});

test('16-bit is kept in PNG and TIFF and reduced to 8 bits for JPEG, WebP and AVIF', async (t) => {
  const dir = tempDir(t);
  const deep = photoLike(40, 30, { bitDepth: 16, seed: 2 });
  for (const format of ['png', 'tiff'] as const) {
    const path = join(dir, `deep.${format}`);
    await writeImage(path, deep, options(format));
    assert.equal((await sharp(path).metadata()).depth, 'ushort');
    assert.equal(maxDiff(await readRaw(path, true, 'rgb16'), deep.data), 0, format);
  }
  const eight = to8Bit(deep);
  for (const format of ['jpeg', 'webp', 'avif'] as const) {
    const path = join(dir, `deep.${format}`);
    await writeImage(path, deep, options(format, { quality: 100 }));
    assert.equal((await sharp(path).metadata()).depth, 'uchar');
    const error = meanDiff(await readRaw(path, false), eight.data);
    // Lossy codecs subsample chroma; on this grainy fixture a mean error of a few levels is normal.
    assert.ok(error < 8, `${format}: mean error ${error}`);
  }
});

test('grey and RGBA are written as such; alpha re-attached survives', async (t) => {
  const dir = tempDir(t);
  for (const bitDepth of [8, 16] as const) {
    const grey = photoLike(24, 16, { channels: 1, bitDepth });
    const path = join(dir, `grey${bitDepth}.png`);
    await writeImage(path, grey, options('png'));
    const meta = await sharp(path).metadata();
    assert.equal(meta.channels, 1);
    assert.equal(maxDiff(await readRaw(path, bitDepth === 16, bitDepth === 16 ? 'grey16' : 'b-w'), grey.data), 0);
  }
  const rgba = photoLike(24, 16, { channels: 4 });
  const source = join(dir, 'source.png');
  await writeImage(source, rgba, options('png'));
  const decoded = await decodeImage(source, { maxPixels: 1e8 });
  assert.ok(decoded.alpha);
  const rejoined = join(dir, 'rejoined.png');
  await writeImage(rejoined, joinAlpha(decoded.rgb, decoded.alpha), options('png'));
  assert.equal(maxDiff(await readRaw(rejoined, false), rgba.data), 0);
  for (const format of ['webp', 'tiff', 'avif'] as const) {
    const path = join(dir, `alpha.${format}`);
    await writeImage(path, rgba, options(format));
    assert.equal((await sharp(path).metadata()).hasAlpha, true, format);
  }
});

const XMP = '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:tiff="http://ns.adobe.com/tiff/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/" tiff:Orientation="6" dc:format="test-marker"/></rdf:RDF></x:xmpmeta>';

/** A camera JPEG: EXIF (Make, Model, DateTime, Orientation 6), XMP, Display P3, 300 ppi. */
async function cameraSource(dir: string): Promise<{ path: string; pixels: RasterImage; metadata: SourceMetadata }> {
  const path = join(dir, 'camera.jpg');
  await sharp(photoLike(60, 40).data, { raw: { width: 60, height: 40, channels: 3 } })
    .withIccProfile('p3')
    .withExif({ IFD0: { Make: 'Pentax', Model: 'K1000 scan', DateTime: '1976:05:04 03:02:01' } })
    .withXmp(XMP)
    .withDensity(300)
    .withMetadata({ orientation: 6 })
    .jpeg({ quality: 95 })
    .toFile(path);
  const decoded = await decodeImage(path, { maxPixels: 1e8 });
  assert.equal(decoded.metadata.orientation, 6, 'fixture has orientation 6');
  return { path, pixels: decoded.rgb, metadata: decoded.metadata };
}

test('JPEG, PNG and WebP keep the EXIF (orientation reset, Software set), XMP, ICC and density', async (t) => {
  const dir = tempDir(t);
  const source = await cameraSource(dir);
  for (const format of ['jpeg', 'png', 'webp'] as const) {
    const path = join(dir, `out.${format}`);
    await writeImage(path, source.pixels, options(format, { metadata: source.metadata, protectedPaths: [source.path] }));
    const meta = await sharp(path).metadata();
    const exif = parseExif(meta.exif);
    assert.equal(exif?.make, 'Pentax', format);
    assert.equal(exif?.model, 'K1000 scan', format);
    assert.equal(exif?.dateTime, '1976:05:04 03:02:01', format);
    assert.equal(exif?.orientation, 1, format);
    assert.equal(exif?.software, SOFTWARE, format);
    assert.equal(meta.orientation, 1, `${format}: sharp agrees on the orientation`);
    const xmp = Buffer.from(meta.xmp ?? []).toString('utf8');
    assert.match(xmp, /test-marker/, format);
    assert.match(xmp, /tiff:Orientation="1"/, `${format}: XMP orientation reset too`);
    assert.deepEqual(Buffer.from(meta.icc ?? []), Buffer.from(source.metadata.icc ?? [1]), `${format}: P3 profile embedded`);
    if (format !== 'webp') assert.equal(meta.density, 300, format);
    // Written in P3, read back as sRGB: the pixels the engine produced.
    const back = await decodeImage(path, { maxPixels: 1e8 });
    const tolerance = format === 'png' ? 2 : 40;
    assert.ok(maxDiff(back.rgb.data, source.pixels.data) <= tolerance, `${format}: off by ${maxDiff(back.rgb.data, source.pixels.data)}`);
  }
});

test('TIFF and AVIF keep Make, Model, DateTime and Software, XMP and ICC', async (t) => {
  const dir = tempDir(t);
  const source = await cameraSource(dir);
  for (const format of ['tiff', 'avif'] as const) {
    const path = join(dir, `out.${format}`);
    await writeImage(path, source.pixels, options(format, { metadata: source.metadata }));
    const meta = await sharp(path).metadata();
    // sharp does not expose a TIFF's own tags as EXIF; the file is itself a TIFF block.
    const exif = parseExif(format === 'tiff' ? readFileSync(path) : meta.exif);
    assert.equal(exif?.make, 'Pentax', format);
    assert.equal(exif?.model, 'K1000 scan', format);
    assert.equal(exif?.dateTime, '1976:05:04 03:02:01', format);
    assert.equal(exif?.software, SOFTWARE, format);
    assert.match(Buffer.from(meta.xmp ?? []).toString('utf8'), /test-marker/, format);
    assert.deepEqual(Buffer.from(meta.icc ?? []), Buffer.from(source.metadata.icc ?? [1]), format);
    const back = await decodeImage(path, { maxPixels: 1e8 });
    assert.equal(exif?.orientation ?? 1, 1, `${format}: pixels are upright`);
    assert.equal(back.rgb.width, source.pixels.width, `${format} still decodes after the IFD0 edit`);
    const tolerance = format === 'tiff' ? 2 : 60;
    assert.ok(maxDiff(back.rgb.data, source.pixels.data) <= tolerance, `${format}: off by ${maxDiff(back.rgb.data, source.pixels.data)}`);
  }
});

test('16-bit output into an RGB source profile converts from sRGB, not from P3', async (t) => {
  const dir = tempDir(t);
  const deep = photoLike(32, 24, { bitDepth: 16, seed: 4 });
  const path = join(dir, 'adobe16.png');
  await writeImage(path, deep, options('png', { metadata: { format: 'png', orientation: 1, icc: adobeLikeProfile() } }));
  const meta = await sharp(path).metadata();
  assert.equal(meta.depth, 'ushort');
  assert.deepEqual(Buffer.from(meta.icc ?? []), adobeLikeProfile());
  const back = await decodeImage(path, { maxPixels: 1e8 });
  assert.ok(maxDiff(back.rgb.data, deep.data) <= 3 * 257, `off by ${maxDiff(back.rgb.data, deep.data) / 257} in 8-bit steps`);
});

test('a grey source profile is not applied to RGB output; no metadata still gets Orientation and Software', async (t) => {
  const dir = tempDir(t);
  const image = photoLike(16, 16);
  const path = join(dir, 'out.png');
  await writeImage(path, image, options('png', { metadata: { format: 'jpeg', orientation: 1, icc: greyProfile() } }));
  const meta = await sharp(path).metadata();
  assert.notDeepEqual(Buffer.from(meta.icc ?? []), greyProfile());
  assert.equal(maxDiff(await readRaw(path, false), image.data), 0);

  const bare = join(dir, 'bare.jpg');
  await writeImage(bare, image, options('jpeg'));
  assert.deepEqual(parseExif((await sharp(bare).metadata()).exif), { littleEndian: true, orientation: 1, software: SOFTWARE });
});

test('an EXIF block too big for a JPEG segment keeps the essentials', async (t) => {
  const dir = tempDir(t);
  const base = createExif(new Map<number, TagValue>([[TAGS.Make, { type: 'ascii', value: 'Leica' }]]));
  const huge = setIfd0Tags(base, new Map<number, TagValue>([[TAGS.ImageDescription, { type: 'ascii', value: 'x'.repeat(70_000) }]]));
  assert.ok(huge && huge.length > 70_000);
  const path = join(dir, 'out.jpg');
  await writeImage(path, photoLike(16, 16), options('jpeg', { metadata: { format: 'png', orientation: 1, exif: huge } }));
  const exif = parseExif((await sharp(path).metadata()).exif);
  assert.equal(exif?.make, 'Leica');
  assert.equal(exif?.software, SOFTWARE);
  assert.equal(exif?.imageDescription, undefined);
});
