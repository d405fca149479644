// A thin layer over GraphBuilder for transformer graphs: one call per node, outputs named after
// a hint (made unique), small constants as initializers. Keeps decoder-graph/-layer readable.
// Pure TypeScript: no Node built-ins.

import { float32Tensor, int64Tensor } from '../../onnx/onnx-builder';
import type { AttributeValue, GraphBuilder } from '../../onnx/onnx-builder';

/** TensorProto.DataType codes used with Cast. */
export const ONNX_TYPE = { float32: 1, bool: 9, int64: 7, float16: 10 } as const;

export class GraphOps {
  private readonly constants = new Map<string, string>();

  constructor(readonly g: GraphBuilder) {}

  /**
   * Adds one node and returns its output's name: `hint` made unique, or exactly `output` when
   * given (graph outputs such as 'logits' must keep their names).
   */
  op(opType: string, inputs: readonly string[], hint: string, attributes?: Record<string, AttributeValue>, output?: string): string {
    let name: string;
    if (output === undefined) {
      name = this.g.uniqueName(hint);
    } else {
      this.g.claim(output);
      name = output;
    }
    this.g.addNode({ opType, inputs, outputs: [name], name: `${opType}:${name}`, attributes });
    return name;
  }

  /** A node with several outputs (Split). */
  opMulti(opType: string, inputs: readonly string[], hints: readonly string[], attributes?: Record<string, AttributeValue>): string[] {
    const names = hints.map((h) => this.g.uniqueName(h));
    this.g.addNode({ opType, inputs, outputs: names, name: `${opType}:${names[0]}`, attributes });
    return names;
  }

  cast(x: string, to: keyof typeof ONNX_TYPE, hint = `${x}_${to}`): string {
    return this.op('Cast', [x], hint, { to: { type: 'int', value: ONNX_TYPE[to] } });
  }

  /** An int64 constant, shared by every use with the same values and dims. */
  i64(values: readonly number[], dims: readonly number[] = [values.length]): string {
    const key = `i64:${dims.join('x')}:${values.join(',')}`;
    let name = this.constants.get(key);
    if (name === undefined) {
      name = this.g.addInitializer(int64Tensor(`const_i64_${values.join('_').replace(/-/g, 'm')}`, dims, values));
      this.constants.set(key, name);
    }
    return name;
  }

  /** A float32 constant, shared by every use with the same values and dims. */
  f32(hint: string, values: readonly number[] | Float32Array, dims: readonly number[] = [values.length]): string {
    const key = `f32:${dims.join('x')}:${Array.from(values).join(',')}`;
    let name = this.constants.get(key);
    if (name === undefined) {
      name = this.g.addInitializer(float32Tensor(hint, dims, values instanceof Float32Array ? values : Float32Array.from(values)));
      this.constants.set(key, name);
    }
    return name;
  }

  /** A float32 scalar (rank 0). */
  scalar(hint: string, value: number): string {
    return this.f32(hint, [value], []);
  }
}
