// A .bin for an ncnn .param with seeded random weights: a BENCHMARK MODEL of the real graph (the
// same work per pixel, restores nothing), for machines the real weights cannot be carried to.
// Layout as ncnn-weights.ts reads it: per Convolution a fp32 tag, the weights, the bias; per
// PReLU its slopes. Weights are small (+-0.02) so activations stay finite through deep nets.
import { paramInt, parseNcnnParam } from '../src-main/engine/ncnn/ncnn-param';
import { TAG_FP32 } from '../src-main/engine/ncnn/ncnn-weights';

export function benchmarkNcnnBin(paramText: string, seed: number): Uint8Array {
  const model = parseNcnnParam(paramText);
  const parts: number[] = []; // float32 values; the tag is written as its bit pattern
  let s = seed >>> 0 || 1;
  const rand = (): number => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return ((s >>> 0) / 2 ** 32 - 0.5) * 0.04;
  };
  const tagged: number[] = []; // indices in `parts` that hold a tag
  for (const layer of model.layers) {
    if (layer.type === 'Convolution') {
      tagged.push(parts.length);
      parts.push(0);
      for (let i = 0; i < paramInt(layer, 6, 0); i++) parts.push(rand());
      if (paramInt(layer, 5, 0)) for (let i = 0; i < paramInt(layer, 0, 0); i++) parts.push(rand());
    } else if (layer.type === 'PReLU') {
      for (let i = 0; i < paramInt(layer, 0, 0); i++) parts.push(0.25);
    }
  }
  const bin = new Float32Array(parts);
  const words = new Uint32Array(bin.buffer);
  for (const i of tagged) words[i] = TAG_FP32;
  return new Uint8Array(bin.buffer);
}
