// Whether onnxruntime's WebGPU provider can run here, for tests that need it: a one-node graph on
// 'webgpu'. On the project's CPU machines it runs on Mesa 25's lavapipe once
// scripts/install-lavapipe.sh has installed it and its environment is exported (CI does both);
// elsewhere without a GPU the tests skip with the reason this returns.
import * as ort from 'onnxruntime-node';
import { encodeModel, GraphBuilder } from '../engine/onnx/onnx-builder';

/** Why WebGPU cannot run here, or undefined when it can. */
export async function webgpuUnavailable(): Promise<string | undefined> {
  const g = new GraphBuilder('probe');
  g.addInput({ name: 'x', elementType: 'float32', shape: [4] });
  g.addNode({ opType: 'Add', inputs: ['x', 'x'], outputs: ['y'] });
  g.addOutput({ name: 'y', elementType: 'float32', shape: [4] });
  try {
    const s = await ort.InferenceSession.create(encodeModel({ graph: g }), { executionProviders: ['webgpu'], logSeverityLevel: 4 });
    await s.release();
    return undefined;
  } catch (error) {
    return `no WebGPU adapter here (${(error instanceof Error ? error.message : String(error)).split('\n')[0].slice(-120)}); scripts/install-lavapipe.sh provides a software one`;
  }
}
