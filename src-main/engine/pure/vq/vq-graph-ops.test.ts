// (c) The GroupNorm built from Reshape + InstanceNormalization equals torch.nn.GroupNorm's formula,
// computed here directly in float64.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { GraphBuilder, encodeModel } from '../../onnx/onnx-builder';
import { VqGraphOps } from './vq-graph-ops';
import { seededNormal } from '../../../testing/seeded-normal';

const C = 12;
const G = 3;
const H = 5;
const W = 7;
const EPS = 1e-6;

async function groupNormGraph(x: Float32Array, gamma: Float32Array, beta: Float32Array): Promise<Float32Array> {
  const g = new GraphBuilder('group_norm_test');
  const weights = new Map([['gn.weight', gamma], ['gn.bias', beta]]);
  const ops = new VqGraphOps(g, (name) => weights.get(name)!, { groups: G, eps: EPS });
  g.addInput({ name: 'x', elementType: 'float32', shape: [1, C, 'h', 'w'] });
  const y = ops.groupNorm('x', 'gn', C);
  g.addOutput({ name: y, elementType: 'float32', shape: [1, C, 'h', 'w'] });
  const session = await ort.InferenceSession.create(encodeModel({ graph: g }));
  try {
    const out = await session.run({ x: new ort.Tensor('float32', x, [1, C, H, W]) });
    return out[y].data as Float32Array;
  } finally {
    await session.release();
  }
}

/** y = (x - mean_g) / sqrt(var_g + eps) * gamma_c + beta_c, biased variance over each group's C/G*H*W values. */
function groupNormFormula(x: Float32Array, gamma: Float32Array, beta: Float32Array): Float64Array {
  const y = new Float64Array(x.length);
  const perGroup = (C / G) * H * W;
  for (let g = 0; g < G; g++) {
    const values = Array.from(x.subarray(g * perGroup, (g + 1) * perGroup));
    const mean = values.reduce((a, b) => a + b, 0) / perGroup;
    const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / perGroup;
    for (let i = 0; i < perGroup; i++) {
      const c = Math.floor((g * perGroup + i) / (H * W));
      y[g * perGroup + i] = ((values[i] - mean) / Math.sqrt(variance + EPS)) * gamma[c] + beta[c];
    }
  }
  return y;
}

test('(c) GroupNorm from InstanceNormalization equals the direct formula', async () => {
  const normal = seededNormal(42);
  const x = new Float32Array(C * H * W);
  // Channel-dependent offsets (up to ~30) and scales: groups with a large mean and small spread.
  for (let i = 0; i < x.length; i++) {
    const c = Math.floor(i / (H * W));
    x[i] = 30 * Math.sin(c) + (0.2 + c / 4) * normal();
  }
  // The last group is constant: variance 0, so the output must be beta (eps keeps it finite).
  x.fill(3.25, ((G - 1) * C * H * W) / G);
  const gamma = Float32Array.from({ length: C }, () => 1 + 0.5 * normal());
  const beta = Float32Array.from({ length: C }, () => normal());

  const actual = await groupNormGraph(x, gamma, beta);
  const expected = groupNormFormula(x, gamma, beta);
  let max = 0;
  for (let i = 0; i < x.length; i++) max = Math.max(max, Math.abs(actual[i] - expected[i]));
  assert.ok(max <= 1e-4, `max |diff| ${max}`);
  for (let c = (C / G) * (G - 1); c < C; c++) assert.ok(Math.abs(actual[c * H * W] - beta[c]) < 1e-6);
  // Not vacuous: normalising per channel (InstanceNorm without the grouping) would differ.
  const perChannel = x.subarray(0, H * W);
  const m = perChannel.reduce((a, b) => a + b, 0) / (H * W);
  assert.ok(Math.abs(expected[0] - ((x[0] - m) / Math.sqrt(perChannel.reduce((a, b) => a + (b - m) ** 2, 0) / (H * W) + EPS)) * gamma[0] - beta[0]) > 1e-2);
});
