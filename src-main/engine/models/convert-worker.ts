// Child-process entry that runs one conversion or validation step of a model install. PURE's
// conversion reads ~14 GB and builds multi-gigabyte graphs for minutes, and its validation maps
// the weights into three sessions: here they cannot stall the app's host process (the Electron
// worker or the bridge), and killing this process is how a cancel stops them at once.
import { EngineError } from '../common/errors';
import { postToParent } from '../runtime/parent-channel';
import type { ConvertFailure, FromConvertWorker, ToConvertWorker } from './convert-messages';
import { converters as builtIn, type ConverterRegistry } from './converters';

if (!process.send) throw new Error('convert-worker must run as a child process with an IPC channel');

// Quietly, like the engine's other children: the parent may be gone (parent-channel.ts).
const post = (message: FromConvertWorker): void => postToParent(message);

async function registryFrom(source: ToConvertWorker['source']): Promise<ConverterRegistry> {
  if (!source.module) return builtIn;
  const loaded = (await import(source.module)) as Record<string, unknown>;
  const registry = loaded[source.exportName ?? 'converters'];
  if (!registry || typeof registry !== 'object') throw new Error(`${source.module} exports no converter registry named ${source.exportName ?? 'converters'}`);
  return registry as ConverterRegistry;
}

function failureOf(error: unknown): ConvertFailure {
  if (error instanceof EngineError) return { engine: true, error: error.toPayload() };
  return { engine: false, message: error instanceof Error ? error.message : String(error) };
}

async function run(message: ToConvertWorker): Promise<void> {
  const converter = (await registryFrom(message.source))[message.kind];
  const onProgress = (p: { fraction?: number; message?: string }): void => post({ type: 'progress', ...p });
  if (message.op === 'convert') await converter.convert(message.inputDir, message.dir, { onProgress });
  else await converter.validate(message.dir, { onProgress });
  post({ type: 'done' });
}

process.once('message', (message: ToConvertWorker) => {
  run(message).catch((error: unknown) => post({ type: 'error', failure: failureOf(error) }));
});
// The parent is gone (it crashed, or quit without killing us): a conversion nobody waits for
// would only hold the disk and the memory.
process.on('disconnect', () => process.exit(0));
