// Blur kernels of the Real-ESRGAN degradation model (Wang et al. 2021, as in BasicSR's
// degradations.py): isotropic/anisotropic Gaussian, generalised Gaussian, plateau, and the 2-D
// sinc ("circular low-pass") that imitates ringing. All are odd-sized, centred, and sum to 1.
import { EngineError } from '../common/errors';
import type { Rng } from './rng';
import { besselJ1 } from './special';

export interface Kernel {
  size: number; // odd
  data: Float64Array; // (size, size), row-major
}

export type KernelShape = 'iso' | 'aniso' | 'generalized_iso' | 'generalized_aniso' | 'plateau_iso' | 'plateau_aniso';

/** What a kernel was made of, for the degradation log. */
export interface KernelSpec {
  shape: KernelShape | 'sinc' | 'identity';
  size: number;
  sigmaX?: number;
  sigmaY?: number;
  theta?: number;
  beta?: number;
  omegaC?: number;
}

function checkSize(size: number): void {
  if (!Number.isInteger(size) || size < 1 || size % 2 === 0) throw new EngineError('INVALID_OPTION', `Kernel size must be odd, got ${size}.`);
}

function normalise(k: Kernel): Kernel {
  let sum = 0;
  for (const v of k.data) sum += v;
  for (let i = 0; i < k.data.length; i++) k.data[i] /= sum;
  return k;
}

/**
 * Kernel from the Mahalanobis distance d2 = [x y] S^-1 [x y]^T, S = R diag(sx^2, sy^2) R^T
 * rotated by theta; x runs along columns, y along rows, both centred on the middle tap.
 */
function fromDistance(size: number, sigmaX: number, sigmaY: number, theta: number, profile: (d2: number) => number): Kernel {
  checkSize(size);
  if (!(sigmaX > 0) || !(sigmaY > 0)) throw new EngineError('INVALID_OPTION', `Blur sigmas must be positive, got ${sigmaX}, ${sigmaY}.`);
  const c = Math.cos(theta);
  const s = Math.sin(theta);
  const a = (c * c) / sigmaX ** 2 + (s * s) / sigmaY ** 2; // S^-1 = R diag(1/sx^2, 1/sy^2) R^T
  const b = c * s * (1 / sigmaX ** 2 - 1 / sigmaY ** 2);
  const d = (s * s) / sigmaX ** 2 + (c * c) / sigmaY ** 2;
  const half = (size - 1) / 2;
  const data = new Float64Array(size * size);
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) {
      const x = col - half;
      const y = row - half;
      data[row * size + col] = profile(a * x * x + 2 * b * x * y + d * y * y);
    }
  }
  return normalise({ size, data });
}

export function gaussianKernel(size: number, sigmaX: number, sigmaY = sigmaX, theta = 0): Kernel {
  return fromDistance(size, sigmaX, sigmaY, theta, (d2) => Math.exp(-0.5 * d2));
}

/** exp(-0.5 d2^beta): beta < 1 gives heavier tails, beta > 1 a flatter top. */
export function generalizedGaussianKernel(size: number, sigmaX: number, sigmaY: number, theta: number, beta: number): Kernel {
  return fromDistance(size, sigmaX, sigmaY, theta, (d2) => Math.exp(-0.5 * Math.pow(d2, beta)));
}

/** 1 / (d2^beta + 1): a flat top with slowly falling sides. */
export function plateauKernel(size: number, sigmaX: number, sigmaY: number, theta: number, beta: number): Kernel {
  return fromDistance(size, sigmaX, sigmaY, theta, (d2) => 1 / (Math.pow(d2, beta) + 1));
}

/** Ideal circular low-pass with cut-off omegaC (radians per pixel): omegaC J1(omegaC r) / (2 pi r). */
export function sincKernel(size: number, omegaC: number): Kernel {
  checkSize(size);
  const half = (size - 1) / 2;
  const data = new Float64Array(size * size);
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) {
      const r = Math.hypot(col - half, row - half);
      data[row * size + col] = r === 0 ? omegaC ** 2 / (4 * Math.PI) : (omegaC * besselJ1(omegaC * r)) / (2 * Math.PI * r);
    }
  }
  return normalise({ size, data });
}

export function identityKernel(size: number): Kernel {
  checkSize(size);
  const data = new Float64Array(size * size);
  data[(size * size - 1) / 2] = 1;
  return { size, data };
}

/** Centres a kernel in a larger odd size with zeros around it (Real-ESRGAN pads all to 21). */
export function padKernel(k: Kernel, size: number): Kernel {
  if (size <= k.size) return k;
  const off = (size - k.size) / 2;
  const data = new Float64Array(size * size);
  for (let r = 0; r < k.size; r++) data.set(k.data.subarray(r * k.size, (r + 1) * k.size), (r + off) * size + off);
  return { size, data };
}

export interface MixedKernelOptions {
  shapes: readonly KernelShape[];
  weights: readonly number[];
  sigma: readonly [number, number];
  betaG: readonly [number, number];
  betaP: readonly [number, number];
}

/** A kernel drawn like BasicSR's random_mixed_kernels (rotation in [-pi, pi], no kernel noise). */
export function randomMixedKernel(rng: Rng, size: number, o: MixedKernelOptions): { kernel: Kernel; spec: KernelSpec } {
  const shape = rng.choose(o.shapes, o.weights);
  const sigmaX = rng.uniform(o.sigma[0], o.sigma[1]);
  const iso = shape.endsWith('iso') && !shape.endsWith('aniso');
  const sigmaY = iso ? sigmaX : rng.uniform(o.sigma[0], o.sigma[1]);
  const theta = iso ? 0 : rng.uniform(-Math.PI, Math.PI);
  // BasicSR draws beta below or above 1 with equal odds (for plateau's [1, 2] the low half is 1).
  const betaRange = shape.startsWith('plateau') ? o.betaP : o.betaG;
  const beta = shape === 'iso' || shape === 'aniso' ? undefined : rng.next() < 0.5 ? rng.uniform(betaRange[0], 1) : rng.uniform(1, betaRange[1]);
  let kernel: Kernel;
  if (beta === undefined) kernel = gaussianKernel(size, sigmaX, sigmaY, theta);
  else if (shape.startsWith('generalized')) kernel = generalizedGaussianKernel(size, sigmaX, sigmaY, theta, beta);
  else kernel = plateauKernel(size, sigmaX, sigmaY, theta, beta);
  return { kernel, spec: { shape, size, sigmaX, sigmaY, theta, beta } };
}
