// `restore` over files and folders: the library batch (engine/library/batch-runner.ts) with its
// terminal output: progress for the whole batch, a line per photo, a summary, and an exit code
// for the batch (0 all done, 7 some failed, the photos' own code when all failed).
import { join } from 'node:path';
import { toErrorPayload } from '../engine/common/errors';
import { formatDuration } from '../engine/common/eta';
import { runBatch, type BatchSummary } from '../engine/library/batch-runner';
import { MeasuredRates } from '../engine/library/measured-rates';
import { SqliteLibraryStore } from '../engine/library/sqlite-library-store';
import { studioHome } from '../engine/models/paths';
import type { Restorer } from '../engine/restore/restore';
import { EXIT, exitCodeFor } from './exit-codes';
import { ProgressView, withFallbackEta } from './progress-view';
import type { RestoreCommand } from './restore-args';
import { describeSummary, printError, printRestored } from './restore-report';

/** The command line's library: one file for every batch, each output folder its own scope. */
export const cliLibraryFile = (home: string): string => join(home, 'library', 'cli-library.db');
/** This machine's measured speed per engine, for the next batch's first ETA. */
export const cliRatesFile = (home: string): string => join(home, 'library', 'measured-rates.json');

export function batchExitCode(s: BatchSummary): number {
  if (s.cancelled) return EXIT.CANCELLED;
  if (s.failed === 0) return EXIT.OK;
  if (s.restored + s.doneBefore > 0) return EXIT.PARTIAL;
  return exitCodeFor(s.failures[0].code);
}

export async function restoreBatch(command: RestoreCommand, cwd: string, restorer: Restorer, signal: AbortSignal): Promise<number> {
  const home = studioHome();
  const store = SqliteLibraryStore.open(cliLibraryFile(home), { log: (line) => process.stderr.write(`note: ${line}\n`) });
  const out = (value: unknown): void => void process.stdout.write(`${JSON.stringify(value)}\n`);
  let view: ProgressView | undefined;
  let total = 0;
  try {
    const summary = await runBatch(
      { inputs: command.inputs, cwd, outDir: command.outDir, recursive: command.recursive, redo: command.redo, options: command.options, tilesDir: join(home, 'library', 'tiles'), rates: new MeasuredRates(cliRatesFile(home)) },
      store,
      restorer,
      {
        onPlanned: (plan) => {
          total = plan.total;
          for (const i of plan.ignored) process.stderr.write(`note: ignored ${i.path}: ${i.reason}\n`);
          if (plan.doneBefore) {
            const were = `photo${plan.total === 1 ? '' : 's'} ${plan.doneBefore === 1 ? 'was' : 'were'}`;
            process.stderr.write(`${plan.doneBefore} of ${plan.total} ${were} done before and ${plan.doneBefore === 1 ? 'is' : 'are'} skipped; restoring ${plan.toRestore}.\n`);
          }
          else if (plan.total > 1) process.stderr.write(`Restoring ${plan.toRestore} photos.\n`);
          if (plan.total === 0) process.stderr.write('No photos found. Folders are read at their top level; add --recursive for sub-folders.\n');
        },
        onProgress: (p) => {
          const label = p.photos > 1 ? `[${p.photo}/${p.photos}] ${p.input}` : p.input;
          if (!view || view.prefix !== label) {
            view?.end();
            view = new ProgressView(process.stderr, label);
          }
          // One photo: the batch's ETA is the photo's, and shows until the photo's own exists.
          if (p.photos === 1) view.update(withFallbackEta(p.progress, p.etaSeconds));
          else view.update(p.progress, p.etaSeconds !== undefined ? `batch ETA ${formatDuration(p.etaSeconds)}` : undefined);
        },
        onPhoto: (o) => {
          view?.end();
          if (command.json) {
            if (o.status === 'restored') out({ ok: true, status: o.status, ...o.result });
            else if (o.status === 'done-before') out({ ok: true, status: o.status, input: o.input, output: o.output });
            else out({ ok: false, status: o.status, input: o.input, error: o.error });
          }
          if (o.status === 'restored') printRestored(view?.prefix ?? o.input, o.result!);
          else if (o.error) printError(o.input, o.error);
          view = undefined;
        },
      },
      signal,
    );
    if (command.json) out({ summary });
    if (total > 1 || summary.doneBefore > 0) process.stderr.write(`${describeSummary(summary)}\n`);
    return batchExitCode(summary);
  } catch (error) {
    view?.end();
    const payload = toErrorPayload(error);
    if (command.json) out({ ok: false, error: payload });
    printError(undefined, payload);
    return exitCodeFor(payload.code);
  } finally {
    store.close();
  }
}
