import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../testing/fixtures';
import { DTYPE_SIZE } from './dtype';
import type { DType } from './dtype';
import { openCheckpoint } from './open-checkpoint';
import { openSafetensors, readSafetensorsHeader } from './safetensors';
import { encodeSafetensorsHeader, writeSafetensors, writeShardedSafetensors } from './safetensors-writer';
import type { TensorToWrite } from './safetensors-writer';
import { readFloat16, readFloat32 } from './tensor-reader';

const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
const pattern = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 131 + seed * 17) & 0xff);

/** Builds a file by hand: 8-byte length, header JSON (unpadded), then `data`. */
function rawFile(dir: string, header: unknown, data: Uint8Array, lengthOverride?: bigint): string {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.byteLength + data.byteLength);
  new DataView(out.buffer).setBigUint64(0, lengthOverride ?? BigInt(json.byteLength), true);
  out.set(json, 8);
  out.set(data, 8 + json.byteLength);
  const file = join(dir, `raw-${Math.random().toString(36).slice(2)}.safetensors`);
  writeFileSync(file, out);
  return file;
}

test('the writer produces the reference implementation\'s exact bytes (safetensors tensor.rs test vectors)', () => {
  const header = encodeSafetensorsHeader([{ name: 'attn.0', dtype: 'F32', shape: [1, 2, 3] }]);
  const expected = [
    64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100, 116, 121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115,
    104, 97, 112, 101, 34, 58, 91, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115, 101, 116, 115, 34, 58, 91, 48, 44,
    50, 52, 93, 125, 125,
  ];
  assert.deepEqual([...header], expected);
  assert.deepEqual([...encodeSafetensorsHeader([])], [8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]);
  const withMeta = encodeSafetensorsHeader([], { framework: 'pt' });
  assert.equal(new TextDecoder().decode(withMeta.subarray(8)), '{"__metadata__":{"framework":"pt"}}     ');
});

test('round trip of every dtype through a file, reading one tensor at a time and byte ranges of it', async () => {
  const dir = tempDir();
  const dtypes: DType[] = ['F32', 'F16', 'BF16', 'F64', 'I64', 'I32', 'U8', 'BOOL'];
  const tensors: TensorToWrite[] = dtypes.map((dtype, i) => ({
    name: `t.${dtype}`,
    dtype,
    shape: [3, i + 1],
    data: pattern(3 * (i + 1) * DTYPE_SIZE[dtype], i),
  }));
  tensors.push({ name: 'lazy', dtype: 'F32', shape: [2], data: () => bytesOf(Float32Array.of(0.5, -4)) });
  tensors.push({ name: 'empty', dtype: 'F32', shape: [0, 4], data: new Uint8Array(0) });
  const file = join(dir, 'all.safetensors');
  await writeSafetensors(file, tensors, { format: 'pt' });
  const reader = await openSafetensors(file);
  try {
    assert.deepEqual(reader.metadata, { format: 'pt' });
    assert.deepEqual([...reader.tensors.keys()].sort(), tensors.map((t) => t.name).sort());
    for (const t of tensors.slice(0, dtypes.length)) {
      assert.deepEqual(reader.tensors.get(t.name)?.shape, t.shape);
      assert.deepEqual(await reader.readBytes(t.name), t.data);
    }
    assert.deepEqual(await readFloat32(reader, 'lazy'), Float32Array.of(0.5, -4));
    assert.deepEqual(await readFloat16(reader, 'lazy'), Uint16Array.of(0x3800, 0xc400));
    assert.deepEqual(await reader.readBytes('t.F64', { start: 8, end: 24 }), (tensors[3].data as Uint8Array).subarray(8, 24));
    assert.equal((await reader.readBytes('empty')).byteLength, 0);
    await assert.rejects(reader.readBytes('t.F64', { start: 8, end: 1000 }), { code: 'INTERNAL' });
    await assert.rejects(reader.readBytes('nope'), { code: 'MODEL_FORMAT' });
  } finally {
    await reader.close();
  }
});

