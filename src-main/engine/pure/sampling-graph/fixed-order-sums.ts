// Row sums and prefix sums over (B, V) float32 tensors built from elementwise Adds only, so that
// the order of the additions is fixed by the graph and not by the execution provider.
//
// Why: a rigorous bound on float32 rounding needs the summation order. onnxruntime's ReduceSum
// and CumSum add in whatever order the provider's kernel chooses (vectorised on the CPU, a
// workgroup tree on WebGPU), and the only order-free bound for m non-negative terms is
// (m - 1) * eps * sum, which for the 2000 kept tokens of a PURE step is far too wide. Here every
// result is a binary tree of Adds of depth ceil(log2 V) (17 for V = 73728), each Add one correctly
// or faithfully rounded float32 operation on every provider, so for non-negative terms
//   |computed - exact| <= depth * eps * exact   (first order; eps = 2^-23 for faithful rounding).
// Adding the zeros of masked-out tokens is exact and changes nothing. Pure TypeScript.

import type { GraphOps } from '../decoder/graph-ops';

/** Tree depth of both sums for a row of V elements: every bound here is depth * eps. */
export function sumDepth(V: number): number {
  return Math.max(1, Math.ceil(Math.log2(V)));
}

/** (B, V) -> (B, 1): zero-padded to 2^depth, then halves added pairwise depth times. */
export function treeRowSum(ops: GraphOps, x: string, V: number, hint: string): string {
  const width = 2 ** sumDepth(V);
  let y = width === V ? x : ops.op('Pad', [x, ops.i64([0, 0, 0, width - V])], `${hint}_pad`); // (B, 2^depth)
  for (let n = width; n > 1; n /= 2) {
    const h = n / 2;
    const left = ops.op('Slice', [y, ops.i64([0]), ops.i64([h]), ops.i64([1])], `${hint}_l${h}`);
    const right = ops.op('Slice', [y, ops.i64([h]), ops.i64([n]), ops.i64([1])], `${hint}_r${h}`);
    y = ops.op('Add', [left, right], `${hint}_s${h}`); // (B, h)
  }
  return y; // (B, 1)
}

/**
 * (B, V) -> (B, V) inclusive prefix sums (Hillis-Steele): at each of `depth` levels every element
 * adds the one 2^d places before it (zeros shifted in), so prefix j is a tree of depth <= depth.
 */
export function treePrefixSum(ops: GraphOps, x: string, V: number, hint: string): string {
  let y = x;
  for (let s = 1; s < V; s *= 2) {
    const shifted = shiftRight(ops, y, V, s, `${hint}_sh${s}`);
    y = ops.op('Add', [y, shifted], `${hint}_p${s}`);
  }
  return y;
}

/** (B, V) -> (B, V): y[:, j] = x[:, j - s], zeros in the first s columns (exact: no arithmetic). */
export function shiftRight(ops: GraphOps, x: string, V: number, s: number, hint: string): string {
  const head = ops.op('Slice', [x, ops.i64([0]), ops.i64([V - s]), ops.i64([1])], `${hint}_head`); // (B, V - s)
  return ops.op('Pad', [head, ops.i64([0, s, 0, 0])], hint); // (B, V)
}
