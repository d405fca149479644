// The scale of PURE's entropy map, shared by the engine that writes it and the page that shows
// its legend (the page keeps its own copy, checked equal by heat-scale.test.ts): each image
// token's entropy (of the distribution it was sampled from, after guidance, before top-k; in
// nats) is stored as grey, 0 nats black, ENTROPY_MAP_MAX_NATS white.

/**
 * The entropy drawn white. Just above the most a token can have (every one of the 16384 image
 * codes equally likely: ln 16384 = 9.7 nats), so no token is clipped.
 */
export const ENTROPY_MAP_MAX_NATS = 10;

/** Nats to bits: the same uncertainty, counted in log2. */
export const natsToBits = (nats: number): number => nats / Math.LN2;
