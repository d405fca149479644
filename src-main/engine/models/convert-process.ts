// Runs a converter's two halves (convert, validate) in a child process (convert-worker.ts), behind
// the same Converter interface as the in-process ones, so pull, import and the CLI use it alike:
//   - the host process (Electron's worker, the bridge) never blocks on minutes of CPU work;
//   - a cancel kills the child (SIGKILL), which stops even a step that never looks at a signal;
//   - the child writes into a private scratch folder beside the staging folder; only a finished
//     conversion is moved into it, so a killed child leaves no partial package anywhere.
// A failure in the child comes back as the same error it would have been in process.
import type { ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { cancelledError, EngineError, throwIfAborted } from '../common/errors';
import { spawnWorker, workerScript } from '../runtime/inference-worker';
import { CONVERT_KINDS, type ConvertKind } from './catalog';
import type { ConverterSource, FromConvertWorker, ToConvertWorker } from './convert-messages';
import { converters as inProcess, type ConvertContext, type Converter, type ConverterRegistry } from './converters';

const workerPath = (): string => workerScript('convert-worker', import.meta.url, process.env.PURE_STUDIO_CONVERT_WORKER);

/** The child's own failure (not the converter's): killed by the system, or crashed. */
function childGone(code: number | null, signal: NodeJS.Signals | null): EngineError {
  const kept = 'The downloaded files are kept: pull again to retry the conversion.';
  if (signal === 'SIGKILL' || code === 137) {
    return new EngineError('OUT_OF_MEMORY', 'The conversion process was killed, most likely for lack of memory.', `Close other programs. ${kept}`);
  }
  return new EngineError('WORKER_CRASHED', `The conversion process stopped unexpectedly (${signal ?? `exit code ${code}`}).`, kept);
}

/** One step in a fresh child; resolves when it is done, rejects with its error, cancels by SIGKILL. */
export function runInChild(request: Omit<ToConvertWorker, 'type'>, ctx: ConvertContext): Promise<void> {
  throwIfAborted(ctx.signal);
  const child: ChildProcess = spawnWorker(workerPath());
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const settle = (error?: Error): void => {
      if (settled) return;
      settled = true;
      ctx.signal?.removeEventListener('abort', onAbort);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      // Resolve only once the child is gone: nothing may still write into the folder after this.
      void exited.then(() => (error ? reject(error) : resolve()));
    };
    const onAbort = (): void => settle(cancelledError());
    ctx.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('message', (message: FromConvertWorker) => {
      if (message.type === 'progress') ctx.onProgress?.({ fraction: message.fraction, message: message.message });
      else if (message.type === 'done') settle();
      else {
        const f = message.failure;
        settle(f.engine ? EngineError.fromPayload(f.error) : new Error(f.message));
      }
    });
    child.once('error', (error) => settle(new EngineError('WORKER_CRASHED', `The conversion process could not run: ${error.message}`)));
    child.once('exit', (code, signal) => settle(childGone(code, signal)));
    child.send({ type: 'run', ...request } satisfies ToConvertWorker);
  });
}

/** Moves everything the child made in `from` into `to` (same disk: renames). */
async function moveInto(from: string, to: string): Promise<void> {
  for (const name of await readdir(from)) await rename(join(from, name), join(to, name));
}

/**
 * `kind` of the registry that `source` names, run in a child. `names` gives the name and version
 * recorded in the manifest (the same converter, loaded here too).
 */
export function childProcessConverter(kind: ConvertKind, names: Pick<Converter, 'name' | 'version'>, source: ConverterSource = {}): Converter {
  return {
    name: names.name,
    version: names.version,
    async convert(inputDir, outDir, ctx) {
      // The scratch folder is named like the staging folder, so a crash of this process is
      // still recognised (and swept) as an unfinished install.
      const scratch = await mkdtemp(join(dirname(outDir), `${basename(outDir)}.convert-`));
      try {
        const made = join(scratch, 'package');
        await mkdir(made);
        await runInChild({ op: 'convert', kind, source, inputDir, dir: made }, ctx);
        throwIfAborted(ctx.signal);
        await moveInto(made, outDir);
      } finally {
        await rm(scratch, { recursive: true, force: true });
      }
    },
    validate(packageDir, ctx) {
      return runInChild({ op: 'validate', kind, source, inputDir: packageDir, dir: packageDir }, ctx);
    },
  };
}

/** Every kind of `registry` (loaded from `source` in the child) run in child processes. */
export function childProcessConverters(registry: ConverterRegistry, source: ConverterSource): ConverterRegistry {
  return Object.fromEntries(CONVERT_KINDS.map((kind) => [kind, childProcessConverter(kind, registry[kind], source)])) as Record<ConvertKind, Converter>;
}

/**
 * The converters a pull or an import uses unless told otherwise. PURE's runs in a child: it is
 * the one that takes minutes and gigabytes. `copy` (hard links) and `onnx-verify` (one small
 * session run, asynchronous in onnxruntime) stay in process, where a child would only add the
 * cost of starting one.
 */
export const modelConverters: ConverterRegistry = { ...inProcess, pure: childProcessConverter('pure', inProcess.pure) };
