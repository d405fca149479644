// What perceive, metrics and eval share: flag parsing with usage errors, one-line errors with a
// hint (the restore CLI's style), and running a main() with the documented exit codes.
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { EngineError, toErrorPayload } from '../engine/common/errors';
import type { ErrorPayload } from '../engine/common/errors';
import { EXIT, exitCodeFor } from './exit-codes';

export function printError(error: ErrorPayload): void {
  process.stderr.write(`error ${error.code}: ${error.message}${error.hint ? `\n  ${error.hint}` : ''}\n`);
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util parseArgs, with its errors turned into INVALID_OPTION and a pointer to --help. */
export function parseFlags<O extends Options>(argv: string[], options: O, command: string) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, strict: true, options: { ...options, help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    throw new EngineError('INVALID_OPTION', (error as Error).message.split('\n')[0], `See npm run ${command} -- --help.`);
  }
}

export function integerFlag(name: string, value: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new EngineError('INVALID_OPTION', `--${name} must be a whole number from ${min} to ${max}, got "${value}".`);
  return n;
}

/** Runs `main`, prints any error in one line, and sets the exit code (also when --json). */
export async function runCli(main: () => Promise<number>, json = false): Promise<void> {
  try {
    process.exitCode = await main();
  } catch (error) {
    const payload = toErrorPayload(error);
    if (json) process.stdout.write(`${JSON.stringify({ ok: false, error: payload })}\n`);
    printError(payload);
    process.exitCode = payload.code === 'CANCELLED' ? EXIT.CANCELLED : exitCodeFor(payload.code);
  }
}
