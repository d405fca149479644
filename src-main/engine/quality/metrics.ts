// The image-quality metrics the eval reports, behind one interface, so that a new one is one
// entry in a list. Built in: PSNR and SSIM (full-reference, Y channel) and NIQE (no-reference).
//
// Extension point, learned metrics: LPIPS (Zhang et al. 2018), DISTS (Ding et al. 2020) and
// MUSIQ (Ke et al. 2021) compare deep-network features and need those networks' trained
// weights, which cannot be had on these machines. None is faked: to add one, convert its
// weights to ONNX, run it with onnxruntime-node (see engine/runtime) inside `measure`, and append
// it to the list `metricsFor` returns; the eval's tables and files then gain its column.
import type { RasterImage } from '../image/types';
import { EngineError } from '../common/errors';
import { niqe } from './niqe';
import type { NiqeModel } from './niqe';
import { psnr, ssim } from './psnr-ssim';

export interface Metric {
  id: string;
  label: string;
  better: 'higher' | 'lower';
  /** Full-reference metrics get the ground truth; no-reference ones do not look at it. */
  needsReference: boolean;
  /** Digits worth printing. */
  digits: number;
  /** null when the metric has no finite value here (identical images for PSNR, a small image for NIQE). */
  measure(image: RasterImage, reference: RasterImage, cropBorder: number): number | null | Promise<number | null>;
}

/** Learned metrics known but not available (no weights here); listed in reports as such. */
export const UNAVAILABLE_METRICS = [
  { id: 'lpips', label: 'LPIPS', why: 'needs the AlexNet/VGG feature weights of LPIPS' },
  { id: 'dists', label: 'DISTS', why: 'needs the VGG weights of DISTS' },
  { id: 'musiq', label: 'MUSIQ', why: 'needs the MUSIQ transformer weights' },
] as const;

export function metricsFor(niqeModel: NiqeModel): Metric[] {
  return [
    {
      id: 'psnr', label: 'PSNR (dB)', better: 'higher', needsReference: true, digits: 2,
      measure: (image, reference, border) => {
        const value = psnr(image, reference, border);
        return Number.isFinite(value) ? value : null;
      },
    },
    { id: 'ssim', label: 'SSIM', better: 'higher', needsReference: true, digits: 4, measure: (image, reference, border) => ssim(image, reference, border) },
    {
      id: 'niqe', label: 'NIQE', better: 'lower', needsReference: false, digits: 2,
      measure: (image, _reference, border) => {
        try {
          return niqe(image, niqeModel, border);
        } catch (error) {
          if (error instanceof EngineError && error.code === 'IMAGE_TOO_SMALL') return null;
          throw error;
        }
      },
    },
  ];
}
