// Writes an eval's results: results.json (everything, degradation steps included), results.csv
// (one row per image and engine), results.md (per-image and mean tables) and index.html with
// side-by-side crops of the input, each engine and the ground truth.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { UNAVAILABLE_METRICS } from '../engine/quality/metrics';
import type { EvalResults, MetricValues } from './eval-run';
import { SCALE } from './eval-run';

const CROP = 96; // ground-truth pixels shown per crop (shown at 2x)

const fmt = (v: number | null | undefined, digits: number): string => (v === null || v === undefined || Number.isNaN(v) ? 'n/a' : v.toFixed(digits));

export function csvOf(results: EvalResults): string {
  const ids = results.metrics.map((m) => m.id);
  const lines = [['image', 'engine', ...ids, 'seconds'].join(',')];
  const cell = (v: number | null | undefined): string => (v === null || v === undefined ? '' : String(v));
  for (const r of results.rows) lines.push([JSON.stringify(r.image), r.engine, ...ids.map((id) => cell(r.metrics[id])), cell(r.seconds)].join(','));
  return `${lines.join('\n')}\n`;
}

export function markdownOf(results: EvalResults): string {
  const { metrics } = results;
  const header = metrics.map((m) => `${m.label} ${m.better === 'higher' ? '↑' : '↓'}`).join(' | ');
  // A metric missing from a row was not measured there (full-reference ones on the ground truth): blank.
  const values = (v: MetricValues): string => metrics.map((m) => (m.id in v ? fmt(v[m.id], m.digits) : '')).join(' | ');
  const lines = [
    `Degradation \`${results.degradation}\`, seed ${results.seed}, x${results.scale}; ${results.images.length} photos` +
      `${results.crop ? ` (centre crops of ${results.crop}x${results.crop})` : ''}. Full-reference metrics on Y (BT.601) with ${results.cropBorder} border pixels cropped; NIQE on Y with the same crop; seconds per image exclude model loading. ` +
      `Not measured (no network weights here): ${UNAVAILABLE_METRICS.map((m) => m.label).join(', ')}.`,
    '',
    '### Means',
    '',
    `| engine | images | ${header} | s / image |`,
    `|---|---|${metrics.map(() => '---|').join('')}---|`,
    ...results.means.map((m) => `| ${m.engine} | ${m.images} | ${values(m.metrics)} | ${fmt(m.seconds, 2)} |`),
    `| *ground truth* | ${results.images.length} | ${values(results.groundTruthMeans)} | |`,
    '',
    '### Per image',
    '',
    `| image | engine | ${header} | s |`,
    `|---|---|${metrics.map(() => '---|').join('')}---|`,
  ];
  for (const img of results.images) {
    for (const r of results.rows.filter((x) => x.image === img.name)) lines.push(`| ${img.name} | ${r.engine} | ${values(r.metrics)} | ${fmt(r.seconds, 2)} |`);
    lines.push(`| ${img.name} | *ground truth* | ${values(img.groundTruth)} | |`);
  }
  return `${lines.join('\n')}\n`;
}

const escape = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** Crops of the same region from the input (nearest x4), every engine's output and the ground truth. */
async function writeCrops(results: EvalResults, out: string): Promise<Map<string, string[]>> {
  const made = new Map<string, string[]>();
  for (const img of results.images) {
    const dir = join(out, 'images', img.stem);
    const side = Math.floor(Math.min(CROP, img.hq.width, img.hq.height) / SCALE) * SCALE;
    const left = Math.floor((img.hq.width - side) / 2 / SCALE) * SCALE;
    const top = Math.floor((img.hq.height - side) / 2 / SCALE) * SCALE;
    const crops = join(out, 'crops', img.stem);
    await mkdir(crops, { recursive: true });
    const labels = ['input', ...results.engines, 'ground truth'];
    for (const label of labels) {
      const target = join(crops, `${label.replace(/\W+/g, '_')}.png`);
      if (label === 'input') {
        await sharp(join(dir, 'lq.png')).extract({ left: left / SCALE, top: top / SCALE, width: side / SCALE, height: side / SCALE }).resize(side, side, { kernel: 'nearest' }).png().toFile(target);
      } else {
        await sharp(join(dir, label === 'ground truth' ? 'hq.png' : `${label}.png`)).extract({ left, top, width: side, height: side }).png().toFile(target);
      }
    }
    made.set(img.stem, labels);
  }
  return made;
}

export function htmlOf(results: EvalResults, crops: Map<string, string[]>): string {
  const describe = (v: MetricValues): string => results.metrics.map((m) => `${m.id.toUpperCase()} ${fmt(v[m.id], m.digits)}`).join(' · ');
  const metric = (image: string, label: string): string => {
    const img = results.images.find((x) => x.name === image);
    if (label === 'ground truth' && img) return describe(img.groundTruth);
    const r = results.rows.find((x) => x.image === image && x.engine === label);
    return r ? describe(r.metrics) : '';
  };
  const sections = results.images.map((img) => {
    const cells = (crops.get(img.stem) ?? []).map((label) => {
      const src = `crops/${encodeURIComponent(img.stem)}/${label.replace(/\W+/g, '_')}.png`;
      return `<figure><img src="${src}" alt="${escape(label)}"><figcaption><b>${escape(label)}</b><br>${escape(metric(img.name, label))}</figcaption></figure>`;
    });
    return `<section><h2>${escape(img.name)}</h2><div class="row">${cells.join('')}</div></section>`;
  });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>PURE Studio eval</title>
<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}
.row{display:flex;gap:8px;flex-wrap:wrap}figure{margin:0}img{width:192px;height:192px;image-rendering:pixelated}figcaption{font-size:12px;max-width:192px}</style></head>
<body><h1>PURE Studio eval</h1><p>${escape(`Degradation ${results.degradation}, seed ${results.seed}, x${results.scale}.`)}</p>
<table><tr><th>engine</th>${results.metrics.map((m) => `<th>${escape(m.label)}</th>`).join('')}<th>s / image</th></tr>
${results.means.map((m) => `<tr><td>${escape(m.engine)}</td>${results.metrics.map((x) => `<td>${fmt(m.metrics[x.id], x.digits)}</td>`).join('')}<td>${fmt(m.seconds, 2)}</td></tr>`).join('\n')}
</table>
${sections.join('\n')}
</body></html>
`;
}

/** Writes results.{json,csv,md}, the crops and index.html into `out`. */
export async function writeReport(results: EvalResults, out: string): Promise<string[]> {
  const files = ['results.json', 'results.csv', 'results.md', 'index.html'].map((f) => join(out, f));
  await writeFile(files[0], `${JSON.stringify(results, null, 2)}\n`);
  await writeFile(files[1], csvOf(results));
  await writeFile(files[2], markdownOf(results));
  await writeFile(files[3], htmlOf(results, await writeCrops(results, out)));
  return files;
}
