// The photos the e2e tests open, made from the real photographs in test-data/photos: a small
// crop (so a restore takes seconds on two CPU cores) with EXIF to check it survives a save, a
// whole photo big enough to cancel midway, and a truncated JPEG that cannot be decoded.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { projectRoot } from './serve';

const source = (name: string): string => join(projectRoot, 'test-data', 'photos', name);

export const EXIF_ARTIST = 'PURE Studio e2e photographer';

export interface TestPhotos {
  /** 160x120 crop of the rocket launch, with EXIF (Artist, ImageDescription). */
  rocket: string;
  /** The whole 451x300 cat photo: several tiles, so a run can be cancelled midway. */
  cat: string;
  /** The first 35% of a JPEG: its header is fine, its data is cut off. */
  broken: string;
}

export async function makeTestPhotos(root: string): Promise<TestPhotos> {
  const holiday = join(root, 'holiday');
  mkdirSync(holiday, { recursive: true });
  const rocket = join(holiday, 'rocket launch.jpg');
  await sharp(source('rocket.jpg'))
    .extract({ left: 250, top: 110, width: 160, height: 120 })
    .withExif({ IFD0: { Artist: EXIF_ARTIST, ImageDescription: 'Launch pad, cropped for the tests' } })
    .jpeg({ quality: 70 })
    .toFile(rocket);
  const cat = join(root, 'cat.png');
  copyFileSync(source('chelsea.png'), cat);
  const broken = join(root, 'damaged scan.jpg');
  const whole = readFileSync(source('rocket.jpg'));
  writeFileSync(broken, whole.subarray(0, Math.floor(whole.length * 0.35)));
  return { rocket, cat, broken };
}
