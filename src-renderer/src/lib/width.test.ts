// The Width rule and the middle-shortened names, against hand-written cases.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { shortName } from './format';
import { widthProblem } from './width';

test('a width is whole pixels from 16 to 65535', () => {
  for (const ok of ['16', '640', '65535']) assert.equal(widthProblem(ok), undefined, ok);
  for (const bad of ['0', '-5', '15', '65536', '100000', '', ' ', '12.5', 'abc']) assert.match(widthProblem(bad) ?? '', /^Between 16 and 65535/, bad);
});

test('a long name keeps its start and its extension', () => {
  assert.equal(shortName('cat.png'), 'cat.png');
  const name = `${'x'.repeat(60)}-1962.jpg`;
  const short = shortName(name, 40);
  assert.equal(short.length, 40);
  assert.ok(short.startsWith('xxxx') && short.endsWith('-1962.jpg') && short.includes('…'));
});

test('file names: non-portable ones are refused, a taken one gets the next free number', async () => {
  const { freeName, nameProblem } = await import('./file-names');
  for (const ok of ['rocket launch-restored', 'Photo (2)', 'été']) assert.equal(nameProblem(ok), undefined, ok);
  for (const bad of ['', '../escape', 'a:b', 'why?', 'star*', 'CON', 'lpt1', '.hidden', 'end.']) assert.ok(nameProblem(bad), bad);
  const taken = new Set(['x.png', 'x-2.png', 'y.jpg']);
  assert.equal(freeName('x', '.png', taken), 'x-3');
  assert.equal(freeName('x', '.jpg', taken), 'x');
  assert.equal(freeName('Y', '.jpg', taken), 'Y-2');
});
