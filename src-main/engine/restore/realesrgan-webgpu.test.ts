// Real-ESRGAN on WebGPU gives the CPU's result: both engines, fp32, within 50 dB PSNR (over all
// three channels, on 16-bit outputs so quantisation does not hide a difference). On the project's
// machines WebGPU is Mesa's lavapipe (scripts/install-lavapipe.sh; CI installs it); where no
// adapter exists the test skips and says why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RasterImage } from '../image/types';
import { webgpuUnavailable } from '../../testing/webgpu-adapter';
import { chelseaCrop, upscaleOn } from '../../testing/upscale-on-provider';

const skip = await webgpuUnavailable();
// The card runs fp16 graphs by default (fp16-graph-cache.ts; realesrgan-fp16.test.ts): this is the fp32 bound.
process.env.PURE_STUDIO_WEBGPU_FP16 = '0';

/** PSNR in dB over every sample of two same-sized rasters, on the 0..255 scale. */
function rgbPsnr(a: RasterImage, b: RasterImage): number {
  const max = a.bitDepth === 16 ? 65535 : 255;
  let se = 0;
  for (let i = 0; i < a.data.length; i++) se += ((a.data[i] - b.data[i]) / max) ** 2;
  return se === 0 ? Infinity : 10 * Math.log10(a.data.length / se);
}

for (const engine of ['realesrgan-x4fast', 'realesrgan-x4plus']) {
  test(`${engine} on webgpu matches the CPU within 50 dB (fp32)`, { skip, timeout: 600_000 }, async () => {
    const rgb = await chelseaCrop();
    const cpu = await upscaleOn(engine, 'cpu', rgb);
    const gpu = await upscaleOn(engine, 'webgpu', rgb);
    assert.equal(gpu.provider, 'webgpu');
    const db = rgbPsnr(gpu.out, cpu.out);
    console.log(`${engine}: webgpu vs cpu ${db.toFixed(1)} dB`);
    assert.ok(db >= 50, `${engine}: webgpu differs from the CPU: ${db.toFixed(1)} dB < 50 dB`);
  });
}
