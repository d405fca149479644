import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PURE_7B, PURE_TINY_TEST } from './config';
import { decoderTensorSpecs, expandQkNorm, isIgnoredDecoderTensor, isQkNormShape, vqTensorSpecs } from './tensor-names';

const count = (specs: { shape: number[]; unused?: true }[]) =>
  specs.filter((s) => !s.unused).reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);

test('the 7B decoder: 32 layers x 13 tensors + 3, 7,080,267,776 parameters (the paper\'s Table 4: 7080M)', () => {
  const specs = decoderTensorSpecs(PURE_7B.decoder);
  assert.equal(specs.length, 32 * 13 + 3);
  assert.equal(new Set(specs.map((s) => s.name)).size, specs.length);
  const params = count(specs);
  assert.equal(params, 2 * 73728 * 4096 + 32 * (4 * 4096 * 4096 + 3 * 4096 * 11008 + 2 * 4096 + 4 * 128) + 4096);
  assert.equal(Math.round(params / 1e6), 7080);
  const layer0 = Object.fromEntries(specs.filter((s) => s.name.startsWith('model.layers.0.')).map((s) => [s.name.slice(15), s.shape]));
  assert.deepEqual(layer0, {
    'self_attn.q_proj.weight': [4096, 4096],
    'self_attn.k_proj.weight': [4096, 4096],
    'self_attn.v_proj.weight': [4096, 4096],
    'self_attn.o_proj.weight': [4096, 4096],
    'self_attn.q_norm.weight': [1, 128],
    'self_attn.q_norm.bias': [1, 128],
    'self_attn.k_norm.weight': [1, 128],
    'self_attn.k_norm.bias': [1, 128],
    'mlp.gate_proj.weight': [11008, 4096],
    'mlp.up_proj.weight': [11008, 4096],
    'mlp.down_proj.weight': [4096, 11008],
    'input_layernorm.weight': [4096],
    'post_attention_layernorm.weight': [4096],
  });
  const perHead = decoderTensorSpecs({ ...PURE_7B.decoder, numKvHeads: 8 }, { qkNormRows: 'per-head' });
  assert.deepEqual(perHead.find((s) => s.name.endsWith('0.self_attn.q_norm.weight'))?.shape, [32, 128]);
  assert.deepEqual(perHead.find((s) => s.name.endsWith('0.self_attn.k_norm.bias'))?.shape, [8, 128]);
  assert.ok(isIgnoredDecoderTensor('model.vqmodel.encoder.conv_in.weight'));
  assert.ok(!isIgnoredDecoderTensor('model.layers.0.self_attn.q_proj.weight'));
});

test('the 7B VQ-8: ~70M parameters, and the names the LlamaGen module tree gives', () => {
  const specs = vqTensorSpecs(PURE_7B.vq);
  // Checked once against LlamaGen's own VQ_8().state_dict(): 300 entries, 70,175,371 values with codebook_used.
  assert.equal(specs.length, 300);
  assert.equal(count(specs) + 65536, 70175371);
  const names = new Set(specs.map((s) => s.name));
  for (const name of [
    'encoder.conv_blocks.1.res.0.nin_shortcut.weight', // 128 -> 256
    'encoder.conv_blocks.3.attn.1.proj_out.bias', // attention on the last level, after each res block
    'encoder.conv_blocks.2.downsample.conv.weight',
    'encoder.mid.1.q.weight',
    'decoder.conv_blocks.0.attn.2.norm.weight', // conv_blocks.0 = lowest resolution, 3 res blocks
    'decoder.conv_blocks.1.res.0.nin_shortcut.weight', // 512 -> 256
    'decoder.conv_blocks.2.upsample.conv.bias',
  ]) {
    assert.ok(names.has(name), name);
  }
  for (const name of ['encoder.conv_blocks.3.downsample.conv.weight', 'decoder.conv_blocks.3.upsample.conv.weight', 'encoder.conv_blocks.0.attn.0.q.weight']) {
    assert.ok(!names.has(name), name);
  }
  assert.deepEqual(specs.find((s) => s.name === 'quantize.embedding.weight')?.shape, [16384, 8]);
  assert.deepEqual(specs.find((s) => s.name === 'decoder.conv_out.weight')?.shape, [3, 128, 3, 3]);
  assert.equal(vqTensorSpecs(PURE_TINY_TEST.vq).length, 174);
});

test('QK-norm rows expand to one row per head the way repeat_interleave does', () => {
  const rows = Float32Array.of(1, 2, 3, 4); // [2, 2]: row 0 = [1, 2], row 1 = [3, 4]
  assert.deepEqual([...expandQkNorm(rows, [2, 2], 4, 2)], [1, 2, 1, 2, 3, 4, 3, 4]);
  assert.deepEqual([...expandQkNorm(Float32Array.of(5, 6), [1, 2], 3, 2)], [5, 6, 5, 6, 5, 6]);
  assert.deepEqual([...expandQkNorm(Float32Array.of(5, 6), [2], 2, 2)], [5, 6, 5, 6]);
  assert.deepEqual([...expandQkNorm(rows, [2, 2], 2, 2)], [1, 2, 3, 4]);
  assert.ok(isQkNormShape([32, 128], 32, 128) && isQkNormShape([1, 128], 32, 128) && isQkNormShape([128], 32, 128));
  assert.ok(!isQkNormShape([3, 128], 32, 128) && !isQkNormShape([1, 64], 32, 128));
  assert.throws(() => expandQkNorm(rows, [3, 2], 4, 2), RangeError);
});
