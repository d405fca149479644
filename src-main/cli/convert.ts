// `npm run convert -- pure --checkpoint <hf dir> --vq <vq_ds8_c2i.pt> --out <dir> [--dtype fp16|fp32]`:
// converts PURE's weights into our ONNX model package (streamed: the checkpoint is never held
// in memory). Ctrl-C cancels and leaves nothing behind.
import { parseArgs } from 'node:util';
import { EngineError, toErrorPayload } from '../engine/common/errors';
import { convertPure } from '../engine/pure/package/convert-pure';
import { describePureModel } from '../engine/pure/package/pure-manifest';
import { EXIT, exitCodeFor } from './exit-codes';

const USAGE = `Usage: npm run convert -- pure --checkpoint <hf dir> --vq <vq_ds8_c2i.pt> --out <dir> [--dtype fp16|fp32] [--overwrite]

Converts a PURE checkpoint (HF-style safetensors shards + config.json + tokenizer.json) and
LlamaGen's VQ-8 weights into a model package for PURE Studio. fp16 (default) needs ~15 GB of disk.`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      checkpoint: { type: 'string' },
      vq: { type: 'string' },
      out: { type: 'string' },
      dtype: { type: 'string', default: 'fp16' },
      overwrite: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.OK;
  }
  if (positionals[0] !== 'pure' || !values.checkpoint || !values.vq || !values.out) throw new EngineError('INVALID_OPTION', 'Missing arguments.', USAGE);
  if (values.dtype !== 'fp16' && values.dtype !== 'fp32') throw new EngineError('INVALID_OPTION', `--dtype must be fp16 or fp32, got "${values.dtype}".`);
  const controller = new AbortController();
  process.on('SIGINT', () => controller.abort());
  const tty = process.stderr.isTTY;
  let last = '';
  const manifest = await convertPure({
    checkpoint: values.checkpoint,
    vq: values.vq,
    out: values.out,
    dtype: values.dtype,
    overwrite: values.overwrite,
    signal: controller.signal,
    onProgress: (stage, fraction) => {
      const line = `${stage} ${Math.floor(fraction * 100)}%`;
      if (line === last) return;
      last = line;
      process.stderr.write(tty ? `\r\x1b[2Kconverting: ${line}` : `converting: ${line}\n`);
    },
  });
  if (tty) process.stderr.write('\n');
  process.stderr.write(`Converted ${describePureModel(manifest)} into ${values.out}\n`);
  return EXIT.OK;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  const e = toErrorPayload(error);
  process.stderr.write(`error ${e.code}: ${e.message}${e.hint ? `\n  ${e.hint}` : ''}\n`);
  process.exitCode = exitCodeFor(e.code);
}
