// The converter refuses a checkpoint whose config.json asks for maths the graphs do not do,
// naming the key and its value; the values it implements (or the key left out) are accepted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCheckpointConfig } from './checkpoint-config';
import { tempDir } from '../../../testing/fixtures';

const base = { model_type: 'chameleon', hidden_size: 64, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 128, vocab_size: 9000 };

function checkpoint(extra: Record<string, unknown>): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...base, ...extra }));
  return dir;
}

test('implemented values, or the keys left out, are accepted', async () => {
  await readCheckpointConfig(checkpoint({}));
  const read = await readCheckpointConfig(checkpoint({ mask_image_logits: false, swin_norm: false, rope_scaling: null }));
  assert.equal(read.config.decoder.hiddenSize, 64);
});

const refused: [string, unknown, RegExp][] = [
  ['mask_image_logits', true, /mask_image_logits to true/],
  ['swin_norm', true, /swin_norm to true/],
  ['rope_scaling', { type: 'linear', factor: 2 }, /rope_scaling to \{"type":"linear","factor":2\}/],
  ['rope_scaling', { rope_type: 'dynamic', factor: 4 }, /rope_scaling to \{"rope_type":"dynamic","factor":4\}/],
];

for (const [key, value, message] of refused) {
  test(`${key} = ${JSON.stringify(value)} is refused with MODEL_FORMAT, naming the key and its value`, async () => {
    await assert.rejects(readCheckpointConfig(checkpoint({ [key]: value })), (e: { code: string; message: string }) => e.code === 'MODEL_FORMAT' && message.test(e.message) && e.message.includes('implement only'));
  });
}
