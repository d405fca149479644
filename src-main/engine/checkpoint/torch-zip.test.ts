import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { tempDir } from '../../testing/fixtures';
import { writeTorchStateDict } from '../pure/fixtures/torch-save';
import { openCheckpoint } from './open-checkpoint';
import { readFloat32 } from './tensor-reader';
import { hasPythonTorch, runPython } from './test-python';
import { PyObject } from './torch-pickle';
import { openTorchCheckpoint } from './torch-zip';
import { ZipReader } from './zip-reader';

const noTorch = !hasPythonTorch() && 'python3-torch not installed';

// Saves a state dict with everything a real checkpoint may hold, and dumps the expected values.
const SAVE = `
import argparse, collections, json, sys, torch
out = sys.argv[1]
g = torch.Generator().manual_seed(0)
base = torch.randn(4, 6, generator=g)
sd = collections.OrderedDict()
sd['f32'] = torch.randn(3, 4, generator=g)
sd['f16'] = torch.randn(5, generator=g).half()
sd['bf16'] = torch.randn(2, 3, generator=g).bfloat16()
sd['i64'] = torch.arange(-3, 3).reshape(2, 3)
sd['base'] = base
sd['transposed'] = base.t()            # non-contiguous view of base's storage
sd['slice'] = base[1:3, 2:5]           # storage offset + row stride 6
sd['scalar'] = torch.tensor(3.5)
sd['param'] = torch.nn.Parameter(torch.randn(2, 2, generator=g))
sd['expanded'] = torch.randn(3, 1, generator=g).expand(3, 4)   # stride 0
torch.save({'model': sd, 'steps': 7, 'args': argparse.Namespace(lr=0.25)}, out + '/ckpt.pt')
torch.save(sd, out + '/bare.pt')
expected = {k: {'dtype': str(v.dtype), 'shape': list(v.shape), 'values': v.detach().double().flatten().tolist()} for k, v in sd.items()}
json.dump(expected, open(out + '/expected.json', 'w'))
`;

const DTYPES: Record<string, string> = { 'torch.float32': 'F32', 'torch.float16': 'F16', 'torch.bfloat16': 'BF16', 'torch.int64': 'I64' };

test('reads a real torch.save checkpoint exactly: dtypes, views, shared storage, Parameter, nested under "model"', { skip: noTorch }, async () => {
  const dir = tempDir();
  runPython(SAVE, [dir]);
  const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Record<string, { dtype: string; shape: number[]; values: number[] }>;
  for (const [file, options] of [['ckpt.pt', {}], ['bare.pt', { stateDictKey: null }]] as const) {
    const ckpt = await openTorchCheckpoint(join(dir, file), options);
    try {
      assert.deepEqual([...ckpt.tensors.keys()], Object.keys(expected), file);
      for (const [name, want] of Object.entries(expected)) {
        const entry = ckpt.tensors.get(name)!;
        assert.equal(entry.dtype, DTYPES[want.dtype], name);
        assert.deepEqual(entry.shape, want.shape, name);
        assert.deepEqual([...(await readFloat32(ckpt, name))], want.values, `${file} ${name}`);
      }
      const views = ['base', 'transposed', 'slice'].map((n) => ckpt.tensors.get(n)!);
      assert.equal(new Set(views.map((v) => v.storageKey)).size, 1, 'views share one storage');
      assert.deepEqual(views.map((v) => v.contiguous), [true, false, false]);
      assert.equal(views[2].storageOffset, 8);
    } finally {
      await ckpt.close();
    }
  }
  const ckpt = await openTorchCheckpoint(join(dir, 'ckpt.pt'));
  const root = ckpt.root as Map<string, unknown>;
  assert.equal(root.get('steps'), 7);
  assert.equal((root.get('args') as PyObject).attributes.get('lr'), 0.25);
  await ckpt.close();
});

