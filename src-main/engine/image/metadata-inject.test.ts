import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import type { Sharp } from 'sharp';
import { EngineError } from '../common/errors';
import { createExif, parseExif, TAGS } from './exif-patch';
import { injectJpeg, injectPng, injectWebp, insertPngIccProfile, resetXmpOrientation } from './metadata-inject';
import { adobeLikeProfile, photoLike } from './test-fixtures';

const exif = createExif(new Map([[TAGS.Make, { type: 'ascii', value: 'Minolta' }]]));
const xmp = new TextEncoder().encode('<x:xmpmeta xmlns:x="adobe:ns:meta/"><marker/></x:xmpmeta>');

function pixels(width: number, height: number, channels: 3 | 4 = 3): Sharp {
  const image = photoLike(width, height, { channels });
  return sharp(image.data, { raw: { width, height, channels } });
}

/** JPEG segments before the scan: [marker, first bytes of payload]. */
function jpegSegments(jpeg: Uint8Array): [number, string][] {
  const b = Buffer.from(jpeg);
  const out: [number, string][] = [];
  let at = 2;
  while (b[at] === 0xff && b[at + 1] !== 0xda) {
    const length = b.readUInt16BE(at + 2);
    out.push([b[at + 1], b.toString('latin1', at + 4, at + 10)]);
    at += 2 + length;
  }
  return out;
}

function pngChunks(png: Uint8Array): { type: string; crcOk: boolean }[] {
  const b = Buffer.from(png);
  const out: { type: string; crcOk: boolean }[] = [];
  for (let at = 8; at < b.length; ) {
    const length = b.readUInt32BE(at);
    out.push({ type: b.toString('latin1', at + 4, at + 8), crcOk: crc32(b.subarray(at + 4, at + 8 + length)) === b.readUInt32BE(at + 8 + length) });
    at += 12 + length;
  }
  return out;
}

function riffChunks(webp: Uint8Array): string[] {
  const b = Buffer.from(webp);
  assert.equal(b.readUInt32LE(4), b.length - 8, 'RIFF size matches the file');
  const out: string[] = [];
  for (let at = 12; at < b.length; ) {
    const size = b.readUInt32LE(at + 4);
    out.push(b.toString('latin1', at, at + 4));
    at += 8 + size + (size & 1);
  }
  return out;
}

test('JPEG: EXIF and XMP go right after SOI/APP0, replacing what the encoder wrote', async () => {
  const encoded = await pixels(32, 24).jpeg().withDensity(150).toBuffer(); // sharp writes its own EXIF for density
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, ...Buffer.from('JFIF\0', 'latin1'), 1, 1, 0, 0, 1, 0, 1, 0, 0]);
  const withJfif = Buffer.concat([encoded.subarray(0, 2), app0, encoded.subarray(2)]);
  const out = injectJpeg(withJfif, { exif, xmp });
  const segments = jpegSegments(out);
  assert.deepEqual(segments.slice(0, 3).map(([m, id]) => [m, id.slice(0, 4)]), [[0xe0, 'JFIF'], [0xe1, 'Exif'], [0xe1, 'http']]);
  assert.equal(segments.filter(([m, id]) => m === 0xe1 && id.startsWith('Exif')).length, 1, 'one EXIF segment');
  const meta = await sharp(out).metadata();
  assert.equal(parseExif(meta.exif)?.make, 'Minolta');
  assert.match(Buffer.from(meta.xmp ?? []).toString(), /<marker\/>/);
  await sharp(out, { failOn: 'warning' }).raw().toBuffer(); // still a valid JPEG
});

test('JPEG: XMP too large for one segment is left out rather than written broken', async () => {
  const encoded = await pixels(16, 16).jpeg().toBuffer();
  const out = injectJpeg(encoded, { exif, xmp: new Uint8Array(70_000).fill(0x20) });
  assert.equal(jpegSegments(out).filter(([m, id]) => m === 0xe1 && id.startsWith('http')).length, 0);
  assert.equal(parseExif((await sharp(out).metadata()).exif)?.make, 'Minolta');
});

