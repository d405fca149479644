// The real photographs of shared/docs/TEST-DATA.md, taken out of Debian packages on demand
// (apt-get download + dpkg-deb -x; no network but Debian's mirrors). Used by the calibration
// script and to build eval datasets; CI tests use only the committed test-data/photos.
//   tsx src-main/cli/eval-photos.ts <dir> [name...]   copies the photos (all by default) into <dir>
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EngineError } from '../engine/common/errors';

const SKIMAGE = 'usr/lib/python3/dist-packages/skimage/data';
const OPENCV = 'usr/share/doc/opencv-doc/examples/data';

/** Photo name -> [Debian package, folder inside it]. */
export const DEBIAN_PHOTOS: Record<string, [string, string]> = {
  'astronaut.png': ['python3-skimage', SKIMAGE],
  'coffee.png': ['python3-skimage', SKIMAGE],
  'chelsea.png': ['python3-skimage', SKIMAGE],
  'rocket.jpg': ['python3-skimage', SKIMAGE],
  'camera.png': ['python3-skimage', SKIMAGE],
  'baboon.jpg': ['opencv-doc', OPENCV],
  'chicky_512.png': ['opencv-doc', OPENCV],
  'building.jpg': ['opencv-doc', OPENCV],
  'leuvenA.jpg': ['opencv-doc', OPENCV],
  'aloeL.jpg': ['opencv-doc', OPENCV],
  'graf1.png': ['opencv-doc', OPENCV],
  'apple.jpg': ['opencv-doc', OPENCV],
  'orange.jpg': ['opencv-doc', OPENCV],
  'messi5.jpg': ['opencv-doc', OPENCV],
  'fruits.jpg': ['opencv-doc', OPENCV],
  'home.jpg': ['opencv-doc', OPENCV],
};

function extract(pkg: string, root: string): void {
  mkdirSync(root, { recursive: true });
  const done = join(root, `${pkg}.extracted`);
  if (existsSync(done)) return;
  try {
    execFileSync('apt-get', ['download', pkg], { cwd: root, stdio: 'pipe' });
    const deb = readdirSync(root).find((f) => f.startsWith(`${pkg}_`) && f.endsWith('.deb'));
    if (!deb) throw new Error(`no ${pkg}_*.deb after apt-get download`);
    execFileSync('dpkg-deb', ['-x', deb, 'x'], { cwd: root, stdio: 'pipe' });
    mkdirSync(done);
  } catch (error) {
    throw new EngineError('INPUT_NOT_FOUND', `Could not take ${pkg} out of Debian's archive: ${(error as Error).message.split('\n')[0]}`, 'Run `apt-get update` first; this needs apt-get and dpkg-deb.', { cause: error });
  }
}

/** Paths of the named photos (all by default), extracting their packages into a cache once. */
export function debianPhotos(names: string[] = Object.keys(DEBIAN_PHOTOS), cache = process.env.PURE_PHOTO_CACHE ?? join(tmpdir(), 'pure-studio-photos')): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of names) {
    const where = DEBIAN_PHOTOS[name];
    if (!where) throw new EngineError('INVALID_OPTION', `Unknown test photo "${name}".`, `Known: ${Object.keys(DEBIAN_PHOTOS).join(', ')}.`);
    extract(where[0], cache);
    out.set(name, join(cache, 'x', where[1], name));
  }
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const [dir, ...names] = process.argv.slice(2);
  if (!dir) {
    process.stderr.write('usage: tsx src-main/cli/eval-photos.ts <dir> [name...]\n');
    process.exit(2);
  }
  mkdirSync(dir, { recursive: true });
  for (const [name, path] of debianPhotos(names.length ? names : undefined)) copyFileSync(path, join(dir, name));
  process.stderr.write(`copied ${names.length || Object.keys(DEBIAN_PHOTOS).length} photos into ${dir}\n`);
}
