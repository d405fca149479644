// A minimal protobuf encoder: just enough of the wire format to write ONNX models.
// Pure TypeScript (Uint8Array/DataView/TextEncoder), so it runs in any JS context.
//
// Output is kept as a list of chunks: a nested message is appended as its writer's chunks, and
// big byte payloads (tensor raw_data, tens of MB) are referenced, not copied, until `finish()`
// concatenates everything exactly once.

/** Protobuf wire types (the low 3 bits of a field key). */
export const WireType = {
  Varint: 0,
  Fixed64: 1,
  LengthDelimited: 2,
  Fixed32: 5,
} as const;
export type WireType = (typeof WireType)[keyof typeof WireType];

const textEncoder = new TextEncoder();
const SCRATCH_SIZE = 1024;
const TWO_POW_32 = 0x1_0000_0000;

export class ProtoWriter {
  private readonly chunks: Uint8Array[] = [];
  private scratch = new Uint8Array(SCRATCH_SIZE);
  private view = new DataView(this.scratch.buffer);
  private pos = 0;
  private flushedLength = 0;

  /** Bytes written so far (what a parent message needs for the length prefix). */
  get length(): number {
    return this.flushedLength + this.pos;
  }

  // ---- raw values (no field key) -------------------------------------------------------------

  /**
   * Unsigned varint. `number` must be a non-negative safe integer; negative int64 values must be
   * passed through `rawInt64`, which sign-extends them to 10 bytes as protobuf requires.
   */
  rawVarint(value: number | bigint): this {
    if (typeof value === 'bigint') return this.rawVarintBig(value);
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new RangeError(`varint needs a non-negative safe integer, got ${value}`);
    }
    this.reserve(10);
    // Split into two 32-bit halves: JS bit operators only work on 32 bits.
    let lo = value >>> 0;
    let hi = Math.floor(value / TWO_POW_32);
    while (hi > 0 || lo > 0x7f) {
      this.scratch[this.pos++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | ((hi & 0x7f) << 25)) >>> 0;
      hi = hi >>> 7;
    }
    this.scratch[this.pos++] = lo;
    return this;
  }

  /** Signed int64/int32 as protobuf encodes them: two's complement, so negatives take 10 bytes. */
  rawInt64(value: number | bigint): this {
    const big = typeof value === 'bigint' ? value : BigInt(checkSafeInteger(value));
    return this.rawVarintBig(BigInt.asUintN(64, big));
  }

  /** sint32/sint64: zigzag first, so small negative numbers stay short. */
  rawSint64(value: number | bigint): this {
    const big = typeof value === 'bigint' ? value : BigInt(checkSafeInteger(value));
    return this.rawVarintBig(zigzag64(big));
  }

  rawFixed32(value: number): this {
    this.reserve(4);
    this.view.setUint32(this.pos, value >>> 0, true);
    this.pos += 4;
    return this;
  }

  rawFixed64(value: bigint): this {
    this.reserve(8);
    this.view.setBigUint64(this.pos, BigInt.asUintN(64, value), true);
    this.pos += 8;
    return this;
  }

  rawFloat(value: number): this {
    this.reserve(4);
    this.view.setFloat32(this.pos, value, true);
    this.pos += 4;
    return this;
  }

  rawDouble(value: number): this {
    this.reserve(8);
    this.view.setFloat64(this.pos, value, true);
    this.pos += 8;
    return this;
  }

  /** Appends bytes as they are. Large arrays are kept by reference: do not mutate them later. */
  rawBytes(bytes: Uint8Array): this {
    if (bytes.length <= 64) {
      this.reserve(bytes.length);
      this.scratch.set(bytes, this.pos);
      this.pos += bytes.length;
    } else {
      this.flush();
      this.chunks.push(bytes);
      this.flushedLength += bytes.length;
    }
    return this;
  }

  // ---- fields (key + value) ------------------------------------------------------------------

  key(field: number, wireType: WireType): this {
    if (!Number.isInteger(field) || field < 1 || field > 0x1fffffff) throw new RangeError(`bad field number ${field}`);
    return this.rawVarint(field * 8 + wireType);
  }

  /** uint32/uint64/bool/enum with a non-negative value. */
  uint(field: number, value: number | bigint): this {
    return this.key(field, WireType.Varint).rawVarint(value);
  }

  /** int32/int64 (negative values allowed). */
  int64(field: number, value: number | bigint): this {
    return this.key(field, WireType.Varint).rawInt64(value);
  }

  sint64(field: number, value: number | bigint): this {
    return this.key(field, WireType.Varint).rawSint64(value);
  }

  fixed32(field: number, value: number): this {
    return this.key(field, WireType.Fixed32).rawFixed32(value);
  }

  fixed64(field: number, value: bigint): this {
    return this.key(field, WireType.Fixed64).rawFixed64(value);
  }

  float(field: number, value: number): this {
    return this.key(field, WireType.Fixed32).rawFloat(value);
  }

  double(field: number, value: number): this {
    return this.key(field, WireType.Fixed64).rawDouble(value);
  }

  bytes(field: number, value: Uint8Array): this {
    return this.key(field, WireType.LengthDelimited).rawVarint(value.length).rawBytes(value);
  }

  string(field: number, value: string): this {
    return this.bytes(field, textEncoder.encode(value));
  }

  /** A nested message, given as the writer that holds its encoding. */
  message(field: number, sub: ProtoWriter): this {
    this.key(field, WireType.LengthDelimited).rawVarint(sub.length);
    this.flush();
    sub.flush();
    for (const chunk of sub.chunks) this.chunks.push(chunk);
    this.flushedLength += sub.length;
    return this;
  }

  /** Packed repeated int64 (also right for int32: negatives are sign-extended either way). */
  packedInt64(field: number, values: ArrayLike<number | bigint>): this {
    const body = new ProtoWriter();
    for (let i = 0; i < values.length; i++) body.rawInt64(values[i]);
    return this.message(field, body);
  }

  /** Packed repeated float. */
  packedFloat(field: number, values: ArrayLike<number>): this {
    this.key(field, WireType.LengthDelimited).rawVarint(values.length * 4);
    for (let i = 0; i < values.length; i++) this.rawFloat(values[i]);
    return this;
  }

  /** Packed repeated double. */
  packedDouble(field: number, values: ArrayLike<number>): this {
    this.key(field, WireType.LengthDelimited).rawVarint(values.length * 8);
    for (let i = 0; i < values.length; i++) this.rawDouble(values[i]);
    return this;
  }

  /** The whole encoding as one contiguous array. */
  finish(): Uint8Array {
    this.flush();
    if (this.chunks.length === 1) return this.chunks[0];
    const out = new Uint8Array(this.flushedLength);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }

  // ---- internals -----------------------------------------------------------------------------

  private rawVarintBig(value: bigint): this {
    if (value < 0n || value >= 1n << 64n) throw new RangeError(`varint out of range: ${value}`);
    this.reserve(10);
    let v = value;
    while (v > 0x7fn) {
      this.scratch[this.pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.scratch[this.pos++] = Number(v);
    return this;
  }

  /** Makes room for `n` more scalar bytes in the scratch buffer. */
  private reserve(n: number): void {
    if (this.pos + n <= this.scratch.length) return;
    this.flush();
    if (n > this.scratch.length) {
      this.scratch = new Uint8Array(n);
      this.view = new DataView(this.scratch.buffer);
    }
  }

  /** Moves the scratch bytes into the chunk list and starts a fresh scratch buffer. */
  private flush(): void {
    if (this.pos === 0) return;
    this.chunks.push(this.scratch.subarray(0, this.pos));
    this.flushedLength += this.pos;
    this.scratch = new Uint8Array(SCRATCH_SIZE);
    this.view = new DataView(this.scratch.buffer);
    this.pos = 0;
  }
}

/** Zigzag mapping of sint64: 0, -1, 1, -2 ... -> 0, 1, 2, 3 ... */
export function zigzag64(value: bigint): bigint {
  const v = BigInt.asIntN(64, value);
  return BigInt.asUintN(64, (v << 1n) ^ (v >> 63n));
}

function checkSafeInteger(value: number): number {
  if (!Number.isSafeInteger(value)) throw new RangeError(`expected a safe integer, got ${value}`);
  return value;
}
