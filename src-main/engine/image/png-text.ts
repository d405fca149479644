// PNG text chunks (tEXt, zTXt, iTXt: Title, Author, Description, Creation Time, Comment...):
// written back into PNG output, and mapped to XMP for the other formats where the PNG
// specification's keywords have a standard XMP counterpart (as ExifTool and Adobe map them).
import type { XmpProperty } from './xmp-edit';

export interface PngText {
  keyword: string;
  text: string;
}

/** Keywords that carry metadata blocks handled on their own (XMP, EXIF, IPTC), not text. */
export function isMetadataKeyword(keyword: string): boolean {
  return keyword === 'XML:com.adobe.xmp' || keyword.startsWith('Raw profile type');
}

const isLatin1 = (text: string): boolean => [...text].every((c) => c.charCodeAt(0) < 256);

/**
 * The chunk type and data for one text: tEXt when it is Latin-1, as the specification wants, else
 * iTXt (UTF-8, uncompressed, no language tag).
 */
export function textChunkData({ keyword, text }: PngText): { type: 'tEXt' | 'iTXt'; data: Uint8Array } {
  const key = Buffer.from(keyword.slice(0, 79), 'latin1'); // keywords are 1-79 Latin-1 bytes
  if (isLatin1(text)) return { type: 'tEXt', data: Buffer.concat([key, Buffer.from([0]), Buffer.from(text, 'latin1')]) };
  // keyword NUL, compression flag 0, method 0, empty language tag NUL, empty translated keyword NUL
  return { type: 'iTXt', data: Buffer.concat([key, Buffer.from([0, 0, 0, 0, 0]), Buffer.from(text, 'utf8')]) };
}

/** "1950:06:01 12:00:00", "2001-02-03T04:05:06Z" or an RFC 1123 date as XMP's ISO 8601; else undefined. */
function isoDate(text: string): string | undefined {
  const exif = /^(\d{4})[:-](\d{2})[:-](\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?/.exec(text.trim());
  if (exif) {
    const [, y, mo, d, h, mi, s] = exif;
    return h === undefined ? `${y}-${mo}-${d}` : `${y}-${mo}-${d}T${h}:${mi}:${s ?? '00'}`;
  }
  const parsed = Date.parse(text); // RFC 1123, the form the PNG specification suggests
  return Number.isNaN(parsed) ? undefined : new Date(parsed).toISOString().replace('.000Z', 'Z');
}

/** PNG keyword -> XMP property (the mapping ExifTool uses between PNG and XMP). */
const XMP_OF_KEYWORD: Readonly<Record<string, Omit<XmpProperty, 'values'>>> = {
  Title: { name: 'dc:title', kind: 'lang-alt' },
  Author: { name: 'dc:creator', kind: 'seq' },
  Description: { name: 'dc:description', kind: 'lang-alt' },
  Copyright: { name: 'dc:rights', kind: 'lang-alt' },
  'Creation Time': { name: 'xmp:CreateDate', kind: 'text' },
  Comment: { name: 'exif:UserComment', kind: 'lang-alt' },
  Source: { name: 'xmp:CreatorTool', kind: 'text' }, // the device that made the image
};

/** The texts that have a standard XMP home, as XMP properties. */
export function pngTextsAsXmp(texts: readonly PngText[]): XmpProperty[] {
  const out: XmpProperty[] = [];
  for (const { keyword, text } of texts) {
    const mapped = XMP_OF_KEYWORD[keyword];
    if (!mapped || !text.trim()) continue;
    const value = keyword === 'Creation Time' ? isoDate(text) : text;
    if (value !== undefined) out.push({ ...mapped, values: [value] });
  }
  return out;
}
