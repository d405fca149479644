// Test helper: an xoshiro128** state whose next nextFloat() is exactly a chosen u, so a test can
// put the host sampler's uniform on a CDF boundary. Pure TypeScript: no Node built-ins.
//
// nextFloat = ((x1 >>> 5) * 2^26 + (x2 >>> 6)) / 2^53 with x1, x2 two outputs; an output is
// rotl(s1 * 5, 7) * 9 of the current s1 (invertible mod 2^32), and the step sets
// s1' = s1 ^ s2 ^ s0. With s0 = 0 and s2 = s1 ^ s1' both outputs are ours to choose.

import { rngFromState } from '../../common/sampling/rng';
import type { RngState } from '../../common/sampling/rng';

const INV9 = 0x38e38e39; // 9 * INV9 = 1 mod 2^32
const INV5 = 0xcccccccd; // 5 * INV5 = 1 mod 2^32

/** The s1 whose xoshiro128** output is `x`. */
function stateForOutput(x: number): number {
  const t = Math.imul(x, INV9) >>> 0;
  const r = ((t >>> 7) | (t << 25)) >>> 0; // rotr 7
  return Math.imul(r, INV5) >>> 0;
}

/** A generator whose first nextFloat() returns u (u must be a multiple of 2^-53 in [0, 1)). */
export function rngYielding(u: number): RngState {
  const m = u * 2 ** 53;
  if (!(u >= 0 && u < 1) || !Number.isInteger(m)) throw new RangeError(`u = ${u} is not k / 2^53 in [0, 1).`);
  const a = Math.floor(m / 2 ** 26); // 27 bits
  const b = m - a * 2 ** 26; // 26 bits
  const s1 = stateForOutput((a << 5) >>> 0);
  const s1Next = stateForOutput((b << 6) >>> 0);
  return rngFromState([0, s1, (s1 ^ s1Next) >>> 0, 1]);
}
