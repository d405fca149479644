// Proves an ONNX graph works, not just that its bytes arrived: onnxruntime loads it and runs it
// once on zeros (symbolic dimensions set to 1). Used to validate a package before it is marked
// ready; a truncated or garbled graph fails here with MODEL_FORMAT instead of at restore time.
import * as ort from 'onnxruntime-node';
import { basename } from 'node:path';
import { EngineError } from '../common/errors';

function zeros(type: string, dims: number[]): ort.Tensor {
  const n = dims.reduce((a, b) => a * b, 1);
  switch (type) {
    case 'float32':
      return new ort.Tensor('float32', new Float32Array(n), dims);
    case 'float16':
      return new ort.Tensor('float16', new Uint16Array(n), dims);
    case 'int64':
      return new ort.Tensor('int64', new BigInt64Array(n), dims);
    case 'int32':
      return new ort.Tensor('int32', new Int32Array(n), dims);
    case 'uint8':
      return new ort.Tensor('uint8', new Uint8Array(n), dims);
    case 'bool':
      return new ort.Tensor('bool', new Uint8Array(n), dims);
    default:
      throw new Error(`input type ${type} is not supported by the check`);
  }
}

export async function runOnnxOnce(path: string): Promise<void> {
  let session: ort.InferenceSession | undefined;
  try {
    session = await ort.InferenceSession.create(path, { logSeverityLevel: 4, intraOpNumThreads: 1 });
    const feeds: Record<string, ort.Tensor> = {};
    for (const input of session.inputMetadata) {
      if (!input.isTensor) throw new Error(`input ${input.name} is not a tensor`);
      const dims = input.shape.map((d) => (typeof d === 'number' && d > 0 ? d : 1));
      feeds[input.name] = zeros(input.type, dims);
    }
    await session.run(feeds);
  } catch (error) {
    const detail = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    throw new EngineError('MODEL_FORMAT', `${basename(path)} is not a working ONNX model: ${detail}`, undefined, { cause: error });
  } finally {
    await session?.release();
  }
}
