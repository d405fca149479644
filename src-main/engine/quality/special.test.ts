import assert from 'node:assert/strict';
import { test } from 'node:test';
import { besselJ1, gamma, logGamma } from './special';

const close = (a: number, b: number, tol: number): void => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test('Gamma at known points', () => {
  close(gamma(1), 1, 1e-14);
  close(gamma(5), 24, 1e-12);
  close(gamma(0.5), Math.sqrt(Math.PI), 1e-14);
  close(gamma(0.1), 9.513507698668732, 1e-12); // Gamma(1/10)
  close(gamma(1.5), Math.sqrt(Math.PI) / 2, 1e-14);
  close(logGamma(101), Math.log(Array.from({ length: 100 }, (_, i) => i + 1).reduce((a, b) => a * b, 1)), 1e-9);
});

/** Power series of J1, exact enough for |x| <= 8 in double precision. */
function j1Series(x: number): number {
  let term = x / 2;
  let sum = term;
  for (let m = 1; m < 60; m++) {
    term *= -((x / 2) ** 2) / (m * (m + 1));
    sum += term;
  }
  return sum;
}

test('Bessel J1 matches its series and its zeros', () => {
  for (const x of [0, 0.5, 1, 2.9, 3, 3.1, 5, 8, -2, -6]) close(besselJ1(x), j1Series(x), 2e-7);
  close(besselJ1(3.8317059702075125), 0, 2e-7); // first zero
  close(besselJ1(7.015586669815619), 0, 2e-7); // second zero
});
