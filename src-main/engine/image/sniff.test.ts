import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ftypBrands, sniffImage } from './sniff';

const bytes = (...parts: (string | number[])[]): Uint8Array =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? Array.from(p, (c) => c.charCodeAt(0)) : p)));

/** An ISO-BMFF ftyp box with the given major and compatible brands. */
function ftyp(major: string, ...compatible: string[]): Uint8Array {
  const size = 16 + compatible.length * 4;
  return bytes([0, 0, 0, size], 'ftyp', major, [0, 0, 0, 0], ...compatible, [0, 0, 0, 8], 'meta');
}

const formatOf = (b: Uint8Array, name?: string): string => {
  const r = sniffImage(b, name);
  return r.supported ? r.format : `unsupported: ${r.label}`;
};

test('recognises the supported formats by their magic bytes', () => {
  assert.equal(formatOf(bytes([0xff, 0xd8, 0xff, 0xe0])), 'jpeg');
  assert.equal(formatOf(bytes([0x89], 'PNG', [0x0d, 0x0a, 0x1a, 0x0a])), 'png');
  assert.equal(formatOf(bytes('GIF89a')), 'gif');
  assert.equal(formatOf(bytes('RIFF', [1, 2, 3, 4], 'WEBPVP8 ')), 'webp');
  assert.equal(formatOf(bytes('II', [42, 0, 8, 0, 0, 0])), 'tiff');
  assert.equal(formatOf(bytes('MM', [0, 42, 0, 0, 0, 8])), 'tiff');
});

test('HEIF family: by ftyp brand, major first', () => {
  for (const brand of ['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'hevm', 'hevs']) assert.equal(formatOf(ftyp(brand, 'mif1')), 'heic', brand);
  assert.equal(formatOf(ftyp('mif1', 'heic')), 'heic');
  assert.equal(formatOf(ftyp('avif', 'mif1', 'miaf')), 'avif');
  assert.equal(formatOf(ftyp('mif1', 'avif')), 'avif');
  assert.equal(formatOf(ftyp('mif1', 'miaf')), 'heif', 'codec unknown from the brands');
  assert.match(formatOf(ftyp('isom', 'mp41')), /video/);
  assert.match(formatOf(ftyp('crx ', 'isom')), /CR3/);
  assert.deepEqual(ftypBrands(ftyp('heic', 'mif1', 'miaf')), ['heic', 'mif1', 'miaf']);
});

test('names what it cannot read', () => {
  assert.match(formatOf(bytes('BM', new Array(40).fill(0))), /BMP/);
  assert.match(formatOf(bytes('%PDF-1.7\n')), /PDF/);
  assert.match(formatOf(bytes('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>')), /SVG/);
  assert.match(formatOf(bytes('hello, this is text\n')), /text/);
  assert.match(formatOf(bytes([0, 1, 2, 3, 0, 0, 0, 0, 0xfe, 0x99])), /not an image/);
  assert.match(formatOf(bytes('II', [42, 0, 16, 0, 0, 0], 'CR', [2, 0])), /CR2/);
  assert.match(formatOf(bytes('II', [42, 0, 8, 0, 0, 0]), 'scan/DSC_0001.NEF'), /raw/);
  assert.match(formatOf(bytes([0xff, 0x0a, 0, 0])), /JPEG XL/);
  const r = sniffImage(bytes('plain text'));
  assert.ok(!r.supported && r.advice.length > 0);
});
