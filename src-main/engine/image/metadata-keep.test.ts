// Metadata a photo library keeps (issue 13, section 1), read back with ExifTool: an independent
// reader (Debian's libimage-exiftool-perl; .ci/run installs it). Fixtures are written by ExifTool
// too, so nothing here checks this code against itself.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { deflateSync } from 'node:zlib';
import { decodeImage } from './decode';
import { writeImage } from './encode';
import { pngChunk } from './metadata-inject';
import { photoLike, rasterSharp, tempDir, uncompressedTiff } from './test-fixtures';
import type { EncodeOptions, OutputFormat, RasterImage } from './types';

const HAVE_EXIFTOOL = spawnSync('exiftool', ['-ver']).status === 0;
const SKIP = HAVE_EXIFTOOL ? false : 'needs exiftool (apt-get install libimage-exiftool-perl)';
const FORMATS: OutputFormat[] = ['jpeg', 'png', 'webp', 'tiff', 'avif'];
const LIMIT = { maxPixels: 40_000_000 };

type Tags = Record<string, unknown>;

function exiftool(path: string): Tags {
  return (JSON.parse(execFileSync('exiftool', ['-j', '-a', '-G1', '-n', path], { encoding: 'utf8' })) as Tags[])[0];
}

function exiftoolWrite(path: string, args: string[]): void {
  execFileSync('exiftool', ['-q', '-overwrite_original', ...args, path]);
}

function options(format: OutputFormat, extra: Partial<EncodeOptions> = {}): EncodeOptions {
  return { format, overwrite: false, protectedPaths: [], software: 'PURE Studio (test)', ...extra };
}

/** Writes `image` with the metadata decoded from `input` to out.<format> in `dir`, for each format. */
async function restoreAll(dir: string, input: string, image?: RasterImage): Promise<Map<OutputFormat, Tags>> {
  const decoded = await decodeImage(input, LIMIT);
  const out = new Map<OutputFormat, Tags>();
  for (const format of FORMATS) {
    const path = join(dir, `out-${input.split('/').pop()}.${format}`);
    await writeImage(path, image ?? decoded.rgb, options(format, { metadata: decoded.metadata }));
    out.set(format, exiftool(path));
  }
  return out;
}

const RICH_EXIF = [
  '-Make=Canon', '-Model=EOS 5D', '-DateTimeOriginal=2001:02:03 04:05:06', '-CreateDate=2001:02:03 04:05:06',
  '-ExposureTime=1/125', '-FNumber=5.6', '-ISO=200', '-FocalLength=50', '-GPSLatitude=48.8', '-GPSLatitudeRef=N',
  '-GPSLongitude=2.3', '-GPSLongitudeRef=E', '-GPSAltitude=35', '-Artist=Ann', '-XResolution=300', '-YResolution=300', '-ResolutionUnit=inches',
];
const IPTC = ['-IPTC:Keywords=family', '-IPTC:Keywords=beach', '-IPTC:Caption-Abstract=Grandma at the beach', '-IPTC:By-line=Ann', '-IPTC:City=Nice', '-IPTC:ObjectName=Beach 1962'];

async function richJpeg(dir: string, width = 64, height = 48): Promise<string> {
  const path = join(dir, 'rich.jpg');
  await rasterSharp(photoLike(width, height)).jpeg().toFile(path);
  exiftoolWrite(path, [...RICH_EXIF, ...IPTC]);
  return path;
}

