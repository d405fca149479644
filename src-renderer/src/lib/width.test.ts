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
