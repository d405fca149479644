// Streams tensor bytes into an ONNX external data file, one tensor at a time, and hands back
// the TensorSpec that points at them. This is how a model far over protobuf's 2 GiB limit (the
// 14 GB PURE decoder) is written in one pass: each weight is produced, appended and dropped,
// and the .onnx file only keeps names, shapes and offsets.
// Node only (fs); the protobuf side stays in onnx-builder.ts.

import { closeSync, openSync, writeSync } from 'node:fs';
import { basename } from 'node:path';
import { ELEMENT_SIZE, externalTensor, tensorBytes } from './onnx-builder';
import type { TensorSpec, TensorValues } from './onnx-builder';

/**
 * Tensors start on this boundary in the data file. ONNX Runtime memory-maps external data;
 * page-aligned offsets let it map tensors without copying (onnx's own writer aligns to 4096
 * too), and the padding costs well under 1 MB for a model with a few hundred weights.
 */
export const EXTERNAL_ALIGNMENT = 4096;

export interface ExternalDataSummary {
  /** The data file as given. */
  path: string;
  /** What the TensorProtos reference: the file's name, relative to the .onnx file's directory. */
  location: string;
  byteLength: number;
  tensorCount: number;
}

export class ExternalDataWriter {
  readonly location: string;
  private fd: number | null;
  private position = 0;
  private tensorCount = 0;

  /**
   * Creates (or truncates) `path`. The .onnx file that references these tensors must be saved in
   * the same directory, because ONNX resolves `location` relative to the model file.
   */
  constructor(
    readonly path: string,
    private readonly alignment = EXTERNAL_ALIGNMENT,
  ) {
    this.location = basename(path);
    this.fd = openSync(path, 'w');
  }

  /** Writes the tensor's bytes now and returns a spec that holds no data, only the reference. */
  append(name: string, dims: readonly number[], values: TensorValues): TensorSpec {
    const count = dims.reduce((a, b) => a * b, 1);
    if (values.data.length !== count) {
      throw new Error(`tensor '${name}': dims [${dims.join(', ')}] need ${count} values, got ${values.data.length}`);
    }
    const fd = this.openFd();
    const padding = (this.alignment - (this.position % this.alignment)) % this.alignment;
    if (padding > 0) this.writeAll(fd, new Uint8Array(padding));
    const offset = this.position;
    const bytes = tensorBytes(values);
    this.writeAll(fd, bytes);
    this.tensorCount++;
    return externalTensor(name, dims, values.type, { location: this.location, offset, length: count * ELEMENT_SIZE[values.type] });
  }

  /** Flushes and closes the file; further appends throw. */
  close(): ExternalDataSummary {
    if (this.fd !== null) {
      closeSync(this.fd);
      this.fd = null;
    }
    return { path: this.path, location: this.location, byteLength: this.position, tensorCount: this.tensorCount };
  }

  private openFd(): number {
    if (this.fd === null) throw new Error(`external data file '${this.path}' is already closed`);
    return this.fd;
  }

  /** writeSync may write fewer bytes than asked (large buffers, some file systems): loop. */
  private writeAll(fd: number, bytes: Uint8Array): void {
    let done = 0;
    while (done < bytes.length) {
      done += writeSync(fd, bytes, done, bytes.length - done, this.position + done);
    }
    this.position += bytes.length;
  }
}
