import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EngineError } from '../engine/common/errors';
import { parseEvalArgs } from './eval-args';

test('eval flags: defaults and values', () => {
  const c = parseEvalArgs(['--dataset', 'hq', '--out', 'rep']);
  assert.deepEqual(c.engines, ['bicubic', 'realesrgan-x4fast', 'realesrgan-x4plus']);
  assert.deepEqual(c.degradation, { kind: 'realesrgan' });
  assert.equal(c.seed, 0);
  const d = parseEvalArgs(['--dataset', 'hq', '--out', 'rep', '--engines', 'bicubic,pure', '--degradation', 'preset:noise=5', '--seed', '9', '--crop', '256', '--limit', '2']);
  assert.deepEqual([d.engines, d.seed, d.crop, d.limit, d.degradationText], [['bicubic', 'pure'], 9, 256, 2, 'preset:noise=5']);
  assert.equal(parseEvalArgs(['--help']).help, true);
});

test('eval usage errors are INVALID_OPTION with a message that says what to fix', () => {
  const cases: [string[], RegExp][] = [
    [['--out', 'x'], /--dataset/],
    [['--dataset', 'x'], /--out/],
    [['--dataset', 'x', '--out', 'y', '--engines', 'bicubic,nope'], /Unknown engine "nope"/],
    [['--dataset', 'x', '--out', 'y', '--engines', 'bicubic,bicubic'], /each engine once/],
    [['--dataset', 'x', '--out', 'y', '--degradation', 'preset:jpeg=0'], /jpeg=0/],
    [['--dataset', 'x', '--out', 'y', '--crop', '30'], /multiple of 4/],
    [['--dataset', 'x', '--out', 'y', '--seed', '-1'], /--seed/],
    [['--dataset', 'x', '--out', 'y', '--bogus'], /bogus/],
    [['--dataset', 'x', '--out', 'y', 'stray'], /Unexpected argument/],
  ];
  for (const [argv, message] of cases) {
    assert.throws(() => parseEvalArgs(argv), (e: unknown) => e instanceof EngineError && e.code === 'INVALID_OPTION' && message.test(e.message), argv.join(' '));
  }
});
