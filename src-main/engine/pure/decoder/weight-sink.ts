// Where the decoder's weights go while the graph is built: inline initializers, or an external
// data file that each large weight is appended to as soon as it is produced, so that building
// the 14 GB model never holds more than one weight in memory.
// A second graph over the same weights (the concat-cache twin of the static-cache decoder) is
// built with a replaying sink: it writes nothing and points every initializer at the bytes the
// first graph's sink already wrote, so a package holds its weights once.

import { ExternalDataWriter } from '../../onnx/external-data';
import type { ExternalDataSummary } from '../../onnx/external-data';
import { ELEMENT_SIZE } from '../../onnx/onnx-builder';
import type { GraphBuilder, TensorSpec, TensorValues } from '../../onnx/onnx-builder';

/** Tensors smaller than this stay inline (onnx's own external-data default threshold is 1 KiB). */
export const EXTERNAL_THRESHOLD_BYTES = 1024;

/**
 * Every initializer a sink produced, by name, in the order added: external ones as references
 * (location, offset, length; no bytes), inline ones with their values (each under 1 KiB).
 */
export type WeightRecord = Map<string, TensorSpec>;

export class WeightSink {
  private readonly writer: ExternalDataWriter | null;
  /** What this sink added, for a replaying sink of a twin graph. */
  readonly record: WeightRecord = new Map();

  constructor(
    private readonly g: GraphBuilder,
    externalDataPath?: string,
    /** Replay mode: take every initializer from this record instead of writing it. */
    private readonly replay?: WeightRecord,
  ) {
    if (replay && externalDataPath !== undefined) throw new Error('a replaying weight sink writes no data file');
    this.writer = externalDataPath === undefined ? null : new ExternalDataWriter(externalDataPath);
  }

  /** Adds a weight initializer and returns its graph name; large ones go straight to disk. */
  add(name: string, dims: readonly number[], values: TensorValues): string {
    if (this.replay) return this.g.addInitializer(this.replayed(name, dims, values.type));
    const bytes = values.data.length * ELEMENT_SIZE[values.type];
    const spec = this.writer !== null && bytes >= EXTERNAL_THRESHOLD_BYTES ? this.writer.append(name, dims, values) : { name, dims, values };
    this.record.set(name, spec);
    return this.g.addInitializer(spec);
  }

  /** True for a twin graph's sink: it takes every weight from the record and computes none. */
  get replaying(): boolean {
    return this.replay !== undefined;
  }

  /**
   * Adds a weight whose values `produce` reads and prepares (transpose, fp16, int4) only when this
   * sink writes them: a replaying sink checks name, type and shape against the record and never
   * calls it, so a twin graph costs no weight reads or preparation (for 7B, minutes).
   */
  addPrepared<T extends TensorValues['type']>(name: string, dims: readonly number[], type: T, produce: () => Extract<TensorValues, { type: T }>['data']): string {
    if (this.replay) return this.g.addInitializer(this.replayed(name, dims, type));
    return this.add(name, dims, { type, data: produce() } as TensorValues);
  }

  /** Closes the data file (if any); call once, after the last weight. */
  finish(): ExternalDataSummary | undefined {
    if (this.replay) {
      // Both graphs must hold the same weights: one left unused means the graphs diverged.
      const missing = [...this.replay.keys()].filter((n) => !this.record.has(n));
      if (missing.length > 0) throw new Error(`the twin graph never asked for ${missing.length} recorded weights (first: ${missing[0]})`);
    }
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

  /** The recorded initializer for `name`, after checking the twin graph asks for the same tensor. */
  private replayed(name: string, dims: readonly number[], type: TensorValues['type']): TensorSpec {
    const spec = this.replay!.get(name);
    if (!spec) throw new Error(`weight '${name}' was not written by the first graph`);
    if (spec.values.type !== type || spec.dims.length !== dims.length || spec.dims.some((d, i) => d !== dims[i])) {
      throw new Error(`weight '${name}': the first graph wrote ${spec.values.type} [${spec.dims.join(', ')}], this one asks for ${type} [${dims.join(', ')}]`);
    }
    this.record.set(name, spec);
    return spec;
  }
}
