// The two decoder graphs over one set of weights: the concat twin references exactly what the
// static graph wrote (inline values and external offsets), for every dtype, on the tiny TEST
// MODEL decoder (seeded random weights; it restores nothing).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { PURE_TINY_TEST } from '../config';
import { tempDir } from '../../../testing/fixtures';
import { buildDecoderGraph } from './decoder-graph';
import { buildDecoderGraphPair } from './decoder-graph-pair';
import { DecoderSession } from './decoder-session';
import { makeTestWeights, weightGetter } from './decoder-test-weights';
import { WeightSink } from './weight-sink';
import { GraphBuilder } from '../../onnx/onnx-builder';

const C = PURE_TINY_TEST.decoder;
const weights = makeTestWeights(C);

for (const dtype of ['fp32', 'fp16', 'int4'] as const) {
  test(`${dtype}: the concat twin holds the static graph's weights and computes what a concat graph built alone does`, { timeout: 120_000 }, async () => {
    let reads = 0;
    const get = weightGetter(weights);
    const pair = buildDecoderGraphPair(C, (n) => (reads++, get(n)), { dtype });
    let aloneReads = 0;
    buildDecoderGraph(C, (n) => (aloneReads++, get(n)), { dtype, cache: 'static' });
    assert.equal(reads, aloneReads, 'the checkpoint is read once for both graphs');
    assert.deepEqual([...pair.concat.weights.keys()].sort(), [...pair.static.weights.keys()].sort());
    for (const [name, spec] of pair.concat.weights) assert.equal(spec, pair.static.weights.get(name), `${name}: the same initializer`);
    const alone = buildDecoderGraph(C, weightGetter(weights), { dtype, cache: 'concat' }).model;
    const [twin, reference] = [await DecoderSession.create(pair.concat.model, C, dtype), await DecoderSession.create(alone, C, dtype)];
    try {
      const inputIds = [[0, 5, 100, 8197, 70000, 4]];
      const [a, b] = [await twin.run({ inputIds }), await reference.run({ inputIds })];
      assert.deepEqual(a.logits, b.logits, 'the same weights, the same graph: identical logits');
      assert.ok(a.logits.some((x) => x !== 0));
    } finally {
      await Promise.all([twin.release(), reference.release()]);
    }
  });
}

test('external data: the twin points at the same file and offsets and writes nothing', () => {
  const dir = tempDir();
  const data = join(dir, 'decoder.onnx.data');
  const pair = buildDecoderGraphPair(C, weightGetter(weights), { dtype: 'fp32', externalDataPath: data });
  const external = [...pair.concat.weights.values()].filter((s) => s.storage?.kind === 'external');
  assert.ok(external.length > 0);
  for (const spec of external) assert.equal(spec.storage, pair.static.weights.get(spec.name)?.storage);
  assert.equal(pair.concat.externalData, undefined, 'the twin opened no data file');
  assert.equal(statSync(data).size, pair.static.externalData?.byteLength);
});

test('a replaying sink refuses a weight of another shape or one never written', () => {
  const first = new WeightSink(new GraphBuilder('a'));
  first.add('w', [2, 3], { type: 'float32', data: new Float32Array(6) });
  const replay = new WeightSink(new GraphBuilder('b'), undefined, first.record);
  assert.throws(() => replay.add('w', [3, 2], { type: 'float32', data: new Float32Array(6) }), /asks for float32 \[3, 2\]/);
  assert.throws(() => replay.add('other', [1], { type: 'float32', data: new Float32Array(1) }), /not written by the first graph/);
  assert.throws(() => replay.finish(), /never asked for 1 recorded weights/);
});

for (const dtype of ['fp32', 'fp16', 'int4'] as const) {
  test(`${dtype}: the twin build reads and prepares no weight (no second pass of transposes, fp16, int4)`, () => {
    const first = buildDecoderGraph(C, weightGetter(weights), { dtype, cache: 'static' });
    const asked: string[] = [];
    const refuse = (name: string): Float32Array => {
      asked.push(name);
      throw new Error(`asked for ${name}`);
    };
    const twin = buildDecoderGraph(C, refuse, { dtype, cache: 'concat', replayWeights: first.weights });
    assert.deepEqual(asked, []);
    assert.equal(twin.weights.size, first.weights.size);
  });
}
