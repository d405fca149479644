// Special functions the metrics and the degradation kernels need: Gamma (NIQE's AGGD fit and the
// Poisson sampler) and the Bessel function J1 (the sinc "circular low-pass" blur kernel).
// Pure TypeScript, double precision.

// Lanczos approximation, g = 7, 9 terms: ~1e-15 relative error for real arguments, which is what
// NIQE's 9,801-entry Gamma-ratio table needs to pick the same shape parameter as SciPy does.
const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** Gamma(x) for real x (not at the poles 0, -1, -2, ...). */
export function gamma(x: number): number {
  if (x < 0.5) return Math.PI / (Math.sin(Math.PI * x) * gamma(1 - x)); // reflection formula
  const z = x - 1;
  let a = LANCZOS[0];
  const t = z + LANCZOS_G + 0.5;
  for (let i = 1; i < LANCZOS.length; i++) a += LANCZOS[i] / (z + i);
  return Math.sqrt(2 * Math.PI) * Math.pow(t, z + 0.5) * Math.exp(-t) * a;
}

/** ln Gamma(x) for x > 0, without overflow for large x (the Poisson sampler's k! terms). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0];
  const t = z + LANCZOS_G + 0.5;
  for (let i = 1; i < LANCZOS.length; i++) a += LANCZOS[i] / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/**
 * Bessel function of the first kind, order 1. Abramowitz & Stegun 9.4.4 (|x| <= 3) and 9.4.6
 * (|x| > 3) polynomial approximations, |error| < 1e-7: far below what an 8-bit image can show.
 */
export function besselJ1(x: number): number {
  const ax = Math.abs(x);
  if (ax <= 3) {
    const y = (x / 3) ** 2;
    return x * (0.5 + y * (-0.56249985 + y * (0.21093573 + y * (-0.03954289 + y * (0.00443319 + y * (-0.00031761 + y * 0.00001109))))));
  }
  const y = 3 / ax;
  const f1 = 0.79788456 + y * (0.00000156 + y * (0.01659667 + y * (0.00017105 + y * (-0.00249511 + y * (0.00113653 - y * 0.00020033)))));
  const theta = ax - 2.35619449 + y * (0.12499612 + y * (0.0000565 + y * (-0.00637879 + y * (0.00074348 + y * (0.00079824 - y * 0.00029166)))));
  const j = (f1 * Math.cos(theta)) / Math.sqrt(ax);
  return x < 0 ? -j : j;
}
