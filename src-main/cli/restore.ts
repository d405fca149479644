// `npm run restore -- <photos and folders...>`: the engine from a terminal. Photos and folders
// run as a batch kept in the library database (a rerun does only what is left); `--output` and
// `--estimate` act on single photos. Ctrl-C cancels cleanly (no partial file is left); a second
// Ctrl-C quits at once.
import { resolve } from 'node:path';
import { toErrorPayload } from '../engine/common/errors';
import { findInputs } from '../engine/library/find-inputs';
import { MeasuredRates, priorSeconds, recordResult } from '../engine/library/measured-rates';
import { studioHome } from '../engine/models/paths';
import { Restorer } from '../engine/restore/restore';
import { callerCwd } from './caller-cwd';
import { EXIT, exitCodeFor } from './exit-codes';
import { abortOnCtrlC } from './interrupt';
import { ProgressView, withFallbackEta } from './progress-view';
import { parseRestoreArgs, RESTORE_USAGE, type RestoreCommand } from './restore-args';
import { cliRatesFile, restoreBatch } from './restore-batch';
import { describeEstimate, printError, printRestored } from './restore-report';

/** `--estimate`: PURE's tiles and time for each photo named (folders expanded), nothing run. */
async function estimateAll(command: RestoreCommand, cwd: string, restorer: Restorer): Promise<number> {
  const { found } = await findInputs(command.inputs, cwd, { recursive: command.recursive });
  let exitCode: number = EXIT.OK;
  for (const [i, { input }] of found.entries()) {
    const label = found.length > 1 ? `[${i + 1}/${found.length}] ${input}` : input;
    try {
      const estimate = await restorer.estimate(input, command.options);
      if (command.json) process.stdout.write(`${JSON.stringify({ ok: true, ...estimate })}\n`);
      else process.stdout.write(describeEstimate(label, estimate));
    } catch (error) {
      const payload = toErrorPayload(error);
      if (command.json) process.stdout.write(`${JSON.stringify({ ok: false, input, error: payload })}\n`);
      printError(input, payload);
      if (exitCode === EXIT.OK) exitCode = exitCodeFor(payload.code);
    }
  }
  return exitCode;
}

/** `--output <file>`: one photo to one named file, as before batches existed. */
async function restoreToFile(command: RestoreCommand, cwd: string, restorer: Restorer, signal: AbortSignal): Promise<number> {
  const input = resolve(cwd, command.inputs[0]);
  const view = new ProgressView(process.stderr, input);
  // Until the photo's own ETA exists (a tile or two in), this machine's measured speed gives one.
  const rates = new MeasuredRates(cliRatesFile(studioHome()));
  const prior = await priorSeconds(rates, command.options, input);
  try {
    const result = await restorer.restore(input, resolve(cwd, command.output!), command.options, {
      signal,
      onProgress: (p) => view.update(withFallbackEta(p, prior === undefined ? undefined : prior * (1 - p.fraction))),
    });
    await recordResult(rates, result);
    view.end();
    if (command.json) process.stdout.write(`${JSON.stringify({ ok: true, ...result })}\n`);
    else printRestored(input, result);
    return EXIT.OK;
  } catch (error) {
    view.end();
    const payload = toErrorPayload(error);
    if (command.json) process.stdout.write(`${JSON.stringify({ ok: false, input, error: payload })}\n`);
    printError(input, payload);
    return exitCodeFor(payload.code);
  }
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
  const cwd = callerCwd();
  const signal = abortOnCtrlC('Cancelling');
  const restorer = new Restorer();
  try {
    if (command.estimate) return await estimateAll(command, cwd, restorer);
    if (command.output) return await restoreToFile(command, cwd, restorer, signal);
    return await restoreBatch(command, cwd, restorer, signal);
  } catch (error) {
    const payload = toErrorPayload(error);
    printError(undefined, payload);
    return exitCodeFor(payload.code);
  } finally {
    await restorer.close();
  }
}

process.exitCode = await main(process.argv.slice(2));