test('a pickle that would run code (os.system, eval) is refused and nothing runs', { skip: noTorch }, async () => {
  const dir = tempDir();
  const marker = join(dir, 'pwned');
  runPython(
    `
import os, sys, torch
class Evil:
    def __reduce__(self):
        return (os.system, ('touch ' + sys.argv[2],))
class Eval:
    def __reduce__(self):
        return (eval, ("__import__('os').system('touch ' + '${marker}')",))
torch.save({'model': {'w': torch.zeros(2), 'x': Evil()}}, sys.argv[1] + '/evil.pt')
torch.save({'model': Eval()}, sys.argv[1] + '/eval.pt')
`,
    [dir, marker],
  );
  await assert.rejects(openTorchCheckpoint(join(dir, 'evil.pt')), { code: 'MODEL_FORMAT', message: /refusing to unpickle (posix|os)\.system/i });
  await assert.rejects(openTorchCheckpoint(join(dir, 'eval.pt')), { code: 'MODEL_FORMAT', message: /refusing to unpickle (__builtin__|builtins)\.eval/i });
  assert.equal(existsSync(marker), false);
});

test('our torch.save-format writer is read by torch.load and by our reader alike', { skip: noTorch }, async () => {
  const dir = tempDir();
  const values = Float32Array.from({ length: 24 }, (_, i) => i / 7 - 1);
  await writeTorchStateDict(join(dir, 'mine.pt'), [
    { name: 'w', dtype: 'F32', shape: [2, 3, 4], data: new Uint8Array(values.buffer) },
    { name: 'n', dtype: 'I64', shape: [2], data: new Uint8Array(BigInt64Array.of(5n, -9n).buffer) },
  ]);
  const out = runPython(
    `
import json, sys, torch
sd = torch.load(sys.argv[1], map_location='cpu')['model']
print(json.dumps({k: [list(v.shape), str(v.dtype), v.double().flatten().tolist()] for k, v in sd.items()}))
`,
    [join(dir, 'mine.pt')],
  );
  assert.deepEqual(JSON.parse(out), { w: [[2, 3, 4], 'torch.float32', [...values]], n: [[2], 'torch.int64', [5, -9]] });
  const reader = await openCheckpoint(join(dir, 'mine.pt'));
  try {
    assert.deepEqual(await readFloat32(reader, 'w'), values);
  } finally {
    await reader.close();
  }
});

test('zip damage is refused with MODEL_FORMAT: not a zip, legacy torch format, truncated, missing storage', async () => {
  const dir = tempDir();
  const file = join(dir, 'x.pt');
  await writeTorchStateDict(file, [{ name: 'w', dtype: 'F32', shape: [4], data: new Uint8Array(16) }]);
  const good = readFileSync(file);

  writeFileSync(join(dir, 'text.pt'), 'hello, not a zip at all');
  await assert.rejects(openTorchCheckpoint(join(dir, 'text.pt')), { code: 'MODEL_FORMAT', message: /no end-of-central-directory/ });
  writeFileSync(join(dir, 'legacy.pt'), Uint8Array.of(0x80, 2, 0x8a, 0x0a));
  await assert.rejects(openTorchCheckpoint(join(dir, 'legacy.pt')), { message: /legacy \(pre-1.6\) format/ });
  writeFileSync(join(dir, 'cut.pt'), good.subarray(0, good.length - 30));
  await assert.rejects(openTorchCheckpoint(join(dir, 'cut.pt')), { code: 'MODEL_FORMAT' });
  // Rename the storage entry: the pickle then points at nothing.
  writeFileSync(join(dir, 'nostorage.pt'), Buffer.from(good.toString('latin1').replaceAll('archive/data/0', 'archive/data/9'), 'latin1'));
  await assert.rejects(openTorchCheckpoint(join(dir, 'nostorage.pt')), { code: 'MODEL_FORMAT', message: /storage 0 is missing/ });
});

