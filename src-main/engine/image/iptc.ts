// IPTC-IIM (the "IPTC" of Keywords, Caption-Abstract, By-line, City...) in the containers each
// format has for it: a Photoshop resource (8BIM 0x0404) in JPEG APP13, the TIFF tag 33723, and
// for PNG the "Raw profile type iptc" text chunk that ImageMagick and ExifTool read and write.
// Formats with no IPTC container (WebP, AVIF) get the fields as their standard XMP properties
// (IPTC Core / MWG mapping).
import { deflateSync } from 'node:zlib';
import type { XmpProperty } from './xmp-edit';

const PHOTOSHOP_ID = 'Photoshop 3.0\0';
const RESOURCE_IPTC = 0x0404;
const latin1 = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));

function startsWith(bytes: Uint8Array, text: string, at = 0): boolean {
  if (at + text.length > bytes.length) return false;
  for (let i = 0; i < text.length; i++) if (bytes[at + i] !== text.charCodeAt(i)) return false;
  return true;
}

/** The IPTC records inside Photoshop image resources (with or without the APP13 "Photoshop 3.0" id). */
export function iptcFromResources(resources: Uint8Array): Uint8Array | undefined {
  const view = new DataView(resources.buffer, resources.byteOffset, resources.byteLength);
  let at = startsWith(resources, PHOTOSHOP_ID) ? PHOTOSHOP_ID.length : 0;
  while (at + 12 <= resources.length && startsWith(resources, '8BIM', at)) {
    const id = view.getUint16(at + 4);
    const nameLength = resources[at + 6];
    const sizeAt = at + 6 + ((nameLength + 2) & ~1); // Pascal name padded to an even length
    if (sizeAt + 4 > resources.length) return undefined;
    const size = view.getUint32(sizeAt);
    const dataAt = sizeAt + 4;
    if (dataAt + size > resources.length) return undefined;
    if (id === RESOURCE_IPTC) return size > 0 ? resources.slice(dataAt, dataAt + size) : undefined;
    at = dataAt + size + (size & 1);
  }
  return undefined;
}

/** One Photoshop resource block holding just the IPTC records (no stale thumbnail or resolution). */
export function iptcResource(iptc: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + iptc.length + (iptc.length & 1));
  out.set(latin1('8BIM'), 0);
  const view = new DataView(out.buffer);
  view.setUint16(4, RESOURCE_IPTC);
  view.setUint32(8, iptc.length); // bytes 6-7: empty name, padded
  out.set(iptc, 12);
  return out;
}

/** The JPEG APP13 payload for `iptc`. */
export function jpegApp13Payload(iptc: Uint8Array): Uint8Array {
  return Buffer.concat([latin1(PHOTOSHOP_ID), iptcResource(iptc)]);
}

/** The zTXt chunk data (keyword onwards) of a PNG "Raw profile type iptc": hex text, as ImageMagick writes it. */
export function pngIptcProfile(iptc: Uint8Array): Uint8Array {
  const resource = iptcResource(iptc);
  const hex = Buffer.from(resource).toString('hex').replace(/.{1,72}/g, '$&\n');
  const text = `\nIPTC profile\n${String(resource.length).padStart(8)}\n${hex}`;
  return Buffer.concat([latin1('Raw profile type iptc\0\0'), deflateSync(Buffer.from(text, 'latin1'))]);
}

/** IPTC records from the text of a PNG "Raw profile type iptc" chunk, as sharp returns it. */
export function iptcFromPngProfile(text: string): Uint8Array | undefined {
  const match = /^\s*\S[^\n]*\n\s*(\d+)\s*\n([0-9a-fA-F\s]+)$/.exec(text);
  if (!match) return undefined;
  const bytes = Buffer.from(match[2].replace(/\s+/g, ''), 'hex');
  if (bytes.length !== Number(match[1])) return undefined;
  return startsWith(bytes, '8BIM') ? iptcFromResources(bytes) : new Uint8Array(bytes);
}

interface DataSet {
  record: number;
  dataset: number;
  value: Uint8Array;
}

function readDataSets(iptc: Uint8Array): DataSet[] {
  const out: DataSet[] = [];
  let at = 0;
  while (at + 5 <= iptc.length && iptc[at] === 0x1c) {
    const length = (iptc[at + 3] << 8) | iptc[at + 4];
    if (length & 0x8000) break; // extended lengths: only for binary data sets, never text fields
    if (at + 5 + length > iptc.length) break;
    out.push({ record: iptc[at + 1], dataset: iptc[at + 2], value: iptc.subarray(at + 5, at + 5 + length) });
    at += 5 + length;
  }
  return out;
}

function decodeText(bytes: Uint8Array, utf8: boolean): string {
  if (!utf8) {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes); // undeclared UTF-8 is common
    } catch {
      return Buffer.from(bytes).toString('latin1');
    }
  }
  return new TextDecoder('utf-8').decode(bytes);
}

/** IPTC application-record data sets and the XMP property each maps to (IPTC Core, MWG). */
const XMP_OF_DATASET: Readonly<Record<number, Omit<XmpProperty, 'values'>>> = {
  5: { name: 'dc:title', kind: 'lang-alt' }, // ObjectName
  25: { name: 'dc:subject', kind: 'bag' }, // Keywords
  40: { name: 'photoshop:Instructions', kind: 'text' },
  55: { name: 'photoshop:DateCreated', kind: 'text' },
  80: { name: 'dc:creator', kind: 'seq' }, // By-line
  85: { name: 'photoshop:AuthorsPosition', kind: 'text' },
  90: { name: 'photoshop:City', kind: 'text' },
  92: { name: 'Iptc4xmpCore:Location', kind: 'text' },
  95: { name: 'photoshop:State', kind: 'text' },
  100: { name: 'Iptc4xmpCore:CountryCode', kind: 'text' },
  101: { name: 'photoshop:Country', kind: 'text' },
  105: { name: 'photoshop:Headline', kind: 'text' },
  110: { name: 'photoshop:Credit', kind: 'text' },
  115: { name: 'photoshop:Source', kind: 'text' },
  116: { name: 'dc:rights', kind: 'lang-alt' }, // CopyrightNotice
  120: { name: 'dc:description', kind: 'lang-alt' }, // Caption-Abstract
  122: { name: 'photoshop:CaptionWriter', kind: 'text' },
};

/** The IPTC fields as XMP properties, for outputs that cannot hold IPTC-IIM. */
export function iptcAsXmp(iptc: Uint8Array): XmpProperty[] {
  const sets = readDataSets(iptc);
  // 1:90 "ESC % G" declares UTF-8.
  const utf8 = sets.some((s) => s.record === 1 && s.dataset === 90 && startsWith(s.value, '\x1b%G'));
  const byName = new Map<string, XmpProperty>();
  for (const set of sets) {
    const mapped = set.record === 2 ? XMP_OF_DATASET[set.dataset] : undefined;
    if (!mapped) continue;
    let text = decodeText(set.value, utf8).trim();
    if (set.dataset === 55 && /^\d{8}$/.test(text)) text = `${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6)}`;
    if (!text) continue;
    const property = byName.get(mapped.name) ?? { ...mapped, values: [] };
    if (property.kind === 'bag' || property.kind === 'seq' || property.values.length === 0) property.values.push(text);
    byName.set(mapped.name, property);
  }
  return [...byName.values()];
}
