// Text-level edits of an XMP packet: the size properties follow the output's pixels, and
// properties from other containers (PNG text, IPTC) are added where the output has no place for
// those containers. Edits are textual on purpose: the rest of the packet (other schemas,
// whitespace padding, private namespaces) reaches the output exactly as the source had it.

/** Simple properties whose value is the image's width or height in pixels. */
const SIZE_PROPERTIES: readonly [string, 'w' | 'h'][] = [
  ['tiff:ImageWidth', 'w'],
  ['tiff:ImageLength', 'h'],
  ['exif:PixelXDimension', 'w'],
  ['exif:PixelYDimension', 'h'],
];

function setSimple(text: string, name: string, value: number): string {
  const escaped = name.replace(/[-:]/g, (c) => `\\${c}`);
  return text
    .replace(new RegExp(`(\\b${escaped}\\s*=\\s*["'])\\d+(["'])`, 'g'), `$1${value}$2`)
    .replace(new RegExp(`(<${escaped}>\\s*)\\d+(\\s*</${escaped}>)`, 'g'), `$1${value}$2`);
}

/**
 * Sets tiff:ImageWidth/ImageLength, exif:PixelXDimension/PixelYDimension and the MWG regions'
 * AppliedToDimensions (in pixels) to the output size. Region areas are fractions of the image,
 * so they stay right once the dimensions they apply to are the new ones.
 */
export function updateXmpSizes(xmp: Uint8Array, width: number, height: number): Uint8Array {
  const text = new TextDecoder('utf-8').decode(xmp);
  let out = text;
  for (const [name, side] of SIZE_PROPERTIES) out = setSimple(out, name, side === 'w' ? width : height);
  out = out.replace(/<mwg-rs:AppliedToDimensions\b[\s\S]*?(?:\/>|<\/mwg-rs:AppliedToDimensions>)/g, (block) => {
    if (/stDim:unit\s*=\s*["'](?!pixel)|<stDim:unit>\s*(?!pixel)/.test(block)) return block; // another unit
    return setSimple(setSimple(block, 'stDim:w', width), 'stDim:h', height);
  });
  return out === text ? xmp : new TextEncoder().encode(out);
}

/** A property to add: simple text, a language alternative (dc:title...), or an ordered/unordered list. */
export interface XmpProperty {
  /** Qualified name with one of the prefixes in NAMESPACES, e.g. 'dc:title'. */
  name: string;
  kind: 'text' | 'lang-alt' | 'seq' | 'bag';
  values: string[];
}

export const NAMESPACES: Readonly<Record<string, string>> = {
  dc: 'http://purl.org/dc/elements/1.1/',
  xmp: 'http://ns.adobe.com/xap/1.0/',
  exif: 'http://ns.adobe.com/exif/1.0/',
  photoshop: 'http://ns.adobe.com/photoshop/1.0/',
  Iptc4xmpCore: 'http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/',
};

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function propertyXml(p: XmpProperty): string {
  const items = (attr: string): string => p.values.map((v) => `<rdf:li${attr}>${escapeXml(v)}</rdf:li>`).join('');
  if (p.kind === 'text') return `<${p.name}>${escapeXml(p.values[0])}</${p.name}>`;
  if (p.kind === 'lang-alt') return `<${p.name}><rdf:Alt>${items(' xml:lang="x-default"')}</rdf:Alt></${p.name}>`;
  const list = p.kind === 'seq' ? 'rdf:Seq' : 'rdf:Bag';
  return `<${p.name}><${list}>${items('')}</${list}></${p.name}>`;
}

/** Whether the packet already states this property (as an element or an attribute). */
function hasProperty(text: string, name: string): boolean {
  return new RegExp(`<${name}[\\s>/]|\\s${name}\\s*=`).test(text);
}

/**
 * Adds `properties` that the packet does not state yet, as one more rdf:Description (RDF allows
 * any number), or builds a packet holding just them. Undefined when there is nothing either way.
 */
export function addXmpProperties(xmp: Uint8Array | undefined, properties: XmpProperty[]): Uint8Array | undefined {
  const text = xmp ? new TextDecoder('utf-8').decode(xmp) : undefined;
  const fresh = properties.filter((p) => p.values.length > 0 && !(text && hasProperty(text, p.name)));
  if (fresh.length === 0) return xmp;
  const prefixes = [...new Set(fresh.map((p) => p.name.split(':')[0]))];
  const xmlns = prefixes.map((prefix) => ` xmlns:${prefix}="${NAMESPACES[prefix]}"`).join('');
  const description = `<rdf:Description rdf:about=""${xmlns}>${fresh.map(propertyXml).join('')}</rdf:Description>`;
  if (text && text.includes('</rdf:RDF>')) {
    return new TextEncoder().encode(text.replace('</rdf:RDF>', `${description}\n</rdf:RDF>`));
  }
  const packet =
    `<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>\n<x:xmpmeta xmlns:x="adobe:ns:meta/">` +
    `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">${description}</rdf:RDF></x:xmpmeta>\n<?xpacket end="w"?>`;
  return new TextEncoder().encode(packet);
}
