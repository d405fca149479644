// `npm run restore -- <inputs...>`: the engine from a terminal. Ctrl-C cancels cleanly (no
// partial file is left); a second Ctrl-C quits at once.
import { EngineError, toErrorPayload, type ErrorPayload } from '../engine/common/errors';
import { formatDuration } from '../engine/common/eta';
import { Restorer, type EstimateResult } from '../engine/restore/restore';
import { defaultOutputPath } from '../engine/restore/output-path';
import { abortOnCtrlC } from './interrupt';
import { EXIT, exitCodeFor } from './exit-codes';
import { ProgressView } from './progress-view';
import { kvCacheNote } from '../protocol/kv-cache-note';
import { providerRefusalLines } from './provider-report';
import { parseRestoreArgs, RESTORE_USAGE } from './restore-args';

function describeEstimate(label: string, r: EstimateResult): string {
  const e = r.estimate;
  const region = r.roi ? ` region ${r.roi.x},${r.roi.y},${r.roi.width}x${r.roi.height} of` : '';
  const speed = e.source === 'measured' ? `${e.tokensPerSecond.toFixed(1)} tokens/s measured here` : `${e.tokensPerSecond.toFixed(1)} tokens/s assumed (not yet measured on this machine)`;
  return (
    `${label}:${region} ${r.inputSize.width}x${r.inputSize.height} -> ${r.outputSize.width}x${r.outputSize.height}\n` +
    `  ${e.tiles} tile${e.tiles === 1 ? '' : 's'} (${e.columns}x${e.rows} of ${e.tileSize} px at x${e.factor}), ${e.tokensPerTile} tokens each\n` +
    `  about ${formatDuration(e.seconds)} at ${speed}, ${e.overheadSecondsPerTile.toFixed(1)} s per tile besides\n` +
    (r.testModel ? '  (TEST MODEL installed: random weights; its speed says nothing about PURE)\n' : '')
  );
}

function printError(input: string | undefined, error: ErrorPayload): void {
  const where = input && !error.message.includes(input) ? `${input}: ` : '';
  process.stderr.write(`error ${error.code}: ${where}${error.message}${error.hint ? `\n  ${error.hint}` : ''}\n`);
}

async function main(argv: string[]): Promise<number> {
  let command;
  try {
    command = parseRestoreArgs(argv);
  } catch (error) {
    printError(undefined, toErrorPayload(error));
    return EXIT.USAGE;
  }
  if (command.help) {
    process.stdout.write(`${RESTORE_USAGE}\n`);
    return EXIT.OK;
  }

  const signal = abortOnCtrlC('Cancelling');

  const restorer = new Restorer();
  let exitCode: number = EXIT.OK;
  try {
    for (const [i, input] of command.inputs.entries()) {
      if (signal.aborted) break;
      const label = command.inputs.length > 1 ? `[${i + 1}/${command.inputs.length}] ${input}` : input;
      const view = new ProgressView(process.stderr, label);
      try {
        if (command.estimate) {
          const estimate = await restorer.estimate(input, command.options);
          if (command.json) process.stdout.write(`${JSON.stringify({ ok: true, ...estimate })}\n`);
          else process.stdout.write(describeEstimate(label, estimate));
          continue;
        }
        const output = command.output ?? (command.outDir ? await defaultOutputPath(input, command.outDir) : undefined);
        const result = await restorer.restore(input, output, command.options, { signal, onProgress: (p) => view.update(p) });
        view.end();
        if (command.json) process.stdout.write(`${JSON.stringify({ ok: true, ...result })}\n`);
        else {
          const s = (result.timings.totalMs / 1000).toFixed(1);
          process.stderr.write(`${label} -> ${result.output} (${result.outputSize.width}x${result.outputSize.height}, ${result.engine} on ${result.provider}, ${s} s)\n`);
          for (const line of providerRefusalLines(result)) process.stderr.write(`${line}\n`);
          if (result.perception) process.stderr.write(`  perceived: noise ${result.perception.noise}, blur ${result.perception.blur} (${result.perception.source})\n`);
          if (result.pure) {
            process.stderr.write(`  model: ${result.pure.model}\n`);
            process.stderr.write(result.pure.parsed ? `  caption: ${result.pure.caption}\n` : `  text: ${result.pure.text}\n`);
            process.stderr.write(`  entropy map: ${result.pure.entropyMap}\n`);
            const cacheNote = kvCacheNote(result.provider, result.pure.kvCache);
            if (cacheNote) process.stderr.write(`  note: ${cacheNote}\n`);
          }
        }
      } catch (error) {
        view.end();
        const payload = toErrorPayload(error);
        if (command.json) process.stdout.write(`${JSON.stringify({ ok: false, input, error: payload })}\n`);
        printError(input, payload);
        if (exitCode === EXIT.OK || payload.code === 'CANCELLED') exitCode = exitCodeFor(payload.code);
        if (payload.code === 'CANCELLED' || (error instanceof EngineError && error.code === 'MODEL_MISSING')) break;
      }
    }
  } finally {
    await restorer.close();
  }
  return exitCode;
}

process.exitCode = await main(process.argv.slice(2));
