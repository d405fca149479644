// The sampling graphs' input and output names and row modes, shared by the float64 graph
// (sampling-graph.ts), the float32 one (sampling-graph-f32.ts) and their caller. Pure TypeScript.

export const SAMPLING_IO = {
  cond: 'cond',
  uncond: 'uncond',
  mode: 'mode',
  forcedId: 'forced_id',
  useCfg: 'use_cfg',
  guidance: 'guidance',
  temperature: 'temperature',
  u: 'u',
  textK: 'text_k',
  kBase: 'k_base',
  kThresholds: 'k_thresholds',
  token: 'token',
  entropy: 'entropy',
  k: 'k',
  kept: 'kept',
  marginU: 'margin_u',
  marginH: 'margin_h',
  /** float32 graph only: the kept set's margin, and the bound on |entropy - host entropy|. */
  marginK: 'margin_k',
  entropyBound: 'entropy_bound',
} as const;

export const SAMPLING_MODE = { text: 0, grid: 1, imageCode: 2, forced: 3 } as const;
