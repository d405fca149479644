// Standard normals for test fixtures by Box-Muller over a uniform source, so that every test model
// (decoder, VQ, the on-disk checkpoint) draws its weights the same way. Test-only; pure TypeScript.
import { mulberry32 } from './mulberry32';

/** N(0, 1) values from `uniform` (in [0, 1)); each pair of uniforms yields two normals. */
export function normalsFrom(uniform: () => number): () => number {
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    const u = 1 - uniform(); // (0, 1]: the log stays finite
    const r = Math.sqrt(-2 * Math.log(u));
    const a = 2 * Math.PI * uniform();
    spare = r * Math.sin(a);
    return r * Math.cos(a);
  };
}

/** The same N(0, 1) stream for the same seed on every machine. */
export const seededNormal = (seed: number): (() => number) => normalsFrom(mulberry32(seed));
