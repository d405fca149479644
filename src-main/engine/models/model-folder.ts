// What a folder holds, said before it is imported: a converted PURE package (PURE's manifest), or
// a store package (the store's manifest, copied out of a models folder). Only reads the manifest;
// the import itself checks every file. The folder browser says it, so that a person inside a
// package folder sees they are at the right place rather than an "empty" folder.
import { readManifest } from './manifest';
import { readPurePackage } from './pure-package';

export interface ModelFolderSummary {
  kind: 'pure-package' | 'package';
  /** The package's own name (its manifest's). */
  name: string;
  testModel: boolean;
  /** How a PURE package's weights are stored. */
  dtype?: string;
}

/** The model package in `dir`, or undefined when it holds none (or a manifest too damaged to name one). */
export async function recogniseModelFolder(dir: string): Promise<ModelFolderSummary | undefined> {
  const pure = await readPurePackage(dir).catch(() => undefined);
  if (pure) return { kind: 'pure-package', name: pure.manifest.name, testModel: pure.manifest.testModel, dtype: pure.manifest.dtype };
  const manifest = await readManifest(dir).catch(() => undefined);
  if (manifest) return { kind: 'package', name: manifest.name, testModel: manifest.testModel === true };
  return undefined;
}
