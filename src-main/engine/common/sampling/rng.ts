// A seeded random number generator with its whole state in a plain object, so that a sampler can be
// a function of (logits, rng state, settings): the same seed replays the same run, and a test can
// copy the state to replay one step. Pure TypeScript: no Node built-ins.
//
// Generator: xoshiro128** 1.0 (Blackman & Vigna, public domain algorithm): 128 bits of state,
// period 2^128 - 1, 32-bit outputs. It is seeded through a 32-bit splitmix-style hash so that
// nearby seeds (1, 2, 3...) give unrelated streams.

export interface RngState {
  /** The four 32-bit words of xoshiro128** state (never all zero). Advanced in place. */
  s: Uint32Array; // (4,)
}

const MAX_SEED = Number.MAX_SAFE_INTEGER;

/** A generator from an integer seed in [0, 2^53). */
export function createRng(seed: number): RngState {
  if (!Number.isSafeInteger(seed) || seed < 0 || seed > MAX_SEED) {
    throw new RangeError(`Seed must be an integer in [0, 2^53), got ${seed}.`);
  }
  // Both halves of the seed feed the hash, so seeds that differ only above bit 32 still differ.
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 0x1_0000_0000) >>> 0;
  let x = (lo ^ Math.imul(hi, 0x85ebca6b)) >>> 0;
  const s = new Uint32Array(4);
  for (let i = 0; i < 4; i++) {
    x = (x + 0x9e3779b9) >>> 0;
    s[i] = mix32(x ^ (i === 0 ? hi : 0));
  }
  if ((s[0] | s[1] | s[2] | s[3]) === 0) s[0] = 1; // the one state xoshiro cannot leave
  return { s };
}

/** A generator that starts from exactly these four words (tests, or resuming a saved run). */
export function rngFromState(words: readonly number[]): RngState {
  if (words.length !== 4) throw new RangeError('xoshiro128** state is 4 words.');
  const s = Uint32Array.from(words, (w) => w >>> 0);
  if ((s[0] | s[1] | s[2] | s[3]) === 0) throw new RangeError('xoshiro128** state must not be all zero.');
  return { s };
}

export function cloneRng(rng: RngState): RngState {
  return { s: rng.s.slice() };
}

/** Next 32-bit output, as an unsigned integer; advances the state. */
export function nextUint32(rng: RngState): number {
  const s = rng.s;
  const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
  const t = s[1] << 9;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 11);
  return result;
}

/**
 * Uniform float in [0, 1) with 53 random bits (two outputs): sampling from probabilities far below
 * 2^-24 (a 2000-way top-k tail) needs more resolution than one 32-bit output gives.
 */
export function nextFloat(rng: RngState): number {
  const a = nextUint32(rng) >>> 5; // 27 bits
  const b = nextUint32(rng) >>> 6; // 26 bits
  return (a * 67108864 + b) / 9007199254740992; // (a * 2^26 + b) / 2^53
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** A 32-bit finalizer (xor-shift-multiply), bijective, so distinct inputs stay distinct. */
function mix32(z: number): number {
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return (z ^ (z >>> 15)) >>> 0;
}
