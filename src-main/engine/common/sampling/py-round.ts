// Python's round(x) for floats: to the nearest integer, ties to even ("banker's rounding").
// The PURE reference computes its dynamic top-k with Python/numpy round, and at entropy 5 the
// value is exactly 1000.5: Python gives 1000 where Math.round gives 1001.
// Pure TypeScript: no Node built-ins.

export function roundHalfEven(x: number): number {
  if (!Number.isFinite(x)) return x;
  const floor = Math.floor(x);
  const fraction = x - floor; // exact for every double (floor and x share their exponent range)
  if (fraction > 0.5) return floor + 1;
  if (fraction < 0.5) return floor === 0 ? 0 : floor; // no -0
  return floor % 2 === 0 ? floor : floor + 1;
}
