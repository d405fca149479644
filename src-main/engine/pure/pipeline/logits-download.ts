// Reading a logits row that the decoder left on the device ('gpu-buffer') into host memory: a
// one-node Identity session on the same provider whose output is placed at 'cpu'. onnxruntime-node
// has no other way (tensor.getData() on a gpu-buffer tensor aborts the process in 1.30), and a
// session on the same provider shares the device with the decoder's (measured on lavapipe:
// 1.7 ms per 73728-logit row, equal to the decoder's CPU logits within 2.2e-6).
import * as ort from 'onnxruntime-node';
import { encodeModel, GraphBuilder } from '../../onnx/onnx-builder';
import { HostTraffic } from '../../runtime/host-traffic';

export class LogitsDownload {
  /** What the reads brought down. */
  readonly traffic = new HostTraffic();

  private constructor(private readonly session: ort.InferenceSession) {}

  static async create(provider: string): Promise<LogitsDownload> {
    const g = new GraphBuilder('logits_download');
    g.addInput({ name: 'x', elementType: 'float32', shape: ['batch', 'n', 'vocab'] });
    g.addNode({ opType: 'Identity', inputs: ['x'], outputs: ['y'] });
    g.addOutput({ name: 'y', elementType: 'float32', shape: ['batch', 'n', 'vocab'] });
    return new LogitsDownload(await ort.InferenceSession.create(encodeModel({ graph: g }), { executionProviders: [provider], preferredOutputLocation: 'cpu' }));
  }

  /** (batch, n, vocab) on the device -> the same values in host memory, row-major. */
  async read(logits: ort.Tensor): Promise<Float32Array> {
    if (logits.location === 'cpu') return logits.data as Float32Array;
    const out = await this.traffic.run(this.session, { x: logits });
    return out.y.data as Float32Array;
  }

  release(): Promise<void> {
    return this.session.release();
  }
}
