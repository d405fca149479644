import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePerception, perceptionDone } from './perception';

const cases: [string, { noise?: string; blur?: string; caption: string }][] = [
  ['Noise level: medium. Blur level: small. A red car parked on a street.', { noise: 'medium', blur: 'small', caption: 'A red car parked on a street.' }],
  ['noise level: MEDIUM, blur level: large; a dog on the beach', { noise: 'medium', blur: 'large', caption: 'a dog on the beach' }],
  ['The image has medium noise and small blur. It shows a cat.', { noise: 'medium', blur: 'small', caption: 'It shows a cat.' }],
  ['The noise is large and the blur is small. Mountains at dusk.', { noise: 'large', blur: 'small', caption: 'Mountains at dusk.' }],
  ['Noise and blur are both medium.\nA bowl of fruit.', { noise: 'medium', blur: 'medium', caption: 'A bowl of fruit.' }],
  ['The image has a medium level of noise and a small level of blur. A bridge.', { noise: 'medium', blur: 'small', caption: 'A bridge.' }],
  ['slight noise, heavy blur. Caption: two people walking', { noise: 'small', blur: 'large', caption: 'two people walking' }],
  ['Noise: moderate, blur: severe, a portrait of a woman', { noise: 'medium', blur: 'large', caption: 'a portrait of a woman' }],
  ['noise level: medium blur level: small', { noise: 'medium', blur: 'small', caption: '' }],
  ['Blur: large. A city skyline at night.', { blur: 'large', caption: 'A city skyline at night.' }], // noise missing
];

for (const [text, want] of cases) {
  test(`parses ${JSON.stringify(text)}`, () => {
    const p = parsePerception(text);
    assert.equal(p.noise, want.noise);
    assert.equal(p.blur, want.blur);
    assert.equal(p.caption, want.caption);
    assert.equal(p.raw, text);
    assert.equal(p.parsed, true);
  });
}

test('text without any degradation is all caption, and not parsed', () => {
  const p = parsePerception('  A lighthouse on a cliff.  ');
  assert.deepEqual(p, { caption: 'A lighthouse on a cliff.', raw: '  A lighthouse on a cliff.  ', parsed: false });
  // A degradation word without a recognizable level: not parsed, raw kept, caption after it.
  const q = parsePerception('Noise: unclear. A tree.');
  assert.equal(q.parsed, false);
  assert.equal(q.noise, undefined);
  assert.equal(q.caption, 'A tree.');
});

test('a caption mentioning blur later does not count as degradation', () => {
  const p = parsePerception('Noise: small. Blur: small. A photo with a blurry background and high contrast.');
  assert.equal(p.noise, 'small');
  assert.equal(p.blur, 'small');
  assert.equal(p.caption, 'A photo with a blurry background and high contrast.');
});

test('perceive until the description starts', () => {
  assert.equal(perceptionDone(''), false);
  assert.equal(perceptionDone('Noise level: med'), false);
  assert.equal(perceptionDone('Noise level: medium. Blur level'), false);
  assert.equal(perceptionDone('Noise level: medium. Blur level: small.'), false);
  assert.equal(perceptionDone('Noise level: medium. Blur level: small. A red'), true);
  assert.equal(perceptionDone('A red car'), false); // no sentence yet
  assert.equal(perceptionDone('A red car on a road. It'), true); // the model skipped the degradation
});