test('IPTC is kept in JPEG, PNG and TIFF, and as its XMP equivalents in WebP and AVIF', { skip: SKIP }, async (t) => {
  const dir = tempDir(t);
  const out = await restoreAll(dir, await richJpeg(dir));
  for (const format of ['jpeg', 'png', 'tiff'] as const) {
    const tags = out.get(format)!;
    assert.deepEqual(tags['IPTC:Keywords'], ['family', 'beach'], format);
    assert.equal(tags['IPTC:Caption-Abstract'], 'Grandma at the beach', format);
    assert.equal(tags['IPTC:By-line'], 'Ann', format);
    assert.equal(tags['IPTC:City'], 'Nice', format);
    assert.equal(tags['IPTC:ObjectName'], 'Beach 1962', format);
  }
  for (const format of ['webp', 'avif'] as const) {
    const tags = out.get(format)!;
    assert.deepEqual(tags['XMP-dc:Subject'], ['family', 'beach'], format);
    assert.equal(tags['XMP-dc:Description'], 'Grandma at the beach', format);
    assert.equal(tags['XMP-dc:Creator'], 'Ann', format);
    assert.equal(tags['XMP-photoshop:City'], 'Nice', format);
    assert.equal(tags['XMP-dc:Title'], 'Beach 1962', format);
  }
});

test('PNG text chunks (tEXt, zTXt, iTXt) stay in PNG and become XMP in the other formats', { skip: SKIP }, async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'text.png');
  const png = await rasterSharp(photoLike(64, 48)).png().toBuffer();
  const text = (type: string, data: Buffer): Uint8Array => pngChunk(type, data);
  const chunks = [
    text('tEXt', Buffer.from('Title\0Wedding', 'latin1')),
    text('tEXt', Buffer.from('Author\0Bob', 'latin1')),
    text('zTXt', Buffer.concat([Buffer.from('Description\0\0', 'latin1'), deflateSync(Buffer.from('Wedding day 1950', 'latin1'))])),
    text('tEXt', Buffer.from('Creation Time\x001950:06:01 12:00:00', 'latin1')),
    text('iTXt', Buffer.concat([Buffer.from('Comment\0\0\0\0\0', 'latin1'), Buffer.from('scanned by Bob – Łódź', 'utf8')])),
  ];
  writeFileSync(path, Buffer.concat([png.subarray(0, 33), ...chunks, png.subarray(33)])); // after IHDR
  assert.equal(exiftool(path)['PNG:Description'], 'Wedding day 1950', 'the fixture reads back');
  const out = await restoreAll(dir, path);
  const kept = out.get('png')!;
  assert.equal(kept['PNG:Title'], 'Wedding');
  assert.equal(kept['PNG:Author'], 'Bob');
  assert.equal(kept['PNG:Description'], 'Wedding day 1950');
  assert.equal(kept['PNG:CreationTime'], '1950:06:01 12:00:00');
  assert.equal(kept['PNG:Comment'], 'scanned by Bob – Łódź');
  for (const format of ['jpeg', 'webp', 'tiff', 'avif'] as const) {
    const tags = out.get(format)!;
    assert.equal(tags['XMP-dc:Title'], 'Wedding', format);
    assert.equal(tags['XMP-dc:Creator'], 'Bob', format);
    assert.equal(tags['XMP-dc:Description'], 'Wedding day 1950', format);
    assert.equal(tags['XMP-xmp:CreateDate'], '1950:06:01 12:00:00', format);
    assert.equal(tags['XMP-exif:UserComment'], 'scanned by Bob – Łódź', format);
  }
});

const CAMERA = ['ExifIFD:DateTimeOriginal', 'ExifIFD:CreateDate', 'ExifIFD:ExposureTime', 'ExifIFD:FNumber', 'ExifIFD:ISO', 'GPS:GPSLatitude', 'GPS:GPSLongitude', 'GPS:GPSAltitude', 'IFD0:Make', 'IFD0:Model', 'IFD0:Artist'];

test('TIFF and AVIF outputs keep the whole EXIF: dates, exposure, GPS', { skip: SKIP }, async (t) => {
  const dir = tempDir(t);
  const input = await richJpeg(dir);
  const source = exiftool(input);
  const out = await restoreAll(dir, input);
  for (const format of FORMATS) {
    const tags = out.get(format)!;
    for (const name of CAMERA) assert.deepEqual(tags[name], source[name], `${format}: ${name}`);
  }
});

