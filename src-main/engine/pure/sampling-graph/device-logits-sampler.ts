// The device sampler behind the generation loop's LogitsSampler, over logits the decoder left on
// the device ('gpu-buffer' tensors): per token only the step's few scalars go up and the token,
// entropy and margins come down; `read` brings a step's logits to the host only for a redo.
import type * as ort from 'onnxruntime-node';
import type { LogitsSampler } from '../generation/logits-sampler';
import type { DeviceSampler } from './device-sampler';

export function deviceLogitsSampler(sampler: DeviceSampler, read: (logits: ort.Tensor) => Promise<Float32Array>): LogitsSampler<ort.Tensor> {
  return {
    usesCfg: sampler.usesCfg,
    widthOf: (logits) => logits.dims[logits.dims.length - 1], // (1, 1, vocab)
    sample: (logits, step, rng) => sampler.sampleTensors(logits, step, rng, read),
  };
}
