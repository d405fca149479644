// Writes the PURE TEST MODEL (tiny shape, random weights, real file formats) into a folder:
//   tsx scripts/make-pure-fixture.ts <outDir> [--seed n]
import { parseArgs } from 'node:util';
import { makeTinyPureCheckpoint, TEST_MODEL_NOTE } from '../src-main/engine/pure/fixtures/make-tiny-checkpoint';

const { positionals, values } = parseArgs({ allowPositionals: true, options: { seed: { type: 'string', default: '0' } } });
const seed = Number(values.seed);
if (positionals.length !== 1 || !Number.isSafeInteger(seed) || seed < 0) {
  console.error('usage: tsx scripts/make-pure-fixture.ts <outDir> [--seed n]');
  process.exit(2);
}
const result = await makeTinyPureCheckpoint(positionals[0], { seed });
console.log(`${TEST_MODEL_NOTE}\nWrote ${result.dir}: config.json, ${result.shards.join(', ')}, model.safetensors.index.json, tokenizer.json, vq_ds8_c2i.pt (seed ${seed}).`);
