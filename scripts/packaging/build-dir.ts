// Builds the unpacked `dir` target of electron-builder.yml for this machine, with a stand-in for
// the Electron binary (electron-builder cannot download Electron here) and the output and bundle
// folders redirected, so that a test can inspect exactly what a real build would ship.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Arch, build, Platform, type Configuration, type FileSet } from 'electron-builder';

// electron-builder's own YAML reader (a dependency of it, without types of its own here).
const yaml = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown };

export interface DirBuild {
  projectDir: string;
  /** Where electron-builder writes (instead of dist/). */
  output: string;
  /** The folder shipped as <resources>/models (instead of build/bundle/models). */
  bundledModels: string;
  /** An unpacked Electron; default: a stand-in made under `output`. */
  electronDist?: string;
}

/** A folder that passes for an unpacked Electron: electron-builder only copies and renames it. */
export function standInElectron(dir: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'electron'), '#!/bin/sh\necho "stand-in for the Electron binary"\n', { mode: 0o755 });
  return dir;
}

/** Returns the app's resources folder (app.asar, app.asar.unpacked, models). */
export async function buildDir(options: DirBuild): Promise<string> {
  const electronDist = options.electronDist ?? standInElectron(join(options.output, 'electron-stand-in'));
  // The real electron-builder.yml with three settings replaced. Passed as a file, because an
  // object given to build() is merged into the yml with arrays concatenated, so the bundle folder
  // could not be replaced.
  const real = yaml.load(readFileSync(join(options.projectDir, 'electron-builder.yml'), 'utf8')) as Configuration;
  const [models, ...others] = (real.extraResources ?? []) as FileSet[];
  if (typeof models !== 'object' || models.to !== 'models' || others.length > 0) throw new Error('electron-builder.yml: expected one extraResources entry, the models');
  const config: Configuration = {
    ...real,
    electronDist,
    directories: { ...real.directories, output: join(options.output, 'dist') },
    extraResources: [{ ...models, from: options.bundledModels }],
  };
  const configFile = join(options.output, 'electron-builder.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  await build({ projectDir: options.projectDir, targets: Platform.LINUX.createTarget('dir', Arch.x64), config: configFile, publish: 'never' });
  return join(options.output, 'dist', 'linux-unpacked', 'resources');
}