test('a sharded checkpoint is read through its index, from the folder or the index file', async () => {
  const dir = tempDir();
  const a: TensorToWrite = { name: 'model.a', dtype: 'BF16', shape: [2, 2], data: pattern(8, 1) };
  const b: TensorToWrite = { name: 'model.b', dtype: 'F32', shape: [3], data: bytesOf(Float32Array.of(1, 2, 3)) };
  const c: TensorToWrite = { name: 'lm_head.weight', dtype: 'F16', shape: [1], data: bytesOf(Uint16Array.of(0x3c00)) };
  const names = await writeShardedSafetensors(dir, [[a, b], [c]]);
  assert.deepEqual(names, ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors']);
  const index = JSON.parse(readFileSync(join(dir, 'model.safetensors.index.json'), 'utf8')) as { metadata: { total_size: number }; weight_map: object };
  assert.deepEqual(index, { metadata: { total_size: 8 + 12 + 2 }, weight_map: { 'model.a': names[0], 'model.b': names[0], 'lm_head.weight': names[1] } });
  for (const path of [dir, join(dir, 'model.safetensors.index.json')]) {
    const reader = await openCheckpoint(path);
    try {
      assert.deepEqual([...reader.tensors.keys()].sort(), ['lm_head.weight', 'model.a', 'model.b']);
      assert.deepEqual(await readFloat32(reader, 'lm_head.weight'), Float32Array.of(1));
      assert.deepEqual(await readFloat32(reader, 'model.b'), Float32Array.of(1, 2, 3));
    } finally {
      await reader.close();
    }
  }
});

test('damaged files are refused with MODEL_FORMAT and a message that says what is wrong', async () => {
  const dir = tempDir();
  const ok = { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } };
  const eight = new Uint8Array(8);
  const cases: [string, () => string, RegExp][] = [
    ['too small', () => (writeFileSync(join(dir, 'small'), new Uint8Array(5)), join(dir, 'small')), /only 5 bytes/],
    ['header over 100 MB', () => rawFile(dir, ok, eight, 200_000_000n), /100 MB limit/],
    ['header past the end', () => rawFile(dir, ok, eight, 5000n), /runs past the end/],
    ['not JSON', () => rawFile(dir, ok, eight, 10n), /not valid UTF-8 JSON/],
    ['unknown dtype', () => rawFile(dir, { a: { dtype: 'F8_E9M9', shape: [2], data_offsets: [0, 8] } }, eight), /unknown dtype "F8_E9M9"/],
    ['size mismatch', () => rawFile(dir, { a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, eight), /needs 12 bytes/],
    ['offsets out of the file', () => rawFile(dir, { a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, eight), /past the end of the file/],
    [
      'overlapping',
      () => rawFile(dir, { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, eight),
      /overlaps/,
    ],
    ['gap', () => rawFile(dir, { a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, eight), /gap of 4 bytes/],
    ['trailing bytes', () => rawFile(dir, { a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, eight), /4 bytes follow/],
    ['negative offsets', () => rawFile(dir, { a: { dtype: 'F32', shape: [2], data_offsets: [-8, 0] } }, eight), /invalid data_offsets/],
  ];
  for (const [what, make, message] of cases) {
    await assert.rejects(readSafetensorsHeader(make()), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'MODEL_FORMAT', what);
      assert.match(e.message, message, what);
      return true;
    });
  }
  await assert.rejects(openSafetensors(join(dir, 'absent.safetensors')), { code: 'MODEL_MISSING' });
});

test('a sharded index with a missing shard, an escaping shard name or a wrong entry is refused', async () => {
  const dir = tempDir();
  const t = (name: string): TensorToWrite => ({ name, dtype: 'F32', shape: [1], data: new Uint8Array(4) });
  await writeShardedSafetensors(dir, [[t('a')], [t('b')]]);
  const indexFile = join(dir, 'model.safetensors.index.json');
  const index = readFileSync(indexFile, 'utf8');

  writeFileSync(indexFile, index.replace('"b": "model-00002-of-00002.safetensors"', '"b": "../../etc/passwd"'));
  await assert.rejects(openSafetensors(dir), { code: 'MODEL_FORMAT', message: /invalid shard name/ });
  writeFileSync(indexFile, index.replace('"b": "model-00002-of-00002.safetensors"', '"b": "model-00001-of-00002.safetensors"'));
  await assert.rejects(openSafetensors(dir), { message: /says "b" is in model-00001-of-00002.safetensors, but it is not there/ });
  writeFileSync(indexFile, index);
  rmSync(join(dir, 'model-00002-of-00002.safetensors'));
  await assert.rejects(openSafetensors(dir), { code: 'MODEL_MISSING', message: /shard model-00002-of-00002.safetensors .* is missing/ });
});

test('a file truncated after opening fails the read with MODEL_FORMAT, not garbage', async () => {
  const dir = tempDir();
  const file = join(dir, 'x.safetensors');
  await writeSafetensors(file, [{ name: 'a', dtype: 'F32', shape: [1024], data: new Uint8Array(4096) }]);
  const reader = await openSafetensors(file);
  try {
    const full = readFileSync(file);
    writeFileSync(file, full.subarray(0, full.byteLength - 100));
    await assert.rejects(reader.readBytes('a'), { code: 'MODEL_FORMAT', message: /truncated/ });
  } finally {
    await reader.close();
  }
});
