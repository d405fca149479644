// Top-k that keeps ties with the k-th score, as the reference's `scores < topk(scores, k)[..., -1]`
// filter does, without sorting the vocabulary: the k-th largest value comes from a quickselect on a
// copy (average O(n)), then one pass keeps every score >= it. Pure TypeScript: no Node built-ins.

/**
 * The k-th largest of values[0..n) (k is 1-based, clamped to [1, n]).
 * `scratch` (>= n) is overwritten; `values` is not touched.
 */
export function kthLargest(values: Float32Array, n: number, k: number, scratch: Float32Array): number {
  if (n <= 0) throw new RangeError('kthLargest of an empty set.');
  const kk = Math.min(Math.max(Math.floor(k), 1), n);
  if (kk === 1) {
    let max = -Infinity;
    for (let i = 0; i < n; i++) if (values[i] > max) max = values[i];
    return max;
  }
  if (kk === n) {
    let min = Infinity;
    for (let i = 0; i < n; i++) if (values[i] < min) min = values[i];
    return min;
  }
  scratch.set(values.subarray(0, n));
  return selectAscending(scratch, n, n - kk);
}

/**
 * Rearranges a[0..n) just enough to return the value that would sit at `target` if it were sorted
 * ascending (Hoare partitioning around a median of three; duplicates split evenly, so runs of
 * equal scores, -Infinity included, do not degrade it).
 */
function selectAscending(a: Float32Array, n: number, target: number): number {
  let lo = 0;
  let hi = n - 1;
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    const pivot = median3(a[lo], a[mid], a[hi]);
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    // Now a[lo..j] <= pivot <= a[i..hi], and everything strictly between j and i equals pivot.
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return a[target];
  }
  return a[target];
}

function median3(x: number, y: number, z: number): number {
  if (x < y) return y < z ? y : x < z ? z : x;
  return x < z ? x : y < z ? z : y;
}

/**
 * Keeps the candidates whose score is >= the k-th largest: writes them, in their original order,
 * to outIds/outScores (>= n) and returns how many were kept (k, or more when the k-th is tied).
 */
export function keepTopK(
  ids: Int32Array, // (n,) candidate token ids
  scores: Float32Array, // (n,) their scores
  n: number,
  k: number,
  outIds: Int32Array,
  outScores: Float32Array,
  scratch: Float32Array,
): number {
  const threshold = kthLargest(scores, n, k, scratch);
  let m = 0;
  for (let i = 0; i < n; i++) {
    const v = scores[i];
    if (v >= threshold) {
      outIds[m] = ids[i];
      outScores[m] = v;
      m++;
    }
  }
  return m;
}
