// How PURE's entropy map is coloured on screen, and what its legend says. The map is grey (0 nats
// black .. ENTROPY_MAP_MAX_NATS white, see protocol/entropy-scale.ts); an SVG filter maps each
// grey to a colour of this scale (inferno: perceptually even, readable in grey and by most
// colour-blind people), and the legend draws the same stops, so the two cannot disagree.

/**
 * The entropy the map draws white: the engine's ENTROPY_MAP_MAX_NATS (protocol/entropy-scale.ts;
 * the page imports no values from main, so heat-scale.test.ts checks the two agree).
 */
export const MAP_MAX_NATS = 10;

/** The id the overlay's CSS filter refers to (the legend holds the filter). */
export const HEAT_FILTER_ID = 'pure-entropy-colours';

/** Equally spaced colours from 0 nats to the top of the scale. */
export const HEAT_STOPS = ['#000004', '#57106e', '#bc3754', '#f98e09', '#fcffa4'] as const;

function channels(hex: string): [number, number, number] {
  const value = Number.parseInt(hex.slice(1), 16);
  return [(value >> 16) & 255, (value >> 8) & 255, value & 255];
}

/** feFuncR/G/B tableValues: channel 0, 1 or 2 of each stop, in 0..1. */
export function tableValues(channel: 0 | 1 | 2): string {
  return HEAT_STOPS.map((stop) => Number((channels(stop)[channel] / 255).toFixed(4))).join(' ');
}

/** The legend's bar: the stops left (certain) to right (uncertain). */
export const HEAT_GRADIENT = `linear-gradient(to right, ${HEAT_STOPS.join(', ')})`;

/** The scale's ends as the legend writes them. */
export function heatEnds(): { low: string; high: string } {
  const bits = (MAP_MAX_NATS / Math.LN2).toFixed(1);
  return { low: '0 nats', high: `${MAP_MAX_NATS} nats (${bits} bits)` };
}
