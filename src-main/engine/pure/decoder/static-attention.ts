// Attention over a static KV cache: the runner's preallocated buffer (batch, kv_heads, capacity,
// head_dim) is a graph INPUT read in place, and the new tokens' K/V arrive as separate tensors.
// Nothing cache-sized is concatenated or output: the scores against the buffer and against the new
// tokens are computed apart and joined (a (.., seq, capacity + seq) score tensor, small at decode),
// one softmax covers both, and the context is the sum of the two probability-weighted parts.
// Slots past a row's valid length are hidden by ctx.maskBias (static-mask.ts). The K transposes
// fold into MatMul (onnxruntime's MatmulTransposeFusion), so the buffer is never copied.
// Grouped-query heads are handled by reshaping q to (batch, kv_heads, groups * seq, head_dim):
// free, because the heads of one group are adjacent, and K/V then broadcast without copies.
// Pure TypeScript: no Node built-ins.

import type { LayerContext } from './decoder-layer';

const int = (value: number) => ({ type: 'int', value }) as const;
const ints = (value: readonly number[]) => ({ type: 'ints', value }) as const;
// decoder-layer's toCompute / toF32, repeated here so that the two modules do not import each other.
const half = (ctx: LayerContext): boolean => ctx.dtype !== 'fp32';
const toCompute = (ctx: LayerContext, x: string): string => (half(ctx) ? ctx.ops.cast(x, 'float16') : x);
const toF32 = (ctx: LayerContext, x: string): string => (half(ctx) ? ctx.ops.cast(x, 'float32') : x);

/**
 * q pre-scaled, f32 (batch, heads, seq, head_dim); returns (batch, seq, heads * head_dim) in the
 * compute type. The scores, softmax and weighted sum run in f32 over the cache values as stored,
 * and the context is rounded to the compute type once: exactly what onnxruntime's CPU provider
 * makes of the concat graph's fp16 attention (it has no fp16 MatMul, casts K/V up, and drops the
 * graph's f32->fp16->f32 cast pairs on q and the probabilities), so the two graphs agree in fp16
 * as closely as in fp32. A GPU provider with fp16 MatMul would prefer fp16 here.
 */
export function staticAttention(ctx: LayerContext, i: number, q: string, kBuffer: string, vBuffer: string, kNew: string, vNew: string, products: 'f32' | 'compute' = 'f32'): string {
  const { ops, config: c } = ctx;
  if (!ctx.keySplit) throw new Error('static attention needs ctx.keySplit');
  // 'compute' (the split graph, for GPU providers): the products run in the cache's own type, as the
  // concat graph's do, with the softmax in f32; casting a device cache to f32 would copy it each step.
  const operand = products === 'compute' ? (x: string) => toCompute(ctx, x) : (x: string) => toF32(ctx, x);
  const qg = ops.op('Reshape', [operand(q), ops.i64([0, c.numKvHeads, -1, c.headDim])], `l${i}_qg`); // (batch, kv_heads, groups * seq, head_dim)
  const kT = (k: string, hint: string) => ops.op('Transpose', [operand(k)], hint, { perm: ints([0, 1, 3, 2]) }); // (batch, kv_heads, head_dim, n)
  const fromBuffer = ops.op('MatMul', [qg, kT(kBuffer, `l${i}_kbT`)], `l${i}_scores_buf`); // (batch, kv_heads, groups * seq, capacity)
  const fromNew = ops.op('MatMul', [qg, kT(kNew, `l${i}_knT`)], `l${i}_scores_new`); // (batch, kv_heads, groups * seq, seq)
  const joined = ops.op('Concat', [fromBuffer, fromNew], `l${i}_scores`, { axis: int(-1) }); // (batch, kv_heads, groups * seq, capacity + seq)
  const scores = products === 'compute' ? toF32(ctx, joined) : joined; // f32 for the bias and the softmax
  const biased = ops.op('Add', [scores, ctx.maskBias], `l${i}_biased`); // same shape
  const probs = ops.op('Softmax', [biased], `l${i}_probs`, { axis: int(-1) }); // same shape
  const [pBuffer, pNew] = ops.opMulti('Split', [operand(probs), ctx.keySplit], [`l${i}_p_buf`, `l${i}_p_new`], { axis: int(-1) }); // (.., capacity), (.., seq)
  const ctxBuffer = ops.op('MatMul', [pBuffer, operand(vBuffer)], `l${i}_ctx_buf`); // (batch, kv_heads, groups * seq, head_dim)
  const ctxNew = ops.op('MatMul', [pNew, operand(vNew)], `l${i}_ctx_new`); // (batch, kv_heads, groups * seq, head_dim)
  const out = toCompute(ctx, ops.op('Add', [ctxBuffer, ctxNew], `l${i}_ctx`)); // (batch, kv_heads, groups * seq, head_dim)
  const heads = ops.op('Reshape', [out, ops.i64([0, c.numHeads, -1, c.headDim])], `l${i}_ctx4`); // (batch, heads, seq, head_dim)
  const bshd = ops.op('Transpose', [heads], `l${i}_ctxT`, { perm: ints([0, 2, 1, 3]) }); // (batch, seq, heads, head_dim)
  return ops.op('Reshape', [bshd, ops.i64([0, 0, c.numHeads * c.headDim])], `l${i}_attn`); // (batch, seq, heads * head_dim)
}
