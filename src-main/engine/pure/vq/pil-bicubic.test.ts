// PIL-compatible bicubic: hand-computed values, and (where Debian's python3-pil is installed)
// byte equality with Pillow itself on real photo crops, with sharp's cubic measured alongside.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { photo, tempDir } from '../../../testing/fixtures';
import { resizeBicubicPil } from './pil-bicubic';

test('hand-computed: a 2 -> 4 upscale of [100, 200] and constant images', () => {
  // Output 0: centre 0.25, taps x=0,1 with cubic(0.25) = 0.8671875, cubic(1.25) = -0.0703125,
  // normalised -> 100 * 1.0882 - 200 * 0.0882 = 91.18 -> 91. Output 1: centre 0.75, cubic(0.25),
  // cubic(0.75) = 0.2265625 -> 100 * 0.7929 + 200 * 0.2071 = 120.71 -> 121. 2 and 3 mirror them.
  const grey = (v: number[]): Uint8Array => Uint8Array.from(v.flatMap((x) => [x, x, x]));
  assert.deepEqual(resizeBicubicPil(grey([100, 200]), 2, 1, 3, 4, 1), grey([91, 121, 179, 209]));
  for (const [w, h, ow, oh] of [[7, 5, 512, 512], [300, 200, 97, 61]]) {
    const out = resizeBicubicPil(new Uint8Array(w * h * 3).fill(77), w, h, 3, ow, oh);
    assert.ok(out.length === ow * oh * 3 && out.every((v) => v === 77));
  }
});

const PYTHON = '/usr/bin/python3';
const hasPil = spawnSync(PYTHON, ['-c', 'import PIL'], { stdio: 'ignore' }).status === 0;

test('equals Pillow byte for byte on photo crops; sharp cubic does not', { skip: hasPil ? false : 'no python3-pil', timeout: 60_000 }, async (t) => {
  const dir = tempDir('pure-pil-');
  const cases = [
    { left: 0, top: 0, w: 128, h: 128, ow: 512, oh: 512 }, // x4
    { left: 100, top: 40, w: 256, h: 256, ow: 512, oh: 512 }, // x2
    { left: 0, top: 0, w: 451, h: 300, ow: 512, oh: 512 }, // non-uniform
    { left: 0, top: 0, w: 451, h: 300, ow: 200, oh: 133 }, // shrink (antialiased)
  ];
  for (const [i, c] of cases.entries()) {
    const src = await sharp(photo('chelsea.png')).removeAlpha().extract({ left: c.left, top: c.top, width: c.w, height: c.h }).raw().toBuffer();
    const input = join(dir, `in${i}.raw`);
    const output = join(dir, `out${i}.raw`);
    writeFileSync(input, src);
    const script = [
      'import sys; from PIL import Image',
      `im = Image.frombytes('RGB', (${c.w}, ${c.h}), open(sys.argv[1], 'rb').read())`,
      `open(sys.argv[2], 'wb').write(im.resize((${c.ow}, ${c.oh}), Image.BICUBIC).tobytes())`,
    ].join('\n');
    const run = spawnSync(PYTHON, ['-c', script, input, output], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const want = new Uint8Array(readFileSync(output));
    assert.deepEqual(resizeBicubicPil(new Uint8Array(src), c.w, c.h, 3, c.ow, c.oh), want);

    const viaSharp = await sharp(src, { raw: { width: c.w, height: c.h, channels: 3 } }).resize(c.ow, c.oh, { kernel: 'cubic', fit: 'fill' }).raw().toBuffer();
    let differing = 0;
    let sum = 0;
    let max = 0;
    for (let j = 0; j < want.length; j++) {
      const d = Math.abs(want[j] - viaSharp[j]);
      differing += d ? 1 : 0;
      sum += d;
      max = Math.max(max, d);
    }
    t.diagnostic(`${c.w}x${c.h} -> ${c.ow}x${c.oh}: sharp cubic vs Pillow: ${((100 * differing) / want.length).toFixed(1)}% of samples differ, mean |diff| ${(sum / want.length).toFixed(2)}, max ${max}`);
  }
});
