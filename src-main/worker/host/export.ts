// Save / export: writes a restored result where the person chose, in the format they chose. The
// result already carries the original's metadata (EXIF, ICC, XMP), so a same-format save copies
// its bytes, and another format decodes and re-encodes it with that metadata. The original and
// the working copy are never written.
import { readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { decodeImage } from '../../engine/image/decode';
import { formatFromPath, writeImage } from '../../engine/image/encode';
import { checkOutputPath, writeFileAtomic } from '../../engine/image/output-file';
import { joinAlpha, rgbToGrey } from '../../engine/image/raster';
import type { RasterImage } from '../../engine/image/types';
import type { OutputFormat } from '../../engine/image/types';
import { SOFTWARE } from '../../engine/restore/restore';
import type { OutputFormatId } from '../../protocol/api';
import { assertNotKnownOriginal } from './known-originals';
import type { KnownOriginals } from './known-originals';

// The protocol's list of formats and the engine's must be the same: this fails to compile otherwise.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const formatsAgree: Same<OutputFormatId, OutputFormat> = true;
void formatsAgree;

export const EXTENSION_OF: Record<OutputFormatId, string> = { jpeg: '.jpg', png: '.png', webp: '.webp', tiff: '.tif', avif: '.avif' };

/** `path` with the extension of `format` (kept when it already names that format). */
export function withFormatExtension(path: string, format: OutputFormatId): string {
  const ext = extname(path);
  try {
    if (ext && formatFromPath(path) === format) return path;
  } catch {
    // an unknown extension is replaced below
  }
  return (ext ? path.slice(0, -ext.length) : path) + EXTENSION_OF[format];
}

export interface ExportJob {
  source: string;
  /** How the source was written, so an equal request is a plain copy. */
  sourceFormat: OutputFormatId;
  sourceQuality?: number;
  original: string;
  destination: string;
  format: OutputFormatId;
  quality?: number;
  /**
   * True only when the person already confirmed replacing the file (the system save dialog, or
   * the page's Replace). The original, the working copy and folders are refused even so.
   */
  overwrite: boolean;
  /**
   * The source files of every photo the app knows (the library's): none is ever replaced, not
   * only this photo's own `original`.
   */
  knownOriginals?: KnownOriginals;
}

/** Where the save went; `warnings`: what the saved file could not keep (a damaged colour profile...). */
export async function exportResult(job: ExportJob): Promise<{ path: string; bytes: number; warnings?: string[] }> {
  const destination = withFormatExtension(job.destination, job.format);
  const protectedPaths = [job.original, job.source];
  if (job.knownOriginals) await assertNotKnownOriginal(destination, job.knownOriginals);
  const warnings: string[] = [];
  const sameEncoding = job.format === job.sourceFormat && (job.quality === undefined || job.quality === job.sourceQuality || job.format === 'png' || job.format === 'tiff');
  if (sameEncoding) {
    await checkOutputPath(destination, { overwrite: job.overwrite, protectedPaths });
    // The original's modification time, as a restore gives it (photo managers sort by it).
    const modifiedTime = await stat(job.original).then((info) => info.mtime, () => undefined);
    await writeFileAtomic(destination, await readFile(job.source), { overwrite: job.overwrite, modifiedTime });
  } else {
    const decoded = await decodeImage(job.source, { maxPixels: Number.MAX_SAFE_INTEGER });
    // JPEG has no alpha channel: its transparent parts keep their colour.
    let image: RasterImage = decoded.rgb;
    if (decoded.alpha && job.format !== 'jpeg') image = joinAlpha(decoded.rgb, decoded.alpha);
    else if (decoded.grey) image = rgbToGrey(decoded.rgb);
    await writeImage(destination, image, {
      format: job.format,
      quality: job.quality,
      overwrite: job.overwrite,
      protectedPaths,
      metadata: decoded.metadata,
      software: SOFTWARE,
      keepModifiedTimeOf: job.original,
      onWarning: (message) => warnings.push(message),
    });
  }
  const outcome = { path: destination, bytes: (await stat(destination)).size };
  return warnings.length ? { ...outcome, warnings } : outcome;
}
