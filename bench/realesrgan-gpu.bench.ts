// Real-ESRGAN on a graphics card against the CPU: seconds per input megapixel for both engines at
// 512x512 and 2000x1500 (--dry: 64x64 and 96x72, for trying it anywhere), with each engine's
// default tiling, in this process (no worker: it runs bundled in the GPU kit, scripts/gpu-bench.sh).
// x4fast is the real model when given or installed. x4plus (67 MB) does not fit the kit: there it
// is a BENCHMARK MODEL, its real graph (.param) with seeded random weights, the same work per
// pixel. On a card each engine also runs its fp16 graph (onnx-fp16.ts, what the app loads on
// WebGPU), with its PSNR from the same card's fp32 output (16-bit; meaningful for real weights only).
// Prints numbers; asserts nothing.
// Usage: tsx bench/realesrgan-gpu.bench.ts [--providers webgpu,cpu] [--dry] [--kit <dir>]
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { rasterRectToNCHW } from '../src-main/engine/common/raster-ops';
import { TileAccumulator, tileReadRect } from '../src-main/engine/common/tile-accumulator';
import { planTiles } from '../src-main/engine/common/tiling';
import type { RasterImage } from '../src-main/engine/image/types';
import { convertNcnnToOnnx } from '../src-main/engine/ncnn/ncnn-to-onnx';
import { fp16Model } from '../src-main/engine/onnx/onnx-fp16';
import { realesrganTileSettings } from '../src-main/engine/restore/realesrgan-tiling';
import { benchmarkNcnnBin } from './benchmark-ncnn-bin';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const providers = (flag('--providers') ?? 'webgpu,cpu').split(',');
const dry = args.includes('--dry');
const kit = flag('--kit');
const sizes: [number, number][] = dry ? [[64, 64], [96, 72]] : [[512, 512], [2000, 1500]];
ort.env.logLevel = 'error';

const ENGINES = [
  { id: 'realesrgan-x4fast', pad: 24 },
  { id: 'realesrgan-x4plus', pad: 40 },
];

/** The engine's ONNX graph and what it is: the installed model, or the kit's copy, or a benchmark model. */
async function modelFor(id: string): Promise<{ onnx: string | Uint8Array; label: string }> {
  if (kit && existsSync(join(kit, `${id}.onnx`))) return { onnx: join(kit, `${id}.onnx`), label: 'real weights' };
  if (kit && existsSync(join(kit, `${id}.param`))) {
    const param = readFileSync(join(kit, `${id}.param`), 'utf8');
    return { onnx: convertNcnnToOnnx(param, benchmarkNcnnBin(param, 1)).onnx, label: 'BENCHMARK MODEL (seeded random weights)' };
  }
  const { locateModel } = await import('../src-main/engine/models/model-store');
  return { onnx: (await locateModel(id)).onnxPath, label: 'real weights' };
}

/** A photo-like test card: gradients and seeded noise (no image decoder in the kit). */
function testCard(width: number, height: number): RasterImage {
  const data = new Uint8Array(width * height * 3);
  let s = 12345;
  for (let i = 0; i < width * height; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    const x = i % width;
    const y = Math.floor(i / width);
    data[3 * i] = (x * 255) / width;
    data[3 * i + 1] = (y * 255) / height;
    data[3 * i + 2] = s >>> 24;
  }
  return { width, height, channels: 3, bitDepth: 8, data };
}

async function secondsFor(session: ort.InferenceSession, rgb: RasterImage, engine: string, pad: number): Promise<{ seconds: number; out: ArrayLike<number> }> {
  const plan = planTiles(rgb.width, rgb.height, realesrganTileSettings(engine, pad));
  const acc = new TileAccumulator(plan, 4, rgb.width, rgb.height, 16);
  const t = performance.now();
  for (let row = 0; row < plan.ys.length; row++) {
    for (let col = 0; col < plan.xs.length; col++) {
      const r = tileReadRect(plan, row, col);
      const input = new ort.Tensor('float32', rasterRectToNCHW(rgb, r.x, r.y, r.width, r.height), [1, 3, r.height, r.width]);
      const out = (await session.run({ [session.inputNames[0]]: input }))[session.outputNames[0]];
      acc.add(row, col, { data: out.data as Float32Array, width: out.dims[3], height: out.dims[2] });
    }
  }
  const out = acc.finish();
  return { seconds: (performance.now() - t) / 1000, out };
}

function psnr16(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let se = 0;
  for (let i = 0; i < a.length; i++) se += ((a[i] - b[i]) / 65535) ** 2;
  return se === 0 ? Infinity : 10 * Math.log10(a.length / se);
}

console.log('engine              weights                                   provider  graph size         s          s/input MP  fp16 vs fp32');
for (const engine of ENGINES) {
  const model = await modelFor(engine.id);
  for (const provider of providers) {
    const fp32: ArrayLike<number>[] = [];
    for (const graph of provider === 'cpu' ? ['fp32'] : ['fp32', 'fp16']) {
      let session: ort.InferenceSession;
      try {
        const options = { executionProviders: [provider], graphOptimizationLevel: 'all' as const, logSeverityLevel: 3 as const };
        const onnx = graph === 'fp32' ? model.onnx : fp16Model(typeof model.onnx === 'string' ? new Uint8Array(readFileSync(model.onnx)) : model.onnx);
        session = typeof onnx === 'string' ? await ort.InferenceSession.create(onnx, options) : await ort.InferenceSession.create(onnx, options);
      } catch (error) {
        console.log(`${engine.id.padEnd(20)}${provider} ${graph}: cannot load (${String(error).split('\n')[0].slice(0, 120)})`);
        continue;
      }
      await secondsFor(session, testCard(32, 32), engine.id, engine.pad); // warm-up: shaders, arena
      for (const [i, [w, h]] of sizes.entries()) {
        const { seconds, out } = await secondsFor(session, testCard(w, h), engine.id, engine.pad);
        if (graph === 'fp32') fp32[i] = out;
        const db = graph === 'fp16' && fp32[i] ? `${psnr16(out, fp32[i]).toFixed(1)} dB` : '';
        console.log(`${engine.id.padEnd(20)}${model.label.padEnd(42)}${provider.padEnd(10)}${graph.padEnd(6)}${`${w}x${h}`.padEnd(13)}${seconds.toFixed(2).padStart(7)}${(seconds / ((w * h) / 1e6)).toFixed(1).padStart(14)}  ${db}`);
      }
      await session.release();
    }
  }
}
