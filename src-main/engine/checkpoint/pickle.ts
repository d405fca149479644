// A safe Python pickle reader. Python's unpickler imports any `module.name` a file asks for and
// calls it, which is how a malicious checkpoint runs code. This one never calls anything: GLOBAL,
// REDUCE, NEWOBJ, BUILD and persistent ids are handed to `PickleHooks`, which decide what an
// allowed name means as inert data (torch-pickle.ts accepts exactly what a state dict needs) and
// refuse everything else.
// Values: None -> null, bool, int -> number (bigint beyond 2^53), float -> number, str -> string,
// bytes -> Uint8Array, list -> array, tuple -> frozen array, dict -> Map.
// Opcodes: the binary ones of protocols 2-5 (pickletools' names; torch.save writes protocol 2),
// minus sets and out-of-band buffers. Text-mode protocols 0 and 1 are not read.
// Pure TypeScript: no Node built-ins.

import { EngineError } from '../common/errors';

export type PickleValue = unknown;

export interface PickleHooks {
  /** GLOBAL / STACK_GLOBAL: a value standing for `module.name`, or throw to refuse it. */
  global(module: string, name: string): PickleValue;
  /** REDUCE: `callable(*args)` where `callable` came from `global`. */
  reduce(callable: PickleValue, args: readonly PickleValue[]): PickleValue;
  /** NEWOBJ: `cls.__new__(cls, *args)`. */
  newObject(cls: PickleValue, args: readonly PickleValue[]): PickleValue;
  /** BUILD: `obj.__setstate__(state)`; returns the object that replaces `obj` on the stack. */
  build(obj: PickleValue, state: PickleValue): PickleValue;
  /** BINPERSID: a persistent id (torch: a storage). */
  persistentLoad(pid: PickleValue): PickleValue;
}

/** What the caller of `unpickle` should show when a file is refused. */
export function refuse(message: string): EngineError {
  return new EngineError('MODEL_FORMAT', message, 'Only PyTorch state dicts of tensors can be read; this file may be unsafe.');
}

