// x4plus run split (body, then the head on small tiles of the feature map) against the whole
// graph, both untiled, on a crop of a real photo: the head's HEAD_PAD feature pixels of context
// must make its tiles exact (up to float rounding), and one pixel less must not be enough.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import type { RasterImage } from '../image/types';
import { locateModel } from '../models/model-store';
import { InferenceWorker } from '../runtime/inference-worker';
import { photo } from '../../testing/fixtures';
import { splitGraphs } from './realesrgan-split';
import { planSpans } from '../common/tiling';
import { HEAD_PAD, planBalancedSpans, upscaleSplit } from './split-upscale';
import { Upscaler } from './upscaler';

async function crop(width: number, height: number): Promise<RasterImage> {
  const { data } = await sharp(photo('rocket.jpg')).extract({ left: 260, top: 130, width, height }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width, height, channels: 3, bitDepth: 8, data: new Uint8Array(data) };
}

const largestDifference = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
};

test('x4plus split, head in 16 px tiles: the whole graph\'s result within 1/65535', async () => {
  const modelPath = (await locateModel('realesrgan-x4plus')).onnxPath;
  const rgb = await crop(56, 44); // head tiles 16 px: a 4x3 plan with seams both ways
  const whole = await Upscaler.load(modelPath, { scale: 4, pad: 0 }, ['cpu'], 2, { split: false });
  const reference = await whole.upscale(rgb, { tile: 4096, bitDepth: 16 }).finally(() => whole.close());

  const split = (await splitGraphs(modelPath))!;
  assert.ok(split, 'x4plus splits');
  const [body, head] = await Promise.all([InferenceWorker.start(split.body, ['cpu'], 2), InferenceWorker.start(split.head, ['cpu'], 2)]);
  try {
    const run = (headPad: number) =>
      upscaleSplit(rgb, (d, dims) => body.worker.run(d, dims), (d, dims) => head.worker.run(d, dims), {
        body: { tile: 4096, overlap: 0, pad: 0 },
        headTile: 16,
        headPad,
        scale: 4,
        bitDepth: 16,
      });
    const exact = await run(HEAD_PAD);
    assert.deepEqual([exact.width, exact.height], [reference.width, reference.height]);
    const worst = largestDifference(exact.data, reference.data);
    assert.ok(worst <= 1, `head tiles with ${HEAD_PAD} px of context: largest difference ${worst}/65535`);
    // One feature pixel less and the head's seams show: the context is needed, not just safe.
    const short = largestDifference((await run(HEAD_PAD - 1)).data, reference.data);
    assert.ok(short > 64, `with ${HEAD_PAD - 1} px the largest difference is only ${short}/65535`);
  } finally {
    await Promise.all([body.worker.close(), head.worker.close()]);
  }
});

test('balanced body spans: planSpans\' count, equal sizes within a pixel, neighbours sharing exactly the overlap, one read length', () => {
  for (const [length, tile, overlap, pad] of [
    [2000, 768, 32, 40],
    [1500, 768, 32, 40],
    [2000, 720, 32, 40],
    [513, 512, 16, 40],
    [100, 512, 32, 40],
    [1001, 97, 24, 8],
  ]) {
    const settings = { tile, overlap, pad };
    const spans = planBalancedSpans(length, settings);
    assert.equal(spans.length, planSpans(length, settings).length, `${length}/${tile}`);
    assert.equal(spans[0].start, 0);
    assert.equal(spans.at(-1)!.end, length);
    const sizes = spans.map((s) => s.end - s.start);
    assert.ok(Math.max(...sizes) <= tile && Math.max(...sizes) - Math.min(...sizes) <= 1, `${length}/${tile}: sizes ${sizes.join(', ')}`);
    for (let i = 1; i < spans.length; i++) assert.equal(spans[i - 1].end - spans[i].start, Math.min(overlap, Math.floor(tile / 4)));
    // One read length for all (one input shape for onnxruntime), each covering its span with at
    // least `pad` of context wherever the image has it.
    const read = Math.min(length, Math.max(...sizes) + 2 * pad);
    for (const s of spans) {
      assert.equal(s.readEnd - s.readStart, read);
      assert.ok(s.readStart >= 0 && s.readEnd <= length);
      assert.ok(s.readStart <= Math.max(0, s.start - pad) && s.readEnd >= Math.min(length, s.end + pad), `${length}/${tile}: read [${s.readStart}, ${s.readEnd}) for [${s.start}, ${s.end})`);
    }
  }
  // 2000 px in 768 px tiles: three of ~688, not 768 + 768 + 528.
  assert.deepEqual(planBalancedSpans(2000, { tile: 768, overlap: 32, pad: 40 }).map((s) => s.end - s.start), [688, 688, 688]);
});
