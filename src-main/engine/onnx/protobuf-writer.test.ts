import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProtoWriter, zigzag64 } from './protobuf-writer';

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
const encode = (f: (w: ProtoWriter) => unknown) => {
  const w = new ProtoWriter();
  f(w);
  return hex(w.finish());
};

test('varints: hand-computed bytes, both number and bigint paths', () => {
  const cases: [number, string][] = [
    [0, '00'],
    [1, '01'],
    [127, '7f'],
    [128, '80 01'],
    [300, 'ac 02'], // 300 = 0b10_0101100 -> 1_0101100, 0_0000010
    [16384, '80 80 01'],
    [2 ** 32, '80 80 80 80 10'], // the high half matters
    [2 ** 35, '80 80 80 80 80 01'],
    [Number.MAX_SAFE_INTEGER, 'ff ff ff ff ff ff ff 0f'],
  ];
  for (const [value, bytes] of cases) {
    assert.equal(encode((w) => w.rawVarint(value)), bytes, `varint ${value}`);
    assert.equal(encode((w) => w.rawVarint(BigInt(value))), bytes, `varint ${value}n`);
  }
  assert.equal(encode((w) => w.rawVarint(2n ** 64n - 1n)), 'ff ff ff ff ff ff ff ff ff 01');
  assert.throws(() => new ProtoWriter().rawVarint(-1), RangeError);
  assert.throws(() => new ProtoWriter().rawVarint(0.5), RangeError);
});

test('int64: negative values are sign-extended to ten bytes', () => {
  assert.equal(encode((w) => w.rawInt64(-1)), 'ff ff ff ff ff ff ff ff ff 01');
  assert.equal(encode((w) => w.rawInt64(-2n)), 'fe ff ff ff ff ff ff ff ff 01');
  assert.equal(encode((w) => w.rawInt64(5)), '05');
});

test('zigzag maps 0, -1, 1, -2, 2 ... to 0, 1, 2, 3, 4 ...', () => {
  const cases: [bigint, bigint][] = [
    [0n, 0n],
    [-1n, 1n],
    [1n, 2n],
    [-2n, 3n],
    [2147483647n, 4294967294n],
    [-2147483648n, 4294967295n],
    [-(2n ** 63n), 2n ** 64n - 1n],
  ];
  for (const [value, expected] of cases) assert.equal(zigzag64(value), expected, `zigzag ${value}`);
  assert.equal(encode((w) => w.sint64(1, -1)), '08 01');
  assert.equal(encode((w) => w.sint64(1, -64)), '08 7f');
  assert.equal(encode((w) => w.sint64(1, 64)), '08 80 01');
});

test('keys combine field number and wire type', () => {
  assert.equal(encode((w) => w.uint(1, 150)), '08 96 01'); // the protobuf docs' example
  assert.equal(encode((w) => w.uint(20, 2)), 'a0 01 02'); // field 20 needs a two-byte key
  assert.equal(encode((w) => w.int64(16, 1)), '80 01 01');
  assert.throws(() => new ProtoWriter().uint(0, 1), RangeError);
});

test('fixed-width values are little-endian', () => {
  assert.equal(encode((w) => w.fixed32(1, 0x01020304)), '0d 04 03 02 01');
  assert.equal(encode((w) => w.fixed64(1, 0x0102030405060708n)), '09 08 07 06 05 04 03 02 01');
  assert.equal(encode((w) => w.float(2, 1)), '15 00 00 80 3f');
  assert.equal(encode((w) => w.float(2, -2.5)), '15 00 00 20 c0');
  assert.equal(encode((w) => w.double(1, 1)), '09 00 00 00 00 00 00 f0 3f');
});

test('length-delimited: strings, bytes and nested messages', () => {
  assert.equal(encode((w) => w.string(2, 'testing')), '12 07 74 65 73 74 69 6e 67');
  assert.equal(encode((w) => w.string(1, 'é')), '0a 02 c3 a9'); // UTF-8 length, not UTF-16
  assert.equal(encode((w) => w.string(1, '')), '0a 00');
  assert.equal(encode((w) => w.bytes(4, new Uint8Array([1, 2, 3]))), '22 03 01 02 03');
  const inner = new ProtoWriter().uint(1, 150);
  assert.equal(encode((w) => w.message(3, inner)), '1a 03 08 96 01');
  // two levels deep, with something after the nested message
  const middle = new ProtoWriter().message(1, new ProtoWriter().uint(1, 1)).uint(2, 2);
  assert.equal(encode((w) => w.message(5, middle)), '2a 06 0a 02 08 01 10 02');
});

test('packed repeated fields', () => {
  assert.equal(encode((w) => w.packedInt64(4, [3, 270, 86942])), '22 06 03 8e 02 9e a7 05');
  assert.equal(encode((w) => w.packedInt64(1, [-1])), '0a 0a ff ff ff ff ff ff ff ff ff 01');
  assert.equal(encode((w) => w.packedFloat(7, [1, -2.5])), '3a 08 00 00 80 3f 00 00 20 c0');
  assert.equal(encode((w) => w.packedDouble(1, [1])), '0a 08 00 00 00 00 00 00 f0 3f');
  assert.equal(encode((w) => w.packedInt64(8, [])), '42 00');
});

test('large payloads and many small writes survive chunking intact', () => {
  const big = Uint8Array.from({ length: 5000 }, (_, i) => (i * 7) & 0xff);
  const w = new ProtoWriter();
  for (let i = 0; i < 600; i++) w.uint(1, i); // overflows the 1 KiB scratch buffer several times
  w.bytes(2, big);
  w.uint(3, 7);
  const out = w.finish();
  assert.equal(out.length, w.length);
  // field 3 closes the message; the payload sits just before it, after its key and length
  assert.equal(hex(out.subarray(out.length - 2)), '18 07');
  assert.deepEqual(out.subarray(out.length - 2 - big.length, out.length - 2), big);
  assert.equal(hex(out.subarray(out.length - 2 - big.length - 3, out.length - 2 - big.length)), '12 88 27'); // 5000
});
