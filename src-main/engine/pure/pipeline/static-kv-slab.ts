// The KV cache of the static-cache runner: per layer one K and one V buffer of `rows` sequences,
// (rows, kv_heads, capacity, head_dim), owned by JavaScript and handed to every decoder call as
// input tensors. onnxruntime-node reads CPU inputs in place (decoder/input-copy.probe.ts measured
// it: the same run time for a 1 MiB and a 512 MiB input, and a subarray view at an offset is read
// where it lies), so a step moves only the new tokens' K/V, whatever the context length.
// Row r of the buffer is a contiguous (1, kv_heads, capacity, head_dim) block: a sequence running
// alone is fed as that view, without a copy.
// The capacity grows in blocks of `growBy` slots, layer by layer (one layer's buffer is briefly
// held twice, never the whole cache): the graph attends over the whole capacity with the unused
// tail masked, so a buffer sized for the longest possible sequence would make every early step
// pay for thousands of empty slots.

import * as ort from 'onnxruntime-node';

type KvData = Float32Array | Uint16Array;

export interface SlabShape {
  layers: number;
  kvHeads: number;
  headDim: number;
  /** 'float32' for fp32 graphs, 'float16' (raw bits in a Uint16Array) for fp16 and int4 */
  type: 'float32' | 'float16';
}

export class StaticKvSlab {
  readonly lengths: number[];
  /**
   * Per row, the slots that may hold non-zero data (written since the row was last cleared or
   * moved). A fresh buffer is zero and its untouched pages are not resident, so clearing only
   * these keeps a row that is opened late (CFG's unconditional branch, when the image begins)
   * from making its whole capacity resident at once: at 7B that was 2.3 GB of zeros.
   */
  private readonly dirty: number[];
  private keys: KvData[] = [];
  private values: KvData[] = [];
  private cap = 0;
  /** Tensors over the current buffers, made once per capacity: [all rows, row 0, row 1, ...] per layer. */
  private views = new Map<string, ort.Tensor>();
  /** Copies made by growth, in bytes: for tests and benches. */
  grownBytes = 0;

  constructor(
    readonly shape: SlabShape,
    readonly rows: number,
    readonly growBy: number,
  ) {
    this.lengths = new Array<number>(rows).fill(0);
    this.dirty = new Array<number>(rows).fill(0);
  }

  get capacity(): number {
    return this.cap;
  }

  /** Bytes held by the buffers. */
  get bytes(): number {
    const element = this.shape.type === 'float32' ? 4 : 2;
    return 2 * this.shape.layers * this.rows * this.shape.kvHeads * this.cap * this.shape.headDim * element;
  }

  /** Makes room for `slots` slots per row (at least), keeping every row's valid slots. */
  reserve(slots: number): void {
    if (slots <= this.cap) return;
    const cap = Math.ceil(slots / this.growBy) * this.growBy;
    const { layers } = this.shape;
    for (let i = 0; i < layers; i++) {
      this.keys[i] = this.regrow(this.keys[i], cap);
      this.values[i] = this.regrow(this.values[i], cap);
    }
    this.cap = cap;
    // regrow() moved only the valid slots: the rest of each new row is zero.
    for (let r = 0; r < this.rows; r++) this.dirty[r] = this.lengths[r];
    this.views.clear();
  }

  /**
   * Forgets row `row` and zeroes the slots it wrote: masked slots enter softmax(...) * V as 0 * v,
   * which is 0 only for a finite v. Slots never written are still the buffer's zeros.
   */
  clearRow(row: number): void {
    this.lengths[row] = 0;
    const used = this.dirty[row] * this.shape.headDim;
    for (const data of [...this.keys, ...this.values]) {
      for (let h = 0; h < this.shape.kvHeads; h++) {
        const from = (row * this.shape.kvHeads + h) * this.cap * this.shape.headDim;
        data.fill(0, from, from + used);
      }
    }
    this.dirty[row] = 0;
  }

  /** Layer i's K or V as an input tensor: every row (rows, ...) or one row (1, ...). */
  tensor(kind: 'key' | 'value', layer: number, row?: number): ort.Tensor {
    const id = `${kind}:${layer}:${row ?? 'all'}`;
    let t = this.views.get(id);
    if (t === undefined) {
      const data = (kind === 'key' ? this.keys : this.values)[layer];
      const { kvHeads, headDim, type } = this.shape;
      t = row === undefined
        ? new ort.Tensor(type, data, [this.rows, kvHeads, this.cap, headDim])
        : new ort.Tensor(type, data.subarray(row * this.rowSize(), (row + 1) * this.rowSize()), [1, kvHeads, this.cap, headDim]);
      this.views.set(id, t);
    }
    return t;
  }

  /**
   * Appends the new tokens' K/V of one layer to row `row`: `fresh` is a graph output
   * (batch, kv_heads, seq, head_dim) and `b` the row's index in that call's batch.
   * Call advance() once all layers are written.
   */
  write(kind: 'key' | 'value', layer: number, row: number, fresh: ort.Tensor, b: number): void {
    const [, kvh, seq, hd] = fresh.dims;
    const src = fresh.data as KvData;
    const dst = (kind === 'key' ? this.keys : this.values)[layer];
    const at = this.lengths[row];
    if (at + seq > this.cap) throw new Error(`row ${row} would pass the capacity ${this.cap}`);
    this.dirty[row] = Math.max(this.dirty[row], at + seq);
    for (let h = 0; h < kvh; h++) {
      const from = (b * kvh + h) * seq * hd;
      dst.set(src.subarray(from, from + seq * hd), ((row * kvh + h) * this.cap + at) * hd);
    }
  }

  advance(row: number, seq: number): void {
    this.lengths[row] += seq;
  }

  private rowSize(): number {
    return this.shape.kvHeads * this.cap * this.shape.headDim;
  }

  /** A buffer at capacity `cap` holding the valid slots of `old` (at the current capacity). */
  private regrow(old: KvData | undefined, cap: number): KvData {
    const { kvHeads, headDim, type } = this.shape;
    const out = type === 'float32' ? new Float32Array(this.rows * kvHeads * cap * headDim) : new Uint16Array(this.rows * kvHeads * cap * headDim);
    if (old === undefined) return out;
    for (let r = 0; r < this.rows; r++) {
      const len = this.lengths[r] * headDim;
      for (let h = 0; h < kvHeads; h++) {
        const from = (r * kvHeads + h) * this.cap * headDim;
        out.set(old.subarray(from, from + len), (r * kvHeads + h) * cap * headDim);
      }
      this.grownBytes += kvHeads * len * out.BYTES_PER_ELEMENT;
    }
    return out;
  }
}
