// What metadata an output gets, worked out once for every format: the source's EXIF, XMP, IPTC
// and PNG text, brought up to date with the new pixels (upright, new size, same print size), and
// moved into XMP where the output format has no place for a container of its own.
//
// Why the app's own writer rather than exiftool-vendored: the blocks are copied, not
// interpreted, so a few hundred lines cover the five output formats; ExifTool would add a
// subprocess per photo, a bundled Perl on Windows and files unpacked from the asar. ExifTool is
// used where independence matters: the tests read every output with it.
import { exifForOutput } from './exif-patch';
import { iptcAsXmp } from './iptc';
import { resetXmpOrientation } from './metadata-inject';
import { pngTextsAsXmp } from './png-text';
import type { PngText } from './png-text';
import type { OutputFormat, SourceMetadata } from './types';
import { addXmpProperties, updateXmpSizes } from './xmp-edit';

export interface OutputMetadata {
  /** EXIF block (no "Exif\0\0" prefix): Orientation 1, Software, pixel size and density updated. */
  exif: Uint8Array;
  xmp?: Uint8Array;
  /** IPTC-IIM records, for the formats with a container for them (JPEG, PNG, TIFF). */
  iptc?: Uint8Array;
  /** PNG text chunks, for PNG output. */
  texts: readonly PngText[];
  /** Pixels per inch for the output. */
  density?: number;
}

/** Formats with their own IPTC container; the others get IPTC fields as XMP. */
const HOLDS_IPTC: ReadonlySet<OutputFormat> = new Set(['jpeg', 'png', 'tiff']);

/**
 * The density that keeps the print size: a 300 ppi scan restored at x4 is 1200 ppi, so it still
 * prints at the size of the original. Rounded to 1/1000 (TIFF rationals hold that exactly).
 */
export function scaledDensity(meta: SourceMetadata | undefined, outputWidth: number): number | undefined {
  const density = meta?.density;
  if (!density || !(density > 0)) return undefined;
  if (!meta.width || !(meta.width > 0)) return density;
  return Math.round(((density * outputWidth) / meta.width) * 1000) / 1000;
}

export function outputMetadata(
  meta: SourceMetadata | undefined,
  format: OutputFormat,
  size: { width: number; height: number },
  software: string,
): OutputMetadata {
  const density = scaledDensity(meta, size.width);
  const exif = exifForOutput(meta?.exif, { software, density, ...size });
  let xmp = meta?.xmp && updateXmpSizes(resetXmpOrientation(meta.xmp), size.width, size.height);
  if (format !== 'png' && meta?.texts?.length) xmp = addXmpProperties(xmp, pngTextsAsXmp(meta.texts));
  const holdsIptc = HOLDS_IPTC.has(format);
  if (!holdsIptc && meta?.iptc) xmp = addXmpProperties(xmp, iptcAsXmp(meta.iptc));
  return {
    exif,
    ...(xmp && { xmp }),
    ...(holdsIptc && meta?.iptc && { iptc: meta.iptc }),
    texts: format === 'png' ? (meta?.texts ?? []) : [],
    ...(density !== undefined && { density }),
  };
}
