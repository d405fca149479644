import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createExif, densityRational, exifForOutput, parseExif, setIfd0Tags, stripExifPrefix, TAGS } from './exif-patch';
import type { TagValue } from './exif-patch';
import { buildExif, readExifIfd } from './test-fixtures';

/** IFD0 tags of a TIFF block, in file order, read independently of the code under test. */
function ifd0Tags(tiff: Uint8Array): number[] {
  const v = Buffer.from(tiff.buffer, tiff.byteOffset, tiff.byteLength);
  const le = v.toString('latin1', 0, 2) === 'II';
  const u16 = (at: number): number => (le ? v.readUInt16LE(at) : v.readUInt16BE(at));
  const ifd0 = le ? v.readUInt32LE(4) : v.readUInt32BE(4);
  return Array.from({ length: u16(ifd0) }, (_, i) => u16(ifd0 + 2 + i * 12));
}

const camera = [
  { tag: TAGS.Make, ascii: 'Nikon' },
  { tag: TAGS.Model, ascii: 'FM2 scan' },
  { tag: TAGS.Orientation, short: 6 },
  { tag: TAGS.DateTime, ascii: '1987:06:05 04:03:02' },
  { tag: TAGS.Software, ascii: 'Scanner 1.0' },
];

for (const littleEndian of [true, false]) {
  const order = littleEndian ? 'II' : 'MM';

  test(`parseExif reads IFD0 facts (${order})`, () => {
    const summary = parseExif(buildExif(littleEndian, camera));
    assert.deepEqual(summary, {
      littleEndian,
      orientation: 6,
      make: 'Nikon',
      model: 'FM2 scan',
      dateTime: '1987:06:05 04:03:02',
      software: 'Scanner 1.0',
    });
  });

  test(`exifForOutput resets orientation, sets Software, keeps the rest (${order})`, () => {
    const source = buildExif(littleEndian, camera, '1987:06:05 01:02:03');
    assert.notEqual(readExifIfd(source).next, 0, 'fixture links an IFD1');
    const out = exifForOutput(source, { software: 'PURE Studio 0.1.0', width: 80000, height: 300 });
    const summary = parseExif(out);
    assert.equal(summary?.littleEndian, littleEndian);
    assert.equal(summary?.orientation, 1);
    assert.equal(summary?.software, 'PURE Studio 0.1.0');
    assert.equal(summary?.make, 'Nikon');
    assert.equal(summary?.dateTime, '1987:06:05 04:03:02');
    // The Exif sub-IFD was not moved: its offset, copied into the new IFD0, still leads to it.
    const exifIfd = readExifIfd(out);
    assert.equal(exifIfd.entries.get(0x9003)?.value, '1987:06:05 01:02:03');
    // The pixel size is the output's: a SHORT too small for 80000 becomes a LONG, in place.
    assert.deepEqual(exifIfd.entries.get(0xa002), { type: 4, value: 80000 });
    assert.deepEqual(exifIfd.entries.get(0xa003), { type: 3, value: 300 });
    assert.equal(exifIfd.next, 0, 'the stale thumbnail (IFD1) is unlinked');
    const tags = ifd0Tags(out);
    assert.deepEqual(tags, [...tags].sort((a, b) => a - b), 'IFD0 tags must be ascending');
    assert.equal(tags.filter((t) => t === TAGS.Software).length, 1, 'Software replaced, not duplicated');
    // Only appended: the old bytes are all still there, except the header's IFD0 pointer and the
    // entries edited in place (orientation, pixel size).
    assert.ok(out.length > source.length);
    const entryAt = (tag: number): number => Buffer.from(source).indexOf(Buffer.from(littleEndian ? [tag & 0xff, tag >> 8, 3, 0] : [tag >> 8, tag & 0xff, 0, 3]));
    const oldOrientationAt = entryAt(TAGS.Orientation);
    const edited = [[4, 8], [oldOrientationAt + 8, oldOrientationAt + 12], [entryAt(0xa002), entryAt(0xa002) + 12], [entryAt(0xa003) + 8, entryAt(0xa003) + 12]];
    for (let i = 0; i < source.length; i++) {
      if (edited.some(([from, to]) => i >= from && i < to)) continue;
      assert.equal(out[i], source[i], `byte ${i} changed`);
    }
    const oldValue = littleEndian ? out[oldOrientationAt + 8] : out[oldOrientationAt + 9];
    assert.equal(oldValue, 1, 'orientation also reset in the old IFD0');
    assert.equal(source[littleEndian ? oldOrientationAt + 8 : oldOrientationAt + 9], 6, 'the source is not modified');
  });
}

test('exifForOutput accepts the "Exif\\0\\0" prefix sharp and JPEG use, and returns a bare TIFF block', () => {
  const bare = buildExif(true, camera);
  const prefixed = new Uint8Array([...Buffer.from('Exif\0\0', 'latin1'), ...bare]);
  assert.deepEqual(stripExifPrefix(prefixed), bare);
  const out = exifForOutput(prefixed, { software: 'X' });
  assert.equal(Buffer.from(out.subarray(0, 2)).toString('latin1'), 'II');
  assert.equal(parseExif(out)?.make, 'Nikon');
});

test('without a source EXIF, a minimal block holds Orientation 1 and Software', () => {
  for (const source of [undefined, new Uint8Array(0), Buffer.from('not a tiff block at all')]) {
    const out = exifForOutput(source, { software: 'PURE Studio' });
    assert.deepEqual(parseExif(out), { littleEndian: true, orientation: 1, software: 'PURE Studio' });
  }
});

test('a damaged IFD0 (entries past the end) is not trusted', () => {
  const block = buildExif(false, camera);
  const cut = block.slice(0, 40); // IFD0 declares 5 entries, 60 bytes; only 30 remain
  assert.equal(parseExif(cut), undefined);
  assert.equal(setIfd0Tags(cut, new Map()), undefined);
  assert.equal(parseExif(exifForOutput(cut, { software: 'S' }))?.orientation, 1);
});

test('short ASCII values live inside the entry; long ones after the new IFD', () => {
  const tags = new Map<number, TagValue>([
    [TAGS.Software, { type: 'ascii', value: 'abc' }], // 4 bytes with NUL: inline
    [TAGS.Artist, { type: 'ascii', value: 'A photographer with a long name' }],
    [TAGS.XResolution, { type: 'rational', value: densityRational(300) }],
  ]);
  const out = createExif(tags);
  const summary = parseExif(out);
  assert.equal(summary?.software, 'abc');
  assert.equal(summary?.artist, 'A photographer with a long name');
  assert.deepEqual(ifd0Tags(out), [TAGS.XResolution, TAGS.Software, TAGS.Artist]);
});

test('UTF-8 text survives a round trip', () => {
  const out = createExif(new Map<number, TagValue>([[TAGS.Artist, { type: 'ascii', value: 'Zoë Čapek' }]]));
  assert.equal(parseExif(out)?.artist, 'Zoë Čapek');
});

test('densityRational keeps integers exact and fractions to a thousandth', () => {
  assert.deepEqual(densityRational(300), [300, 1]);
  assert.deepEqual(densityRational(72.5), [72500, 1000]);
});
