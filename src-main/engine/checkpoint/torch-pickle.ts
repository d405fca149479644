// What a PyTorch state-dict pickle may contain, as inert data, and nothing else. Read from
// torch/serialization.py and torch/_utils.py (torch.save, protocol 2):
// - a tensor is REDUCE(torch._utils._rebuild_tensor_v2, (storage, storage_offset, size, stride,
//   requires_grad, backward_hooks[, metadata])); a Parameter wraps one in _rebuild_parameter;
//   tensor subclasses go through torch._tensor._rebuild_from_type_v2(func, type, args, state);
// - a storage is a persistent id ('storage', torch.<Dtype>Storage, key, location, numel), its bytes
//   being the zip entry `<archive>/data/<key>` (numel elements of that dtype);
// - a state dict is an OrderedDict (REDUCE(collections.OrderedDict, ()) then SETITEMS, then BUILD
//   with {'_metadata': ...} which we drop);
// - argparse.Namespace (training scripts save their `args` next to the weights) becomes an inert
//   object holding its attributes;
// - protocol 2 has no bytes opcode: Python 3 writes bytes as _codecs.encode(str, 'latin1'), which
//   we evaluate ourselves (latin-1 only).
// Every other global (os.system, builtins.eval, ...) is refused before anything else happens.
// Pure TypeScript: no Node built-ins.

import { refuse } from './pickle';
import type { PickleHooks, PickleValue } from './pickle';
import type { DType } from './dtype';

const STORAGE_DTYPES: Record<string, DType> = {
  FloatStorage: 'F32',
  HalfStorage: 'F16',
  BFloat16Storage: 'BF16',
  DoubleStorage: 'F64',
  LongStorage: 'I64',
  IntStorage: 'I32',
  ShortStorage: 'I16',
  CharStorage: 'I8',
  ByteStorage: 'U8',
  BoolStorage: 'BOOL',
};

const ALLOWED = new Set([
  'collections.OrderedDict',
  'torch._utils._rebuild_tensor_v2',
  'torch._utils._rebuild_parameter',
  'torch._utils._rebuild_parameter_with_state',
  'torch._tensor._rebuild_from_type_v2',
  'torch.Tensor',
  'torch.nn.parameter.Parameter',
  'argparse.Namespace',
  '_codecs.encode',
  ...Object.keys(STORAGE_DTYPES).map((s) => `torch.${s}`),
]);

/** An allowed `module.name`, as a marker: it is never called. */
export class PyGlobal {
  constructor(readonly qualifiedName: string) {}
}

/** An inert Python object (argparse.Namespace): its class name and attributes, nothing callable. */
export class PyObject {
  readonly attributes = new Map<PickleValue, PickleValue>();
  constructor(readonly className: string) {}
}

export interface TorchStorageRef {
  key: string;
  dtype: DType;
  location: string;
  /** Elements (of `dtype`) in the storage. */
  numel: number;
}

export interface TorchTensorRef {
  storage: TorchStorageRef;
  /** In elements, not bytes. */
  storageOffset: number;
  shape: number[];
  /** In elements; torch allows any non-negative strides (transposed views, expanded dims). */
  stride: number[];
}

export const isTensorRef = (v: unknown): v is TorchTensorRef => typeof v === 'object' && v !== null && 'storage' in v && 'stride' in v;

const isIndex = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isIndexList = (v: unknown): v is number[] => Array.isArray(v) && v.every(isIndex);

function rebuildTensor(args: readonly PickleValue[]): TorchTensorRef {
  const [storage, storageOffset, shape, stride] = args;
  if (!(storage instanceof Object) || !('key' in storage) || !isIndex(storageOffset) || !isIndexList(shape) || !isIndexList(stride)) {
    throw refuse('A tensor in the pickle has malformed arguments.');
  }
  if (shape.length !== stride.length) throw refuse('A tensor in the pickle has sizes and strides of different lengths.');
  const ref: TorchTensorRef = { storage: storage as TorchStorageRef, storageOffset, shape: [...shape], stride: [...stride] };
  const count = shape.reduce((a, b) => a * b, 1);
  const last = storageOffset + shape.reduce((sum, size, d) => sum + (size - 1) * stride[d], 0);
  if (count > 0 && (!Number.isSafeInteger(last) || last >= ref.storage.numel)) {
    throw refuse(`A tensor view reaches element ${last} of storage ${ref.storage.key}, which has ${ref.storage.numel}.`);
  }
  return ref;
}