export function unpickle(data: Uint8Array, hooks: PickleHooks): PickleValue {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const latin1 = new TextDecoder('latin1');
  let stack: PickleValue[] = [];
  const marks: PickleValue[][] = [];
  const memo = new Map<number, PickleValue>();
  let pos = 0;

  const fail = (message: string) => refuse(`Damaged pickle at byte ${pos}: ${message}`);
  const need = (n: number) => {
    if (n < 0 || pos + n > data.byteLength) throw fail('it ends early.');
  };
  const u8 = () => (need(1), data[pos++]);
  const u16 = () => (need(2), (pos += 2), view.getUint16(pos - 2, true));
  const u32 = () => (need(4), (pos += 4), view.getUint32(pos - 4, true));
  const i32 = () => (need(4), (pos += 4), view.getInt32(pos - 4, true));
  const u64 = () => {
    need(8);
    const v = view.getBigUint64(pos, true);
    pos += 8;
    if (v > BigInt(data.byteLength)) throw fail('a length exceeds the data.');
    return Number(v);
  };
  const bytes = (n: number) => (need(n), (pos += n), data.subarray(pos - n, pos));
  const line = () => {
    const end = data.indexOf(0x0a, pos);
    if (end < 0) throw fail('a text argument has no end of line.');
    const text = latin1.decode(data.subarray(pos, end));
    pos = end + 1;
    return text;
  };
  const text = (n: number) => {
    try {
      return utf8.decode(bytes(n));
    } catch {
      throw fail('a string is not valid UTF-8.');
    }
  };
  // Evaluates its argument before reading `stack`, which popMark() replaces.
  const push = (v: PickleValue) => {
    stack.push(v);
  };
  const pop = () => {
    if (stack.length === 0) throw fail('the stack is empty.');
    return stack.pop();
  };
  const top = () => {
    if (stack.length === 0) throw fail('the stack is empty.');
    return stack[stack.length - 1];
  };
  const popMark = () => {
    const items = stack;
    const previous = marks.pop();
    if (!previous) throw fail('no MARK to pop to.');
    stack = previous;
    return items;
  };
  const tuple = (items: PickleValue[]) => Object.freeze(items);
  const append = (list: PickleValue, items: PickleValue[]) => {
    if (!Array.isArray(list) || Object.isFrozen(list)) throw fail('APPEND to something that is not a list.');
    for (const item of items) list.push(item); // not push(...items): a huge APPENDS would overflow the call stack
  };
  const setItems = (dict: PickleValue, items: PickleValue[]) => {
    if (!(dict instanceof Map)) throw fail('SETITEM on something that is not a dict.');
    if (items.length % 2) throw fail('SETITEMS with an odd number of items.');
    for (let i = 0; i < items.length; i += 2) dict.set(items[i], items[i + 1]);
  };
  const get = (key: number) => {
    if (!memo.has(key)) throw fail(`memo entry ${key} is missing.`);
    return memo.get(key);
  };
  const long = (b: Uint8Array): number | bigint => {
    if (b.length === 0) return 0;
    let v = 0n;
    for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
    if (b[b.length - 1] & 0x80) v -= 1n << BigInt(8 * b.length);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  };
  const argsOf = (value: PickleValue) => {
    if (!Array.isArray(value)) throw fail('call arguments are not a tuple.');
    return value as PickleValue[];
  };

  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: u8(); break; // PROTO
      case 0x95: u64(); break; // FRAME: framing only matters to streaming readers
      case 0x2e: return pop(); // STOP
      case 0x28: marks.push(stack); stack = []; break; // MARK
      case 0x30: pop(); break; // POP
      case 0x31: popMark(); break; // POP_MARK
      case 0x32: push(top()); break; // DUP
      case 0x4e: push(null); break; // NONE
      case 0x88: push(true); break; // NEWTRUE
      case 0x89: push(false); break; // NEWFALSE
      case 0x4a: push(i32()); break; // BININT
      case 0x4b: push(u8()); break; // BININT1
      case 0x4d: push(u16()); break; // BININT2
      case 0x8a: push(long(bytes(u8()))); break; // LONG1
      case 0x8b: { // LONG4; state dicts hold small ints, and BigInt parsing is quadratic
        const n = i32();
        if (n > 1024) throw fail(`a ${n}-byte integer.`);
        push(long(bytes(n)));
        break;
      }
      case 0x47: need(8); push(view.getFloat64(pos, false)); pos += 8; break; // BINFLOAT (big-endian)
      case 0x58: push(text(u32())); break; // BINUNICODE
      case 0x8c: push(text(u8())); break; // SHORT_BINUNICODE
      case 0x8d: push(text(u64())); break; // BINUNICODE8
      case 0x54: push(latin1.decode(bytes(i32()))); break; // BINSTRING (Python 2 str)
      case 0x55: push(latin1.decode(bytes(u8()))); break; // SHORT_BINSTRING
      case 0x42: push(bytes(u32()).slice()); break; // BINBYTES
      case 0x43: push(bytes(u8()).slice()); break; // SHORT_BINBYTES
      case 0x8e: push(bytes(u64()).slice()); break; // BINBYTES8
      case 0x7d: push(new Map()); break; // EMPTY_DICT
      case 0x64: { // DICT
        const d = new Map();
        setItems(d, popMark());
        push(d);
        break;
      }
      case 0x5d: push([]); break; // EMPTY_LIST
      case 0x6c: push(popMark()); break; // LIST
      case 0x29: push(tuple([])); break; // EMPTY_TUPLE
      case 0x74: push(tuple(popMark())); break; // TUPLE
      case 0x85: push(tuple([pop()])); break; // TUPLE1
      case 0x86: { // TUPLE2
        const b = pop();
        push(tuple([pop(), b]));
        break;
      }
      case 0x87: { // TUPLE3
        const c = pop();
        const b = pop();
        push(tuple([pop(), b, c]));
        break;
      }
      case 0x61: { // APPEND
        const v = pop();
        append(top(), [v]);
        break;
      }
      case 0x65: { // APPENDS
        const items = popMark();
        append(top(), items);
        break;
      }
      case 0x73: { // SETITEM
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      }
      case 0x75: { // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x63: { // GLOBAL "module\nname\n"
        const module = line();
        push(hooks.global(module, line()));
        break;
      }
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') throw fail('STACK_GLOBAL without two strings.');
        push(hooks.global(module, name));
        break;
      }
      case 0x52: { // REDUCE
        const args = argsOf(pop());
        push(hooks.reduce(pop(), args));
        break;
      }
      case 0x81: { // NEWOBJ
        const args = argsOf(pop());
        push(hooks.newObject(pop(), args));
        break;
      }
      case 0x62: { // BUILD
        const state = pop();
        push(hooks.build(pop(), state));
        break;
      }
      case 0x51: push(hooks.persistentLoad(pop())); break; // BINPERSID
      case 0x71: memo.set(u8(), top()); break; // BINPUT
      case 0x72: memo.set(u32(), top()); break; // LONG_BINPUT
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x68: push(get(u8())); break; // BINGET
      case 0x6a: push(get(u32())); break; // LONG_BINGET
      default:
        pos--;
        throw fail(`unsupported opcode 0x${op.toString(16).padStart(2, '0')}.`);
    }
  }
}
