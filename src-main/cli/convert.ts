// `npm run convert -- pure --checkpoint <hf dir> --vq <vq_ds8_c2i.pt> --out <dir> [--dtype fp16|fp32|int4]`:
// converts PURE's weights into our ONNX model package (streamed: the checkpoint is never held
// in memory). Ctrl-C cancels and leaves nothing behind.
import { parseArgs } from 'node:util';
import { EngineError, toErrorPayload } from '../engine/common/errors';
import type { Int4GraphOptions } from '../engine/pure/decoder/decoder-graph';
import { convertPure } from '../engine/pure/package/convert-pure';
import { describePureModel } from '../engine/pure/package/pure-manifest';
import { EXIT, exitCodeFor } from './exit-codes';
import { abortOnCtrlC } from './interrupt';

const USAGE = `Usage: npm run convert -- pure --checkpoint <hf dir> --vq <vq_ds8_c2i.pt> --out <dir> [--dtype fp16|fp32|int4] [--overwrite]
       [--int4-block 32|64|128] [--int4-lm-head int4|fp16] [--int4-accuracy 4|0]

Converts a PURE checkpoint (HF-style safetensors shards + config.json + tokenizer.json) and
LlamaGen's VQ-8 weights into a model package for PURE Studio. fp16 (default) needs ~15 GB of disk.
int4 stores every Linear as 4-bit blocks (ONNX Runtime MatMulNBits; block 32, with zero points)
and the rest in fp16: ~5 GB, for 12-16 GB graphics cards, at a small cost in accuracy
(--int4-lm-head fp16 keeps the output layer in fp16: +0.4 GB, a little less error). On the CPU
its products use int8 activations (--int4-accuracy 4, the default: faster); 0 keeps them exact.`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      checkpoint: { type: 'string' },
      vq: { type: 'string' },
      out: { type: 'string' },
      dtype: { type: 'string', default: 'fp16' },
      'int4-block': { type: 'string' },
      'int4-lm-head': { type: 'string' },
      'int4-accuracy': { type: 'string' },
      overwrite: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.OK;
  }
  if (positionals[0] !== 'pure' || !values.checkpoint || !values.vq || !values.out) throw new EngineError('INVALID_OPTION', 'Missing arguments.', USAGE);
  const dtype = values.dtype;
  if (dtype !== 'fp16' && dtype !== 'fp32' && dtype !== 'int4') throw new EngineError('INVALID_OPTION', `--dtype must be fp16, fp32 or int4, got "${dtype}".`);
  const int4 = int4Settings(values['int4-block'], values['int4-lm-head'], values['int4-accuracy']);
  if (int4 && dtype !== 'int4') throw new EngineError('INVALID_OPTION', '--int4-block, --int4-lm-head and --int4-accuracy need --dtype int4.');
  const signal = abortOnCtrlC('Cancelling the conversion');
  const tty = process.stderr.isTTY;
  let last = '';
  const manifest = await convertPure({
    checkpoint: values.checkpoint,
    vq: values.vq,
    out: values.out,
    dtype,
    ...(int4 ? { int4 } : {}),
    overwrite: values.overwrite,
    signal,
    onProgress: (stage, fraction, bytes) => {
      // A redrawn line follows every percent; a log gets a line every 5% (about 20 per stage).
      const pct = Math.floor(fraction * 100);
      const key = `${stage} ${tty ? pct : Math.floor(pct / 5)}`;
      if (key === last) return;
      last = key;
      const line = `${stage} ${pct}%${bytes ? ` (${formatBytes(bytes.done)} of ${formatBytes(bytes.total)})` : ''}`;
      process.stderr.write(tty ? `\r\x1b[2Kconverting: ${line}` : `converting: ${line}\n`);
    },
  });
  if (tty) process.stderr.write('\n');
  process.stderr.write(`Converted ${describePureModel(manifest)} into ${values.out}\n`);
  return EXIT.OK;
}

/** 14.16 GB, 721.3 MB: decimal units, as disks are sold. */
function formatBytes(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / 1e6).toFixed(1)} MB`;
}

/** The int4 flags as converter options; undefined when neither is given. */
function int4Settings(block: string | undefined, lmHead: string | undefined, accuracy: string | undefined): Partial<Int4GraphOptions> | undefined {
  if (block === undefined && lmHead === undefined && accuracy === undefined) return undefined;
  const out: Partial<Int4GraphOptions> = {};
  if (block !== undefined) {
    if (!['16', '32', '64', '128', '256'].includes(block)) throw new EngineError('INVALID_OPTION', `--int4-block must be 16, 32, 64, 128 or 256, got "${block}".`);
    out.blockSize = Number(block);
  }
  if (lmHead !== undefined) {
    if (lmHead !== 'int4' && lmHead !== 'fp16') throw new EngineError('INVALID_OPTION', `--int4-lm-head must be int4 or fp16, got "${lmHead}".`);
    out.lmHead = lmHead === 'int4';
  }
  if (accuracy !== undefined) {
    if (accuracy !== '0' && accuracy !== '4') throw new EngineError('INVALID_OPTION', `--int4-accuracy must be 4 or 0, got "${accuracy}".`);
    out.accuracyLevel = accuracy === '4' ? 4 : 0;
  }
  return out;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  const e = toErrorPayload(error);
  process.stderr.write(`error ${e.code}: ${e.message}${e.hint ? `\n  ${e.hint}` : ''}\n`);
  process.exitCode = exitCodeFor(e.code);
}
