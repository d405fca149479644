// ICC profile helpers. sharp converts colours only from a profile embedded in an encoded file or to
// a profile given as a file path, and it treats raw 16-bit RGB as Display P3, not sRGB. The
// helpers here work around both: tag raw pixels with a profile by wrapping them in a PNG with an
// iCCP chunk, and hand profiles to sharp through short-lived files.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { EngineError } from '../common/errors';
import { insertPngIccProfile } from './metadata-inject';
import type { RasterImage } from './types';

/** True for a plausible ICC profile whose data colour space is RGB (header bytes 16..19 = 'RGB '). */
export function isRgbIccProfile(icc: Uint8Array | undefined): icc is Uint8Array {
  if (!icc || icc.length < 132) return false;
  const tag = (at: number): string => String.fromCharCode(icc[at], icc[at + 1], icc[at + 2], icc[at + 3]);
  return tag(16) === 'RGB ' && tag(36) === 'acsp';
}

/**
 * False when the profile is shorter than its header says: decoders cap what they read (libvips
 * reads at most 100 JPEG APP2 segments, ~6.5 MB), and embedding such a cut profile would give
 * readers a damaged one. Converting from it is still what the decoder did, so only embedding is off.
 */
export function isCompleteIccProfile(icc: Uint8Array): boolean {
  if (icc.length < 132) return false;
  const declared = new DataView(icc.buffer, icc.byteOffset, icc.byteLength).getUint32(0);
  return declared <= icc.length;
}

let srgbCache: Promise<Uint8Array> | undefined;

/** The bytes of sharp's own sRGB profile, the one its sRGB conversions target. */
export function srgbProfile(): Promise<Uint8Array> {
  srgbCache ??= sharp({ create: { width: 1, height: 1, channels: 3, background: '#000000' } })
    .withIccProfile('srgb')
    .png()
    .toBuffer()
    .then(async (png) => {
      const { icc } = await sharp(png).metadata();
      if (!icc) throw new Error('sharp did not embed its sRGB profile');
      return icc;
    });
  return srgbCache;
}

/**
 * Raw pixels (1, 3 or 4 channels, 8 or 16 bits) as a fast, uncompressed PNG declaring `icc` as
 * their colour space, so that sharp reads them with that profile as the source.
 */
export async function rawAsTaggedPng(image: RasterImage, icc: Uint8Array): Promise<Uint8Array> {
  const deep = image.bitDepth === 16;
  const space = image.channels === 1 ? (deep ? 'grey16' : 'b-w') : deep ? 'rgb16' : 'srgb';
  const png = await sharp(image.data, {
    raw: { width: image.width, height: image.height, channels: image.channels },
    limitInputPixels: false,
  })
    .toColourspace(space)
    .png({ compressionLevel: 0, adaptiveFiltering: false })
    .toBuffer();
  return insertPngIccProfile(png, icc);
}

/**
 * Temporary profile files still in use. A second Ctrl-C ends the process with process.exit() in
 * the middle of an encode, before any finally block runs; the 'exit' hook removes them then.
 */
const liveTempFiles = new Set<string>();
let exitHookInstalled = false;

function removeLiveTempFiles(): void {
  for (const path of liveTempFiles) rmSync(path, { force: true });
  liveTempFiles.clear();
}

function tempFolderError(error: unknown, folder: string): EngineError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const detail = error instanceof Error ? error.message.split('\n')[0] : String(error);
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new EngineError('DISK_FULL', `The temporary folder "${folder}" is full: the colour profile could not be staged there.`, 'Free some space there, or point TMPDIR at a folder with room.', { cause: error });
  }
  return new EngineError('OUTPUT_UNWRITABLE', `Could not write a temporary file in "${folder}": ${detail}.`, 'Check the temporary folder (TMPDIR), then try again.', { cause: error });
}

/** Runs `use` with the profile written to a temporary .icc file (sharp wants a path), then removes it. */
export async function withTempIccFile<T>(icc: Uint8Array, use: (path: string) => Promise<T>): Promise<T> {
  const folder = tmpdir();
  const path = join(folder, `pure-studio-${randomBytes(8).toString('hex')}.icc`);
  if (!exitHookInstalled) {
    process.once('exit', removeLiveTempFiles);
    exitHookInstalled = true;
  }
  liveTempFiles.add(path);
  try {
    // Inside the try: a write that fails half-way (disk full) has already created the file.
    await writeFile(path, icc, { mode: 0o600 }).catch((error: unknown) => {
      throw tempFolderError(error, folder);
    });
    return await use(path);
  } finally {
    await rm(path, { force: true });
    liveTempFiles.delete(path);
  }
}
