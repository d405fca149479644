// `npm run setup-models [-- --force] [--from <tarball>] [--only ids] [--home dir]`: installs the
// default Real-ESRGAN models (runs on `npm install`). Idempotent: an intact model is left alone.
import { parseArgs } from 'node:util';
import { toErrorPayload } from '../engine/common/errors';
import { builtInCatalog } from '../engine/models/catalog';
import { installNcnnModel } from '../engine/models/install-ncnn-model';
import { studioHome } from '../engine/models/paths';
import { exitCodeFor } from './exit-codes';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { force: { type: 'boolean', default: false }, from: { type: 'string' }, only: { type: 'string' }, home: { type: 'string' } },
  });
  const home = values.home ?? studioHome();
  const wanted = values.only ? values.only.split(',') : builtInCatalog.map((m) => m.id);
  const log = (line: string): void => void process.stderr.write(`[setup-models] ${line}\n`);
  for (const entry of builtInCatalog.filter((m) => wanted.includes(m.id))) {
    try {
      const outcome = await installNcnnModel(entry, { home, force: values.force, localTarball: values.from, log });
      if (outcome === 'present') log(`${entry.id}: already installed and intact.`);
    } catch (error) {
      const e = toErrorPayload(error);
      log(`error ${e.code}: ${entry.id}: ${e.message}${e.hint ? `\n  ${e.hint}` : ''}`);
      return exitCodeFor(e.code);
    }
  }
  log(`Models are in ${home}/models`);
  return 0;
}

process.exitCode = await main();
