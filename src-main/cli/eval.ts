// `npm run eval -- --dataset <folder> --out <dir> [--engines ...] [--degradation ...] [--seed n]`:
// synthetic LQ inputs, restored by each engine, measured against the ground truth (eval-run.ts),
// written as Markdown, CSV, JSON and HTML (eval-report.ts). Ctrl-C cancels.
import { formatDuration } from '../engine/common/eta';
import { parseEvalArgs, EVAL_USAGE } from './eval-args';
import { writeReport } from './eval-report';
import type { EvalProgress } from './eval-run';
import { runEval } from './eval-run';
import { abortOnCtrlC } from './interrupt';
import { EXIT } from './exit-codes';
import { runCli } from './quality-cli';

/** One redrawn line on a terminal; a line per step into a pipe or log. */
function progressLine(p: EvalProgress): string {
  const pct = `${Math.floor((p.done / p.total) * 100)}%`.padStart(4);
  const eta = p.etaSeconds !== undefined ? ` · ETA ${formatDuration(p.etaSeconds)}` : '';
  return `${pct} [${p.done}/${p.total}] ${p.label}${eta}`;
}

async function main(argv: string[]): Promise<number> {
  const command = parseEvalArgs(argv);
  if (command.help) {
    process.stdout.write(`${EVAL_USAGE}\n`);
    return EXIT.OK;
  }
  const signal = abortOnCtrlC('Cancelling');
  const tty = process.stderr.isTTY;
  const results = await runEval(command, {
    signal,
    onProgress: (p) => process.stderr.write(tty ? `\r\x1b[2K${progressLine(p)}` : `${progressLine(p)}\n`),
  });
  if (tty) process.stderr.write('\n');
  const files = await writeReport(results, command.out);
  const table = results.means.map(
    (m) => `  ${m.engine.padEnd(20)} ${results.metrics.map((x) => `${x.id.toUpperCase()} ${m.metrics[x.id]?.toFixed(x.digits) ?? 'n/a'}`).join('  ')}  ${m.seconds?.toFixed(2) ?? 'n/a'} s/image`,
  );
  process.stderr.write(`${table.join('\n')}\nwrote ${files.join(', ')}\n`);
  return EXIT.OK;
}

await runCli(() => main(process.argv.slice(2)));
