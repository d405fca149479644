// The engines an eval compares, behind one small interface: `bicubic` (the baseline every paper
// reports: sharp's cubic x4) and every engine of the public API, through Restorer.restore.
import sharp from 'sharp';
import { EngineError } from '../engine/common/errors';
import { Restorer } from '../engine/restore/restore';
import { ENGINE_IDS } from '../protocol/restore';
import type { EngineId } from '../protocol/restore';

export interface EvalEngine {
  id: string;
  /** Restores `lq` into `out` (PNG, x4); returns the seconds the restoration itself took. */
  restore(lq: string, out: string, signal: AbortSignal): Promise<number>;
  close(): Promise<void>;
}

function bicubic(): EvalEngine {
  return {
    id: 'bicubic',
    async restore(lq, out) {
      const t0 = performance.now();
      const meta = await sharp(lq).metadata();
      await sharp(lq).resize(meta.width * 4, meta.height * 4, { kernel: 'cubic', fit: 'fill' }).png().toFile(out);
      return (performance.now() - t0) / 1000;
    },
    close: () => Promise.resolve(),
  };
}

function restorerEngine(id: EngineId, restorer: Restorer, threads: number): EvalEngine {
  return {
    id,
    async restore(lq, out, signal) {
      const result = await restorer.restore(lq, out, { engine: id, threads, overwrite: true }, { signal });
      // The model loads once per run; it is not part of the time per image.
      return (result.timings.totalMs - result.timings.loadModelMs) / 1000;
    },
    close: () => restorer.close(),
  };
}

/** Engines by id; ids the public API does not know (such as `pure` before it ships) are refused. */
export function makeEngines(ids: string[], threads: number): EvalEngine[] {
  const restorer = new Restorer();
  return ids.map((id) => {
    if (id === 'bicubic') return bicubic();
    if ((ENGINE_IDS as readonly string[]).includes(id)) return restorerEngine(id as EngineId, restorer, threads);
    throw new EngineError('MODEL_MISSING', `The ${id} engine is not available in this build.`, `Engines available: bicubic, ${ENGINE_IDS.join(', ')}.`);
  });
}
