import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pickle, pyGlobal, tuple } from '../pure/fixtures/pickle-writer';
import type { PyValue } from '../pure/fixtures/pickle-writer';
import { unpickle } from './pickle';
import { hasPython, runPython } from './test-python';
import { isTensorRef, PyObject, torchPickleHooks } from './torch-pickle';

const load = (bytes: Uint8Array) => unpickle(bytes, torchPickleHooks());

test('plain values, containers and an OrderedDict of tensors come back as inert data', () => {
  const storage = { key: '0', dtype: 'F32' as const, numel: 12 };
  const value: PyValue = {
    kind: 'dict',
    entries: [
      ['n', 7],
      ['big', 2 ** 40],
      ['neg', -70000],
      ['x', { kind: 'float', value: 0.25 }],
      ['t', tuple(1, 'two', null, true)],
      ['l', { kind: 'list', items: [false, 'é'] }],
      ['model', { kind: 'ordered_dict', entries: [['w', { kind: 'tensor', storage, offset: 2, shape: [2, 3], stride: [1, 2] }]] }],
    ],
  };
  const root = load(pickle(value)) as Map<string, unknown>;
  assert.equal(root.get('n'), 7);
  assert.equal(root.get('big'), 2 ** 40);
  assert.equal(root.get('neg'), -70000);
  assert.equal(root.get('x'), 0.25);
  assert.deepEqual(root.get('t'), [1, 'two', null, true]);
  assert.ok(Object.isFrozen(root.get('t')));
  assert.deepEqual(root.get('l'), [false, 'é']);
  const w = (root.get('model') as Map<string, unknown>).get('w');
  assert.ok(isTensorRef(w));
  assert.deepEqual(w, { storage: { key: '0', dtype: 'F32', location: 'cpu', numel: 12 }, storageOffset: 2, shape: [2, 3], stride: [1, 2] });
});

test('malicious globals are refused before anything runs: os.system, builtins.eval, posix.system, subprocess', () => {
  for (const [module, name] of [['os', 'system'], ['builtins', 'eval'], ['posix', 'system'], ['subprocess', 'Popen'], ['torch', 'load']]) {
    const bytes = pickle({ kind: 'reduce', callable: pyGlobal(module, name), args: ['touch /tmp/pwned'] });
    assert.throws(() => load(bytes), { code: 'MODEL_FORMAT', message: new RegExp(`refusing to unpickle ${module}\\.${name}`, 'i') });
  }
});

test('a tensor view outside its storage, a bad storage id and damaged pickles are refused', () => {
  const tensor = (numel: number): PyValue => ({ kind: 'tensor', storage: { key: '0', dtype: 'F16', numel }, offset: 1, shape: [2, 2], stride: [2, 1] });
  assert.doesNotThrow(() => load(pickle(tensor(5))));
  assert.throws(() => load(pickle(tensor(4))), { code: 'MODEL_FORMAT', message: /reaches element 4 of storage 0, which has 4/ });
  const good = pickle({ kind: 'dict', entries: [['a', 1]] });
  assert.throws(() => load(good.subarray(0, good.length - 3)), { code: 'MODEL_FORMAT', message: /ends early|stack is empty|no MARK/ });
  assert.throws(() => load(Uint8Array.of(0x80, 2, 0xff)), { code: 'MODEL_FORMAT', message: /unsupported opcode 0xff/ });
  // BINPERSID with something that is not a torch storage id
  assert.throws(() => load(Uint8Array.of(0x80, 2, 0x4b, 1, 0x51, 0x2e)), { message: /persistent id/ });
});

test('what Python itself pickles (protocols 2-5: memo, frames, long ints, bytes, Namespace) reads back the same', { skip: !hasPython() && 'no /usr/bin/python3' }, () => {
  const script = `
import argparse, collections, pickle, sys
value = {'ints': [0, 1, 255, 256, 65535, 65536, -1, -2**31, 2**31, 2**62, -2**70], 'f': 1.5e-7, 's': 'ünï', 'b': b'\\x00\\xff',
         'nested': collections.OrderedDict([('k', (1, [2, (3,)], {'z': None}))]), 'flags': (True, False),
         'args': argparse.Namespace(lr=0.25, name='vq')}
value['shared'] = value['nested']
for protocol in range(2, 6):
    sys.stdout.write(pickle.dumps(value, protocol=protocol).hex() + '\\n')
`;
  const lines = runPython(script).trim().split('\n');
  assert.equal(lines.length, 4);
  for (const [i, hex] of lines.entries()) {
    const protocol = i + 2;
    const root = load(Uint8Array.from(Buffer.from(hex, 'hex'))) as Map<string, unknown>;
    assert.deepEqual(root.get('ints'), [0, 1, 255, 256, 65535, 65536, -1, -(2 ** 31), 2 ** 31, 2n ** 62n, -(2n ** 70n)], `protocol ${protocol}`);
    assert.equal(root.get('f'), 1.5e-7);
    assert.equal(root.get('s'), 'ünï');
    assert.deepEqual(root.get('b'), Uint8Array.of(0, 255));
    assert.deepEqual(root.get('flags'), [true, false]);
    const nested = root.get('nested') as Map<string, unknown>;
    assert.deepEqual(nested.get('k'), [1, [2, [3]], new Map([['z', null]])]);
    assert.equal(root.get('shared'), nested, 'memoized objects stay shared');
    const args = root.get('args');
    assert.ok(args instanceof PyObject);
    assert.equal(args.attributes.get('lr'), 0.25);
  }
});
