import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gaussianKernel, generalizedGaussianKernel, identityKernel, padKernel, plateauKernel, randomMixedKernel, sincKernel } from './kernels';
import type { Kernel } from './kernels';
import { Rng } from './rng';

const sum = (k: Kernel): number => k.data.reduce((a, b) => a + b, 0);
const at = (k: Kernel, row: number, col: number): number => k.data[row * k.size + col];

/** Second moments of the kernel about its centre: (var along columns, var along rows, covariance). */
function moments(k: Kernel): [number, number, number] {
  const h = (k.size - 1) / 2;
  let xx = 0;
  let yy = 0;
  let xy = 0;
  for (let r = 0; r < k.size; r++) {
    for (let c = 0; c < k.size; c++) {
      xx += at(k, r, c) * (c - h) ** 2;
      yy += at(k, r, c) * (r - h) ** 2;
      xy += at(k, r, c) * (c - h) * (r - h);
    }
  }
  return [xx, yy, xy];
}

test('Gaussian kernels: normalised, centred, with the variances asked for', () => {
  const iso = gaussianKernel(21, 2);
  assert.ok(Math.abs(sum(iso) - 1) < 1e-12);
  const [vx, vy, cxy] = moments(iso);
  assert.ok(Math.abs(vx - 4) < 0.02 && Math.abs(vy - 4) < 0.02 && Math.abs(cxy) < 1e-12, `${vx} ${vy}`);
  // Anisotropic, rotated by 90 degrees: the long axis moves from columns to rows.
  const [ax, ay] = moments(gaussianKernel(21, 2.5, 1, Math.PI / 2));
  assert.ok(Math.abs(ay - 6.25) < 0.1 && Math.abs(ax - 1) < 0.02, `${ax} ${ay}`);
  // At 45 degrees the covariance is (sx^2 - sy^2) / 2.
  const [, , c45] = moments(gaussianKernel(21, 2, 1, Math.PI / 4));
  assert.ok(Math.abs(c45 - 1.5) < 0.03, String(c45));
});

test('generalised Gaussian with beta = 1 is the Gaussian; plateau is flatter at the top', () => {
  const g = gaussianKernel(11, 1.5);
  generalizedGaussianKernel(11, 1.5, 1.5, 0, 1).data.forEach((v, i) => assert.ok(Math.abs(v - g.data[i]) < 1e-15));
  const p = plateauKernel(11, 1.5, 1.5, 0, 2);
  assert.ok(Math.abs(sum(p) - 1) < 1e-12);
  assert.ok(at(p, 5, 6) / at(p, 5, 5) > at(g, 5, 6) / at(g, 5, 5)); // less drop one pixel off centre
});

test('sinc kernel: normalised, radially symmetric, with negative lobes (ringing)', () => {
  const k = sincKernel(21, Math.PI / 3);
  assert.ok(Math.abs(sum(k) - 1) < 1e-12);
  assert.ok(Math.abs(at(k, 10, 15) - at(k, 15, 10)) < 1e-15 && Math.abs(at(k, 10, 5) - at(k, 10, 15)) < 1e-15);
  assert.ok(Math.min(...k.data) < 0);
  assert.equal(at(identityKernel(5), 2, 2), 1);
  const padded = padKernel(gaussianKernel(7, 1), 21);
  assert.equal(padded.size, 21);
  assert.ok(Math.abs(sum(padded) - 1) < 1e-12 && at(padded, 10, 10) === at(gaussianKernel(7, 1), 3, 3));
});

test('random mixed kernels are reproducible and within the ranges', () => {
  const opts = { shapes: ['iso', 'aniso', 'generalized_iso', 'plateau_aniso'] as const, weights: [1, 1, 1, 1], sigma: [0.2, 3] as const, betaG: [0.5, 4] as const, betaP: [1, 2] as const };
  const a = randomMixedKernel(new Rng(5), 13, opts);
  assert.deepEqual(a, randomMixedKernel(new Rng(5), 13, opts));
  const rng = new Rng(9);
  for (let i = 0; i < 50; i++) {
    const { kernel, spec } = randomMixedKernel(rng, 13, opts);
    assert.ok(Math.abs(sum(kernel) - 1) < 1e-9);
    assert.ok(spec.sigmaX! >= 0.2 && spec.sigmaX! <= 3);
    if (spec.shape.startsWith('plateau')) assert.ok(spec.beta! >= 1 && spec.beta! <= 2);
    if (spec.shape === 'iso') assert.equal(spec.sigmaY, spec.sigmaX);
  }
});
