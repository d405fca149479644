// The heatmap's colours and legend words, against hand-checked values.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ENTROPY_MAP_MAX_NATS, natsToBits } from '../../../src-main/protocol/entropy-scale';
import { HEAT_GRADIENT, HEAT_STOPS, heatEnds, MAP_MAX_NATS, tableValues } from './heat-scale';

test('the filter maps black to the first stop and white to the last', () => {
  assert.equal(tableValues(0), '0 0.3412 0.7373 0.9765 0.9882');
  assert.equal(tableValues(1), '0 0.0627 0.2157 0.5569 1');
  assert.equal(tableValues(2), '0.0157 0.4314 0.3294 0.0353 0.6431');
  assert.ok(HEAT_GRADIENT.startsWith(`linear-gradient(to right, ${HEAT_STOPS[0]}`));
  assert.ok(HEAT_GRADIENT.endsWith(`${HEAT_STOPS[HEAT_STOPS.length - 1]})`));
});

test('the ends are said in nats, the top in bits too (10 nats = 14.4 bits)', () => {
  assert.deepEqual(heatEnds(), { low: '0 nats', high: '10 nats (14.4 bits)' });
});

test('the legend’s top is the engine’s: the grey it writes white', () => {
  assert.equal(MAP_MAX_NATS, ENTROPY_MAP_MAX_NATS);
  assert.equal(heatEnds().high, `${ENTROPY_MAP_MAX_NATS} nats (${natsToBits(ENTROPY_MAP_MAX_NATS).toFixed(1)} bits)`);
});
