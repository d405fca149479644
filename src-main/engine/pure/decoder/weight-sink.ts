// Where the decoder's weights go while the graph is built: inline initializers, or an external
// data file that each large weight is appended to as soon as it is produced, so that building
// the 14 GB model never holds more than one weight in memory.

import { ExternalDataWriter } from '../../onnx/external-data';
import type { ExternalDataSummary } from '../../onnx/external-data';
import { ELEMENT_SIZE } from '../../onnx/onnx-builder';
import type { GraphBuilder, TensorValues } from '../../onnx/onnx-builder';

/** Tensors smaller than this stay inline (onnx's own external-data default threshold is 1 KiB). */
export const EXTERNAL_THRESHOLD_BYTES = 1024;

export class WeightSink {
  private readonly writer: ExternalDataWriter | null;

  constructor(
    private readonly g: GraphBuilder,
    externalDataPath?: string,
  ) {
    this.writer = externalDataPath === undefined ? null : new ExternalDataWriter(externalDataPath);
  }

  /** Adds a weight initializer and returns its graph name; large ones go straight to disk. */
  add(name: string, dims: readonly number[], values: TensorValues): string {
    const bytes = values.data.length * ELEMENT_SIZE[values.type];
    if (this.writer !== null && bytes >= EXTERNAL_THRESHOLD_BYTES) {
      return this.g.addInitializer(this.writer.append(name, dims, values));
    }
    return this.g.addInitializer({ name, dims, values });
  }

  /** Closes the data file (if any); call once, after the last weight. */
  finish(): ExternalDataSummary | undefined {
    return this.writer?.close();
  }

  /** Closes the data file after a failure, leaving it for the caller to delete. */
  abort(): void {
    try {
      this.writer?.close();
    } catch {
      // already closed: nothing to do
    }
  }
}
