// Folding the small recent part of a two-level device cache into its big part (decoder graph
// cache 'split'): big' = Concat(big, small) along the sequence, one layer's K or V at a time, as a
// one-node session on the decoder's provider whose output stays where the cache lives. Done every
// few hundred steps, it is the only copy of the big part; a step copies only the small one.
import * as ort from 'onnxruntime-node';
import { encodeModel, GraphBuilder } from '../../onnx/onnx-builder';

export class KvFold {
  private constructor(private readonly session: ort.InferenceSession) {}

  /** `location`: where the folded part is kept ('gpu-buffer' on a GPU provider, 'cpu' on the CPU). */
  static async create(provider: string, elementType: 'float16' | 'float32', location: 'cpu' | 'gpu-buffer'): Promise<KvFold> {
    const g = new GraphBuilder('kv_fold');
    g.addInput({ name: 'big', elementType, shape: [1, 'kv_heads', 'big_seq', 'head_dim'] });
    g.addInput({ name: 'small', elementType, shape: [1, 'kv_heads', 'small_seq', 'head_dim'] });
    g.addNode({ opType: 'Concat', inputs: ['big', 'small'], outputs: ['folded'], attributes: { axis: { type: 'int', value: 2 } } });
    g.addOutput({ name: 'folded', elementType, shape: [1, 'kv_heads', 'total_seq', 'head_dim'] });
    return new KvFold(await ort.InferenceSession.create(encodeModel({ graph: g }), { executionProviders: [provider], preferredOutputLocation: location }));
  }

  /** (1, kv_heads, big + small, head_dim). The inputs are left to the caller to free. */
  async fold(big: ort.Tensor, small: ort.Tensor): Promise<ort.Tensor> {
    return (await this.session.run({ big, small })).folded;
  }

  release(): Promise<void> {
    return this.session.release();
  }
}
