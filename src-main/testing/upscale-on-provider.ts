// For the tests that compare Real-ESRGAN on a graphics card with the CPU: one real photo's crop
// (fur, an edge and flat background; kept small, lavapipe runs shaders on the CPU), and one
// untiled 16-bit upscale of it by an installed engine on one named provider.
import sharp from 'sharp';
import type { RasterImage } from '../engine/image/types';
import { catalogEntry } from '../engine/models/catalog';
import { locateModel } from '../engine/models/model-store';
import { Upscaler } from '../engine/restore/upscaler';
import { photo } from './fixtures';

export async function chelseaCrop(): Promise<RasterImage> {
  const { data, info } = await sharp(photo('chelsea.png')).extract({ left: 150, top: 60, width: 40, height: 32 }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: 3, bitDepth: 8, data: new Uint8Array(data) };
}

/** The engine's x4 result for `rgb` in one tile, 16-bit, and the provider that ran it. */
export async function upscaleOn(engine: string, provider: 'cpu' | 'webgpu', rgb: RasterImage): Promise<{ out: RasterImage; provider: string }> {
  const upscaler = await Upscaler.load((await locateModel(engine)).onnxPath, { scale: 4, pad: catalogEntry(engine).tilePad }, [provider], 0);
  try {
    return { out: await upscaler.upscale(rgb, { tile: 4096, bitDepth: 16 }), provider: upscaler.provider };
  } finally {
    await upscaler.close();
  }
}