/** Hooks for `unpickle` that read PyTorch checkpoints and refuse anything that is not plain data. */
export function torchPickleHooks(): PickleHooks {
  const storages = new Map<string, TorchStorageRef>();
  const qualified = (v: PickleValue) => (v instanceof PyGlobal ? v.qualifiedName : undefined);

  const hooks: PickleHooks = {
    global(module, name) {
      const q = `${module}.${name}`;
      if (!ALLOWED.has(q)) throw refuse(`Refusing to unpickle ${q}: it is not part of a PyTorch state dict.`);
      return new PyGlobal(q);
    },

    reduce(callable, args) {
      switch (qualified(callable)) {
        case 'collections.OrderedDict': {
          if (args.length === 0) return new Map();
          const pairs = args[0];
          if (!Array.isArray(pairs) || !pairs.every((p) => Array.isArray(p) && p.length === 2)) throw refuse('OrderedDict(...) with malformed items.');
          return new Map(pairs as [PickleValue, PickleValue][]);
        }
        case 'torch._utils._rebuild_tensor_v2':
          return rebuildTensor(args);
        case 'torch._utils._rebuild_parameter':
        case 'torch._utils._rebuild_parameter_with_state':
          if (!isTensorRef(args[0])) throw refuse('A Parameter in the pickle does not wrap a tensor.');
          return args[0];
        case 'torch._tensor._rebuild_from_type_v2': {
          const [func, type, innerArgs] = args;
          const typeName = qualified(type);
          if (typeName !== 'torch.Tensor' && typeName !== 'torch.nn.parameter.Parameter') throw refuse(`Refusing to rebuild a tensor of type ${typeName ?? '?'}.`);
          if (!Array.isArray(innerArgs)) throw refuse('_rebuild_from_type_v2 without an argument tuple.');
          return hooks.reduce(func, innerArgs);
        }
        case 'argparse.Namespace':
          return new PyObject('argparse.Namespace');
        case '_codecs.encode': {
          const [text, encoding] = args;
          if (typeof text !== 'string' || (encoding !== 'latin1' && encoding !== 'latin-1')) throw refuse('_codecs.encode other than latin-1.');
          return Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
        }
        default:
          throw refuse(`Refusing to call ${qualified(callable) ?? 'a non-global'} while unpickling.`);
      }
    },

    newObject(cls, _args) {
      const q = qualified(cls);
      if (q === 'argparse.Namespace') return new PyObject(q);
      if (q === 'collections.OrderedDict') return new Map();
      throw refuse(`Refusing to create a ${q ?? 'non-global'} object while unpickling.`);
    },

    build(obj, state) {
      // An OrderedDict's state is its `_metadata` (module versions); a tensor's is empty. Both unused.
      if (obj instanceof Map || isTensorRef(obj)) return obj;
      if (obj instanceof PyObject && state instanceof Map) {
        for (const [k, v] of state) obj.attributes.set(k, v);
        return obj;
      }
      throw refuse('Refusing to set the state of an unexpected object while unpickling.');
    },

    persistentLoad(pid) {
      if (!Array.isArray(pid) || pid[0] !== 'storage' || pid.length !== 5) throw refuse('An unknown kind of persistent id in the pickle.');
      const [, type, key, location, count] = pid as PickleValue[];
      const typeName = qualified(type)?.replace(/^torch\./, '') ?? '';
      const dtype = STORAGE_DTYPES[typeName];
      if (!dtype || typeof key !== 'string' || typeof location !== 'string' || !isIndex(count)) throw refuse('A malformed storage in the pickle.');
      const known = storages.get(key);
      if (known) {
        // Views of one storage (shared weights) must agree on what the storage is.
        if (known.dtype !== dtype || known.numel !== count) throw refuse(`Storage ${key} is described two different ways.`);
        return known;
      }
      const storage: TorchStorageRef = { key, dtype, location, numel: count };
      storages.set(key, storage);
      return storage;
    },
  };
  return hooks;
}
