// What crosses between host memory and the execution provider's device in a decoder session's
// runs: every input held in host memory ('cpu' tensors) is uploaded, every output placed at 'cpu'
// is downloaded; 'gpu-buffer' tensors stay where they are. On the CPU provider nothing crosses
// (the figures are then the host memory a call reads and writes). The KV-cache designs differ
// exactly here: the static runner feeds its whole JS-owned cache every call, the GPU-cache runner
// feeds the cache as 'gpu-buffer' tensors and uploads only ids and positions.
import type * as ort from 'onnxruntime-node';

/** Bytes of the tensors that live in host memory. */
export function hostBytes(tensors: Iterable<ort.Tensor>): number {
  let bytes = 0;
  for (const t of tensors) if (t.location === 'cpu') bytes += (t.data as ArrayBufferView).byteLength;
  return bytes;
}

/** Counts host <-> device bytes over a session's runs (for benches, tests and the estimate). */
export class HostTraffic {
  bytesUp = 0;
  bytesDown = 0;
  calls = 0;
  /** Bytes of the last call alone. */
  lastUp = 0;
  lastDown = 0;

  async run(session: ort.InferenceSession, feeds: Record<string, ort.Tensor>): Promise<ort.InferenceSession.ReturnType> {
    this.lastUp = hostBytes(Object.values(feeds));
    const out = await session.run(feeds);
    this.lastDown = hostBytes(Object.values(out));
    this.bytesUp += this.lastUp;
    this.bytesDown += this.lastDown;
    this.calls++;
    return out;
  }

  /** The counters now, to subtract from a later snapshot. */
  snapshot(): { up: number; down: number; calls: number } {
    return { up: this.bytesUp, down: this.bytesDown, calls: this.calls };
  }
}
