// XMP text edits and IPTC containers, checked on hand-written packets and records.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inflateSync } from 'node:zlib';
import { iptcAsXmp, iptcFromPngProfile, iptcFromResources, jpegApp13Payload, pngIptcProfile } from './iptc';
import { addXmpProperties, updateXmpSizes } from './xmp-edit';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array | undefined): string => new TextDecoder().decode(b);

test('size properties follow the output in attribute and element form; other units and numbers stay', () => {
  const xmp = `<rdf:Description tiff:ImageWidth="64" tiff:ImageLength='48' exif:PixelXDimension="64">
    <exif:PixelYDimension>48</exif:PixelYDimension><xmp:Rating>4</xmp:Rating>
    <mwg-rs:AppliedToDimensions stDim:w="64" stDim:h="48" stDim:unit="pixel"/>
    <xmpTPg:MaxPageSize stDim:w="8.5" stDim:h="11" stDim:unit="inch"/>
    <mwg-rs:AppliedToDimensions rdf:parseType="Resource"><stDim:w>10</stDim:w><stDim:h>7</stDim:h><stDim:unit>inch</stDim:unit></mwg-rs:AppliedToDimensions>`;
  const out = dec(updateXmpSizes(enc(xmp), 256, 192));
  assert.match(out, /tiff:ImageWidth="256" tiff:ImageLength='192' exif:PixelXDimension="256"/);
  assert.match(out, /<exif:PixelYDimension>192<\/exif:PixelYDimension><xmp:Rating>4</);
  assert.match(out, /AppliedToDimensions stDim:w="256" stDim:h="192" stDim:unit="pixel"/);
  assert.match(out, /MaxPageSize stDim:w="8.5" stDim:h="11"/);
  assert.match(out, /<stDim:w>10<\/stDim:w><stDim:h>7<\/stDim:h><stDim:unit>inch/);
});

test('added properties never repeat one the packet states, and a missing packet is built', () => {
  const xmp = enc('<x:xmpmeta><rdf:RDF><rdf:Description dc:title="Kept"/></rdf:RDF></x:xmpmeta>');
  const out = dec(addXmpProperties(xmp, [
    { name: 'dc:title', kind: 'lang-alt', values: ['Dropped'] },
    { name: 'photoshop:City', kind: 'text', values: ['Nice & <Cannes>'] },
  ]));
  assert.doesNotMatch(out, /Dropped/);
  assert.match(out, /xmlns:photoshop="http:\/\/ns.adobe.com\/photoshop\/1.0\/"><photoshop:City>Nice &amp; &lt;Cannes&gt;<\/photoshop:City><\/rdf:Description>\n<\/rdf:RDF>/);
  const fresh = dec(addXmpProperties(undefined, [{ name: 'dc:subject', kind: 'bag', values: ['a', 'b'] }]));
  assert.match(fresh, /^<\?xpacket begin=/);
  assert.match(fresh, /<dc:subject><rdf:Bag><rdf:li>a<\/rdf:li><rdf:li>b<\/rdf:li><\/rdf:Bag><\/dc:subject>/);
  assert.equal(addXmpProperties(undefined, []), undefined);
});

/** IPTC records: 1:90 = UTF-8, 2:25 Keywords x2, 2:90 City, 2:55 DateCreated. */
function records(): Uint8Array {
  const set = (r: number, d: number, value: string | Uint8Array): Buffer => {
    const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value);
    return Buffer.concat([Buffer.from([0x1c, r, d, bytes.length >> 8, bytes.length & 255]), bytes]);
  };
  return Buffer.concat([set(1, 90, '\x1b%G'), set(2, 25, 'family'), set(2, 25, 'plage'), set(2, 90, 'Łódź'), set(2, 55, '19620714')]);
}

test('IPTC records survive the JPEG APP13 and PNG raw-profile containers and map to XMP', () => {
  const iptc = records();
  const app13 = jpegApp13Payload(iptc);
  assert.equal(Buffer.from(app13.subarray(0, 14)).toString('latin1'), 'Photoshop 3.0\0');
  assert.deepEqual(iptcFromResources(app13), iptc);
  const ztxt = pngIptcProfile(iptc);
  const keywordEnd = ztxt.indexOf(0);
  assert.equal(Buffer.from(ztxt.subarray(0, keywordEnd)).toString('latin1'), 'Raw profile type iptc');
  const text = inflateSync(ztxt.subarray(keywordEnd + 2)).toString('latin1');
  assert.deepEqual(iptcFromPngProfile(text), iptc);
  assert.deepEqual(iptcAsXmp(iptc), [
    { name: 'dc:subject', kind: 'bag', values: ['family', 'plage'] },
    { name: 'photoshop:City', kind: 'text', values: ['Łódź'] },
    { name: 'photoshop:DateCreated', kind: 'text', values: ['1962-07-14'] },
  ]);
});