/** A hand-made zip with one entry: deflated or stored, and optionally with ZIP64 records. */
function handMadeZip(content: Uint8Array, deflate: boolean, zip64: boolean): Buffer {
  const data = deflate ? deflateRawSync(content) : content;
  const name = new TextEncoder().encode('a/b.txt');
  const local = new Uint8Array(30 + name.length);
  const lv = new DataView(local.buffer);
  lv.setUint32(0, 0x04034b50, true);
  lv.setUint16(8, deflate ? 8 : 0, true);
  lv.setUint32(18, data.length, true);
  lv.setUint32(22, content.length, true);
  lv.setUint16(26, name.length, true);
  local.set(name, 30);
  // ZIP64: the central sizes and offset saturate, their real values in extra field 1 (size, csize, offset).
  const extra = zip64 ? 4 + 24 : 0;
  const central = new Uint8Array(46 + name.length + extra);
  const cv = new DataView(central.buffer);
  cv.setUint32(0, 0x02014b50, true);
  cv.setUint16(10, deflate ? 8 : 0, true);
  cv.setUint32(20, zip64 ? 0xffffffff : data.length, true);
  cv.setUint32(24, zip64 ? 0xffffffff : content.length, true);
  cv.setUint16(28, name.length, true);
  cv.setUint16(30, extra, true);
  cv.setUint32(42, zip64 ? 0xffffffff : 0, true);
  central.set(name, 46);
  if (zip64) {
    const x = 46 + name.length;
    cv.setUint16(x, 1, true);
    cv.setUint16(x + 2, 24, true);
    cv.setBigUint64(x + 4, BigInt(content.length), true);
    cv.setBigUint64(x + 12, BigInt(data.length), true);
    cv.setBigUint64(x + 20, 0n, true);
  }
  const cdOffset = local.length + data.length;
  const tail: Uint8Array[] = [];
  if (zip64) {
    const record = new Uint8Array(56);
    const rv = new DataView(record.buffer);
    rv.setUint32(0, 0x06064b50, true);
    rv.setBigUint64(4, 44n, true);
    rv.setBigUint64(24, 1n, true);
    rv.setBigUint64(32, 1n, true);
    rv.setBigUint64(40, BigInt(central.length), true);
    rv.setBigUint64(48, BigInt(cdOffset), true);
    const locator = new Uint8Array(20);
    const locv = new DataView(locator.buffer);
    locv.setUint32(0, 0x07064b50, true);
    locv.setBigUint64(8, BigInt(cdOffset + central.length), true);
    locv.setUint32(16, 1, true);
    tail.push(record, locator);
  }
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, zip64 ? 0xffff : 1, true);
  ev.setUint16(10, zip64 ? 0xffff : 1, true);
  ev.setUint32(12, zip64 ? 0xffffffff : central.length, true);
  ev.setUint32(16, zip64 ? 0xffffffff : cdOffset, true);
  return Buffer.concat([local, data, central, ...tail, end]);
}

for (const [deflate, zip64] of [[true, false], [false, true], [true, true]]) {
  test(`the zip reader reads ${deflate ? 'deflated' : 'stored'} entries${zip64 ? ' through ZIP64 records' : ''}, whole and in ranges`, async () => {
    const dir = tempDir();
    const content = new TextEncoder().encode('entry content '.repeat(20));
    writeFileSync(join(dir, 'd.zip'), handMadeZip(content, deflate, zip64));
    const zip = await ZipReader.open(join(dir, 'd.zip'));
    try {
      assert.deepEqual([...zip.entries.keys()], ['a/b.txt']);
      assert.deepEqual(await zip.read('a/b.txt'), content);
      assert.deepEqual(await zip.read('a/b.txt', 9, 7), content.subarray(9, 16));
      await assert.rejects(zip.read('a/b.txt', 270, 20), { code: 'MODEL_FORMAT' });
    } finally {
      await zip.close();
    }
  });
}