test('PNG: eXIf and iTXt XMP before the first IDAT, valid CRCs, one eXIf', async () => {
  const encoded = await pixels(32, 24).png().withDensity(150).toBuffer(); // sharp writes eXIf + pHYs
  const out = injectPng(encoded, { exif, xmp });
  const chunks = pngChunks(out);
  assert.ok(chunks.every((c) => c.crcOk), 'every CRC is right');
  const types = chunks.map((c) => c.type);
  assert.equal(types.filter((t) => t === 'eXIf').length, 1);
  assert.ok(types.indexOf('eXIf') < types.indexOf('IDAT'));
  assert.ok(types.indexOf('iTXt') < types.indexOf('IDAT'));
  assert.ok(types.includes('pHYs'), 'other chunks are kept');
  const meta = await sharp(out).metadata();
  assert.equal(parseExif(meta.exif)?.make, 'Minolta');
  assert.match(Buffer.from(meta.xmp ?? []).toString(), /<marker\/>/);
  assert.equal(meta.density, 150);
});

test('PNG: an ICC profile is declared without touching the pixels', async () => {
  const encoded = await pixels(16, 16).png().toBuffer();
  const out = insertPngIccProfile(encoded, adobeLikeProfile());
  const types = pngChunks(out).map((c) => c.type);
  assert.equal(types[1], 'iCCP', 'iCCP right after IHDR');
  assert.deepEqual(Buffer.from((await sharp(out).metadata()).icc ?? []), adobeLikeProfile());
  assert.deepEqual(await sharp(out, { ignoreIcc: true }).raw().toBuffer(), await sharp(encoded).raw().toBuffer());
});

test('WebP: simple lossy and lossless files become extended ones with a right canvas and flags', async () => {
  const cases = [
    { name: 'lossy', input: await pixels(33, 17).webp({ quality: 80 }).toBuffer(), alpha: false },
    { name: 'lossless+alpha', input: await pixels(33, 17, 4).webp({ lossless: true }).toBuffer(), alpha: true },
    { name: 'lossy+alpha (already VP8X)', input: await pixels(33, 17, 4).webp({ quality: 80 }).toBuffer(), alpha: true },
    { name: 'with ICC (already VP8X)', input: await pixels(33, 17).webp().withIccProfile('p3').toBuffer(), alpha: false },
  ];
  for (const { name, input, alpha } of cases) {
    const out = injectWebp(input, { exif, xmp: new TextEncoder().encode('<x:xmpmeta xmlns:x="adobe:ns:meta/">odd</x:xmpmeta>') });
    const chunks = riffChunks(out);
    assert.equal(chunks[0], 'VP8X', name);
    assert.deepEqual(chunks.slice(-2), ['EXIF', 'XMP '], name);
    const flags = out[20];
    assert.equal(flags & 0x08, 0x08, `${name}: EXIF flag`);
    assert.equal(flags & 0x04, 0x04, `${name}: XMP flag`);
    assert.equal((flags & 0x10) !== 0, alpha, `${name}: alpha flag`);
    assert.equal(Buffer.from(out).readUIntLE(24, 3) + 1, 33, `${name}: canvas width`);
    assert.equal(Buffer.from(out).readUIntLE(27, 3) + 1, 17, `${name}: canvas height`);
    const meta = await sharp(out).metadata();
    assert.equal(parseExif(meta.exif)?.make, 'Minolta', name);
    assert.match(Buffer.from(meta.xmp ?? []).toString(), /odd/, name);
    const decoded = await sharp(out).raw().toBuffer({ resolveWithObject: true });
    assert.equal(decoded.info.width, 33, `${name} still decodes`);
  }
});

test('XMP orientation is reset in attribute and element form', () => {
  const decode = (b: Uint8Array): string => new TextDecoder().decode(b);
  const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
  assert.equal(decode(resetXmpOrientation(enc('<d tiff:Orientation="8" x="1"/>'))), '<d tiff:Orientation="1" x="1"/>');
  assert.equal(decode(resetXmpOrientation(enc('<tiff:Orientation>6</tiff:Orientation>'))), '<tiff:Orientation>1</tiff:Orientation>');
  const untouched = enc('<d exif:PixelXDimension="6"/>');
  assert.equal(resetXmpOrientation(untouched), untouched);
});

test('malformed encoder output is reported, not silently passed on', () => {
  const junk = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
  for (const inject of [injectJpeg, injectPng, injectWebp]) {
    assert.throws(() => inject(junk, { exif }), (e: unknown) => e instanceof EngineError && e.code === 'INTERNAL');
  }
});