test('a TIFF input\'s EXIF, GPS, XMP and IPTC reach every output format', { skip: SKIP }, async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'scan.tif');
  writeFileSync(path, uncompressedTiff(photoLike(64, 48)));
  exiftoolWrite(path, [...RICH_EXIF, ...IPTC, '-XMP-xmp:Rating=4']);
  const source = exiftool(path);
  assert.equal(source['GPS:GPSAltitude'], 35, 'the fixture reads back');
  const out = await restoreAll(dir, path);
  for (const format of FORMATS) {
    const tags = out.get(format)!;
    for (const name of CAMERA) assert.deepEqual(tags[name], source[name], `${format}: ${name}`);
    assert.equal(tags['XMP-xmp:Rating'], 4, format);
    assert.equal(tags[format === 'webp' || format === 'avif' ? 'XMP-photoshop:City' : 'IPTC:City'], 'Nice', format);
  }
});

test('XMP sizes and region dimensions follow the output; the density keeps the print size', { skip: SKIP }, async (t) => {
  const dir = tempDir(t);
  const input = await richJpeg(dir);
  exiftoolWrite(input, [
    '-XMP-tiff:ImageWidth=64', '-XMP-tiff:ImageHeight=48', '-XMP-exif:ExifImageWidth=64', '-XMP-exif:ExifImageHeight=48',
    '-XMP-mwg-rs:RegionAppliedToDimensionsW=64', '-XMP-mwg-rs:RegionAppliedToDimensionsH=48', '-XMP-mwg-rs:RegionAppliedToDimensionsUnit=pixel',
    '-XMP-mwg-rs:RegionName=Grandma', '-XMP-mwg-rs:RegionAreaX=0.5', '-XMP-mwg-rs:RegionAreaY=0.5', '-XMP-mwg-rs:RegionAreaW=0.2', '-XMP-mwg-rs:RegionAreaH=0.2', '-XMP-mwg-rs:RegionAreaUnit=normalized',
  ]);
  const out = await restoreAll(dir, input, photoLike(256, 192)); // a x4 restore
  for (const format of FORMATS) {
    const tags = out.get(format)!;
    assert.equal(tags['XMP-tiff:ImageWidth'], 256, format);
    assert.equal(tags['XMP-tiff:ImageHeight'], 192, format);
    assert.equal(tags['XMP-exif:ExifImageWidth'], 256, format);
    assert.equal(tags['XMP-exif:ExifImageHeight'], 192, format);
    assert.equal(tags['XMP-mwg-rs:RegionAppliedToDimensionsW'], 256, format);
    assert.equal(tags['XMP-mwg-rs:RegionAppliedToDimensionsH'], 192, format);
    assert.equal(tags['XMP-mwg-rs:RegionAreaX'], 0.5, format);
    if (format === 'png') assert.equal(tags['PNG-pHYs:PixelsPerUnitX'], Math.round(1200 / 0.0254), format);
    else assert.equal(tags['IFD0:XResolution'], 1200, format);
  }
});

test('the output gets the original\'s modification time by default, and the time of writing if asked', async (t) => {
  const dir = tempDir(t);
  const input = join(dir, 'old.png');
  await rasterSharp(photoLike(16, 16)).png().toFile(input);
  const taken = new Date('1999-12-31T23:59:58Z');
  utimesSync(input, taken, taken);
  const decoded = await decodeImage(input, LIMIT);
  for (const format of FORMATS) {
    const kept = join(dir, `kept.${format}`);
    await writeImage(kept, decoded.rgb, options(format, { metadata: decoded.metadata, keepModifiedTimeOf: input }));
    assert.equal(statSync(kept).mtimeMs, taken.getTime(), format);
  }
  const before = Date.now() - 2000;
  const fresh = join(dir, 'fresh.png');
  await writeImage(fresh, decoded.rgb, options('png', { metadata: decoded.metadata }));
  assert.ok(statSync(fresh).mtimeMs >= before);
});
