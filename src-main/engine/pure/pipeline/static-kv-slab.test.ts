// The static KV slab's memory: a row opened late (CFG's unconditional branch, which starts when the
// image begins) must not make its whole capacity resident at once, and a reused row must read
// zeros where its earlier sequence wrote. Residency is read from /proc (Linux), with a bound far
// from both outcomes: the old clearRow() wrote every slot of the row (the row's full size).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { StaticKvSlab } from './static-kv-slab';

const SHAPE = { layers: 4, kvHeads: 8, headDim: 128, type: 'float16' } as const;

/** Anonymous resident memory of this process, in bytes. */
function rssAnon(): number {
  const line = readFileSync('/proc/self/status', 'utf8').split('\n').find((l) => l.startsWith('RssAnon:'));
  return Number(line!.split(/\s+/)[1]) * 1024;
}

/** New K/V for `seq` tokens of one sequence (1, kv_heads, seq, head_dim), every element `value` (fp16 bits). */
function fresh(seq: number, bits: number): ort.Tensor {
  return new ort.Tensor('float16', new Uint16Array(SHAPE.kvHeads * seq * SHAPE.headDim).fill(bits), [1, SHAPE.kvHeads, seq, SHAPE.headDim]);
}

function writeAll(slab: StaticKvSlab, row: number, seq: number, bits: number): void {
  for (let i = 0; i < SHAPE.layers; i++) {
    slab.write('key', i, row, fresh(seq, bits), 0);
    slab.write('value', i, row, fresh(seq, bits), 0);
  }
  slab.advance(row, seq);
}

test('opening the second row of a big slab does not make its capacity resident', { skip: !existsSync('/proc/self/status') && 'needs /proc' }, () => {
  const slab = new StaticKvSlab(SHAPE, 2, 256);
  slab.reserve(16_384); // 2 rows x 4 layers x K,V x 8 x 16384 x 128 x 2 B = 512 MiB allocated
  const rowBytes = slab.bytes / 2;
  writeAll(slab, 0, 64, 0x3c00); // the conditional branch has a little context
  const before = rssAnon();
  slab.clearRow(1); // the unconditional branch opens
  writeAll(slab, 1, 3, 0x3c00); // and gets its first three tokens
  const grown = rssAnon() - before;
  assert.ok(grown < rowBytes / 8, `clearing a fresh row made ${(grown / 2 ** 20).toFixed(0)} MiB resident (the row is ${(rowBytes / 2 ** 20).toFixed(0)} MiB)`);
});

test('a reused row reads zeros where its earlier sequence wrote, before and after growth', () => {
  const slab = new StaticKvSlab(SHAPE, 2, 256);
  slab.reserve(300);
  writeAll(slab, 1, 280, 0x3c00); // 1.0 in fp16
  slab.reserve(600); // regrow moves the 280 valid slots
  writeAll(slab, 1, 20, 0x4000); // 2.0, slots 280..299
  slab.clearRow(1);
  assert.equal(slab.lengths[1], 0);
  for (let i = 0; i < SHAPE.layers; i++) {
    for (const kind of ['key', 'value'] as const) {
      const row = slab.tensor(kind, i, 1).data as Uint16Array; // (1, kv_heads, cap, head_dim)
      const nonZero = row.findIndex((v) => v !== 0);
      assert.equal(nonZero, -1, `layer ${i} ${kind}: element ${nonZero} is still ${row[nonZero]}`);
    }
  }
});
