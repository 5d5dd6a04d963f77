/**
 * A restricted interpreter for the Python pickles `torch.save(state_dict)` writes (protocol 2; the opcodes of
 * protocols 3-5 that a re-saved file may add are accepted too). See CPython's Lib/pickletools.py for the opcodes.
 *
 * Nothing is ever executed. GLOBAL/STACK_GLOBAL resolve only an allow-list: `collections.OrderedDict` (called with
 * no arguments it is an empty dict), `torch._utils._rebuild_tensor(_v2)` (called, it builds a TensorRef descriptor)
 * and `_rebuild_parameter(_with_state)` (which returns the tensor it wraps), and the `torch.*Storage` classes, which
 * are inert markers of a dtype and cannot be called. Any other global (`os.system`, `builtins.eval`, …) is refused
 * when the GLOBAL opcode names it, before anything could be called. BINPERSID turns torch's persistent id tuple
 * `('storage', StorageClass, key, location, numel[, view])` into a StorageRef descriptor; BUILD on a dict (the
 * OrderedDict's `_metadata`) is ignored.
 *
 * Limits: every length is checked against the input, MARK nesting is capped, the memo and the stack grow by at
 * most one entry an opcode, and each opcode reads at least one byte, so the work is linear in the input size.
 */
import { EngineError } from '../errors';
import { describeValue } from '../untrusted';

/** A Python tuple. */
export class PickleTuple {
  constructor(readonly items: readonly PickleValue[]) {}
}

/** A Python dict or OrderedDict, in insertion order. */
export class PickleDict {
  readonly map = new Map<PickleValue, PickleValue>();
}

/** A torch storage class (`torch.FloatStorage`, …): its safetensors-style dtype and element size, or null if unknown. */
export class StorageType {
  constructor(readonly name: string, readonly dtype: string | null, readonly elementBytes: number) {}
}

/** What a persistent id names: the storage with `key`, `numel` elements of `type`, optionally a legacy view of it. */
export class StorageRef {
  constructor(
    readonly type: StorageType,
    readonly key: string,
    readonly numel: number,
    /** Legacy storage view: `size` elements from element `offset` of the root storage. */
    readonly view: { offset: number; size: number } | null,
  ) {}
}

/** What `_rebuild_tensor_v2` would build: a view of a storage. */
export class TensorRef {
  constructor(readonly storage: StorageRef, readonly offset: number, readonly size: number[], readonly stride: number[]) {}
}

/** An allowed global that REDUCE may call. */
export class PickleCallable {
  constructor(readonly name: string, readonly call: (args: readonly PickleValue[], fail: (what: string) => never) => PickleValue) {}
}

export type PickleValue =
  | null | boolean | number | bigint | string | Uint8Array
  | PickleValue[] | PickleTuple | PickleDict | StorageType | StorageRef | TensorRef | PickleCallable;

/** Deepest MARK nesting accepted (a state dict nests three). */
export const MAX_MARK_DEPTH = 1000;

/** Longest LONG1/LONG4 integer accepted (torch's magic number takes 10 bytes); bigger ones would cost quadratic time. */
const MAX_LONG_BYTES = 64;

/** Storage classes by name: dtype as readSafetensors names it and bytes per element. */
const STORAGE_TYPES: ReadonlyMap<string, [string, number]> = new Map([
  ['FloatStorage', ['F32', 4]], ['HalfStorage', ['F16', 2]], ['BFloat16Storage', ['BF16', 2]],
  ['DoubleStorage', ['F64', 8]], ['LongStorage', ['I64', 8]], ['IntStorage', ['I32', 4]],
  ['ShortStorage', ['I16', 2]], ['CharStorage', ['I8', 1]], ['ByteStorage', ['U8', 1]], ['BoolStorage', ['BOOL', 1]],
  ['ComplexFloatStorage', ['C64', 8]], ['ComplexDoubleStorage', ['C128', 16]],
]);

function isInt(v: PickleValue): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v);
}

function intTuple(v: PickleValue, what: string, fail: (what: string) => never): number[] {
  if (!(v instanceof PickleTuple) || !v.items.every((d) => isInt(d) && d >= 0)) fail(`${what} ${describeKind(v)}, not a tuple of non-negative integers`);
  return (v as PickleTuple).items.slice() as number[];
}

function rebuildTensor(args: readonly PickleValue[], fail: (what: string) => never): TensorRef {
  const [storage, offset, size, stride] = args;
  if (!(storage instanceof StorageRef)) fail(`_rebuild_tensor gets ${describeKind(storage)} where a storage belongs`);
  if (!isInt(offset) || offset < 0) fail(`_rebuild_tensor gets a storage offset of ${describeKind(offset)}`);
  const sizes = intTuple(size, '_rebuild_tensor gets a size of', fail);
  const strides = intTuple(stride, '_rebuild_tensor gets a stride of', fail);
  if (sizes.length !== strides.length) fail(`_rebuild_tensor gets ${sizes.length} sizes but ${strides.length} strides`);
  return new TensorRef(storage, offset, sizes, strides);
}

function rebuildParameter(args: readonly PickleValue[], fail: (what: string) => never): PickleValue {
  if (!(args[0] instanceof TensorRef)) fail(`_rebuild_parameter gets ${describeKind(args[0])} where a tensor belongs`);
  return args[0];
}

const CALLABLES: ReadonlyMap<string, PickleCallable> = new Map(
  [
    new PickleCallable('collections.OrderedDict', (args, fail) => {
      if (args.length !== 0) fail(`collections.OrderedDict is called with ${args.length} arguments; torch.save calls it with none`);
      return new PickleDict();
    }),
    new PickleCallable('torch._utils._rebuild_tensor', (args, fail) => {
      if (args.length !== 4) fail(`_rebuild_tensor is called with ${args.length} arguments, not 4`);
      return rebuildTensor(args, fail);
    }),
    new PickleCallable('torch._utils._rebuild_tensor_v2', (args, fail) => {
      if (args.length < 6 || args.length > 7) fail(`_rebuild_tensor_v2 is called with ${args.length} arguments, not 6 or 7`);
      return rebuildTensor(args, fail);
    }),
    new PickleCallable('torch._utils._rebuild_parameter', (args, fail) => {
      if (args.length !== 3) fail(`_rebuild_parameter is called with ${args.length} arguments, not 3`);
      return rebuildParameter(args, fail);
    }),
    new PickleCallable('torch._utils._rebuild_parameter_with_state', (args, fail) => {
      if (args.length !== 4) fail(`_rebuild_parameter_with_state is called with ${args.length} arguments, not 4`);
      return rebuildParameter(args, fail);
    }),
  ].map((c) => [c.name, c]),
);

/** A module or global name from the file for a message: as is when short and printable, else described. */
function shownName(name: string): string {
  return name.length <= 100 && /^[\x21-\x7e]*$/.test(name) ? name : describeValue(name, 120);
}

/** A short description of a pickle value's kind, for messages. */
export function describeKind(v: PickleValue | undefined): string {
  if (v instanceof PickleTuple) return `a tuple of ${v.items.length}`;
  if (v instanceof PickleDict) return `a dict of ${v.map.size}`;
  if (v instanceof StorageType) return `the class torch.${shownName(v.name)}`;
  if (v instanceof StorageRef) return 'a storage';
  if (v instanceof TensorRef) return 'a tensor';
  if (v instanceof PickleCallable) return `the function ${v.name}`;
  if (v instanceof Uint8Array) return `${v.length} bytes`;
  return describeValue(v);
}

/** The value of an allowed global; refuses any other before anything could be called. */
function resolveGlobal(module: string, name: string, fileName: string): PickleValue {
  const full = `${module}.${name}`;
  const callable = CALLABLES.get(full);
  if (callable) return callable;
  if (module === 'torch' && /^[A-Za-z0-9_]{1,40}Storage$/.test(name)) {
    const known = STORAGE_TYPES.get(name);
    return new StorageType(name, known ? known[0] : null, known ? known[1] : 0);
  }
  const shown = `${shownName(module)}.${shownName(name)}`;
  if (module === 'torch' || module.startsWith('torch.')) {
    throw new EngineError('bad_safetensors', `${fileName} uses ${shown}, which this reader does not support (only plain tensors in a state dict); refusing to load it. Convert the model to safetensors in Python you trust.`);
  }
  throw new EngineError('bad_safetensors', `${fileName} calls ${shown}, which a saved state dict never does; refusing to load it (it may be malicious). Convert the model to safetensors in Python you trust.`);
}

/** The StorageRef a torch persistent id names. */
function persistentLoad(pid: PickleValue, fail: (what: string) => never): StorageRef {
  if (!(pid instanceof PickleTuple)) fail(`a persistent id is ${describeKind(pid)}, not a tuple`);
  const [tag, type, key, , numel, view] = pid.items;
  if (tag !== 'storage' || pid.items.length < 5 || pid.items.length > 6) fail(`a persistent id is not ('storage', class, key, location, size)`);
  if (!(type instanceof StorageType)) fail(`a persistent id names ${describeKind(type)} where a storage class belongs`);
  if (typeof key !== 'string') fail(`a persistent id has the storage key ${describeKind(key)}`);
  if (!isInt(numel) || numel < 0) fail(`a persistent id has the storage size ${describeKind(numel)}`);
  let storageView: StorageRef['view'] = null;
  if (view !== undefined && view !== null) {
    const items = view instanceof PickleTuple ? view.items : [];
    if (items.length !== 3 || typeof items[0] !== 'string' || !isInt(items[1]) || !isInt(items[2]) || items[1] < 0 || items[2] < 0) {
      fail(`a persistent id has the storage view ${describeKind(view)}, not (key, offset, size)`);
    }
    storageView = { offset: items[1] as number, size: items[2] as number };
  }
  return new StorageRef(type, key, numel, storageView);
}

/** The result of one pickle: its value and the offset just past its STOP opcode. */
export interface Unpickled {
  value: PickleValue;
  end: number;
}

/**
 * Runs the pickle that starts at `start` of `bytes` until its STOP. `what` names it in messages
 * (e.g. `pytorch_model.bin: data.pkl`).
 */
export function unpickle(bytes: Uint8Array, start: number, fileName: string, what = 'the pickle'): Unpickled {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const latin1 = new TextDecoder('latin1');
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  let stack: PickleValue[] = [];
  const marks: PickleValue[][] = [];
  const memo = new Map<number, PickleValue>();
  let p = start;
  let at = start;
  const fail: (why: string) => never = (why) => {
    throw new EngineError('bad_safetensors', `${fileName}: ${what} at byte ${at}: ${why}; the file is corrupt or not a PyTorch state dict.`);
  };
  const need = (n: number): number => {
    if (!Number.isSafeInteger(n) || n < 0 || p + n > bytes.length) fail(`needs ${n} bytes but the file ends at byte ${bytes.length} (it is truncated)`);
    const q = p;
    p += n;
    return q;
  };
  const u8 = () => bytes[need(1)];
  const u32 = () => view.getUint32(need(4), true);
  const u64 = () => {
    const q = need(8);
    const high = view.getUint32(q + 4, true);
    if (high >= 2 ** 21) fail('a length is larger than any file');
    return high * 2 ** 32 + view.getUint32(q, true);
  };
  const pop = (): PickleValue => {
    if (stack.length === 0) fail('pops an empty stack');
    return stack.pop() as PickleValue;
  };
  const top = (): PickleValue => {
    if (stack.length === 0) fail('reads an empty stack');
    return stack[stack.length - 1];
  };
  const popMark = (): PickleValue[] => {
    if (marks.length === 0) fail('has no MARK to pop to');
    const items = stack;
    stack = marks.pop() as PickleValue[];
    return items;
  };
  const text = (n: number, decoder: TextDecoder): string => {
    const q = need(n);
    try {
      return decoder.decode(bytes.subarray(q, q + n));
    } catch {
      return fail('a string is not valid UTF-8');
    }
  };
  const line = (): string => {
    const end = bytes.indexOf(0x0a, p);
    if (end < 0 || end - p > 200) fail('a GLOBAL name has no end of line within 200 bytes');
    return text(end - p + 1, latin1).slice(0, -1);
  };
  const long = (n: number): number | bigint => {
    if (n > MAX_LONG_BYTES) fail(`an integer of ${n} bytes is longer than any torch.save writes`);
    const q = need(n);
    if (n === 0) return 0;
    let v = 0n;
    for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[q + i]);
    if (bytes[q + n - 1] & 0x80) v -= 1n << BigInt(8 * n);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  };
  const setItems = (target: PickleValue, items: PickleValue[]): void => {
    if (!(target instanceof PickleDict)) fail(`SETITEM(S) on ${describeKind(target)}, not a dict`);
    if (items.length % 2 !== 0) fail('SETITEMS has a key without a value');
    for (let i = 0; i < items.length; i += 2) target.map.set(items[i], items[i + 1]);
  };
  const append = (target: PickleValue, items: PickleValue[]): void => {
    if (!Array.isArray(target)) fail(`APPEND(S) on ${describeKind(target)}, not a list`);
    for (const item of items) target.push(item);
  };
  const put = (index: number): void => {
    memo.set(index, top());
  };
  const get = (index: number): void => {
    if (!memo.has(index)) fail(`gets memo entry ${index}, which was never put`);
    stack.push(memo.get(index) as PickleValue);
  };
  const global = (module: string, name: string): void => {
    stack.push(resolveGlobal(module, name, fileName));
  };

  for (;;) {
    at = p;
    const op = u8();
    switch (op) {
      case 0x80: { // PROTO
        const v = u8();
        if (v < 2 || v > 5) fail(`pickle protocol ${v} is not one torch.save writes`);
        break;
      }
      case 0x95: u64(); break; // FRAME: a length hint, nothing to do
      case 0x2e: { // STOP
        if (stack.length !== 1 || marks.length !== 0) fail(`STOP leaves ${stack.length} values and ${marks.length} marks, not one value`);
        return { value: stack[0], end: p };
      }
      case 0x28: // MARK
        if (marks.length >= MAX_MARK_DEPTH) fail(`MARKs nest more than ${MAX_MARK_DEPTH} deep, which no state dict does`);
        marks.push(stack);
        stack = [];
        break;
      case 0x29: stack.push(new PickleTuple([])); break; // EMPTY_TUPLE
      case 0x7d: stack.push(new PickleDict()); break; // EMPTY_DICT
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x4e: stack.push(null); break; // NONE
      case 0x88: stack.push(true); break; // NEWTRUE
      case 0x89: stack.push(false); break; // NEWFALSE
      case 0x4a: stack.push(view.getInt32(need(4), true)); break; // BININT
      case 0x4b: stack.push(u8()); break; // BININT1
      case 0x4d: stack.push(view.getUint16(need(2), true)); break; // BININT2
      case 0x8a: stack.push(long(u8())); break; // LONG1
      case 0x8b: stack.push(long(u32())); break; // LONG4
      case 0x47: stack.push(view.getFloat64(need(8), false)); break; // BINFLOAT
      case 0x58: stack.push(text(u32(), utf8)); break; // BINUNICODE
      case 0x8c: stack.push(text(u8(), utf8)); break; // SHORT_BINUNICODE
      case 0x8d: stack.push(text(u64(), utf8)); break; // BINUNICODE8
      case 0x54: stack.push(text(u32(), latin1)); break; // BINSTRING (Python 2 str)
      case 0x55: stack.push(text(u8(), latin1)); break; // SHORT_BINSTRING
      case 0x42: { const n = u32(); const q = need(n); stack.push(bytes.subarray(q, q + n)); break; } // BINBYTES
      case 0x43: { const n = u8(); const q = need(n); stack.push(bytes.subarray(q, q + n)); break; } // SHORT_BINBYTES
      case 0x8e: { const n = u64(); const q = need(n); stack.push(bytes.subarray(q, q + n)); break; } // BINBYTES8
      case 0x85: stack.push(new PickleTuple([pop()])); break; // TUPLE1
      case 0x86: { const b = pop(); const a = pop(); stack.push(new PickleTuple([a, b])); break; } // TUPLE2
      case 0x87: { const c = pop(); const b = pop(); const a = pop(); stack.push(new PickleTuple([a, b, c])); break; } // TUPLE3
      case 0x74: { const items = popMark(); stack.push(new PickleTuple(items)); break; } // TUPLE
      case 0x6c: { const items = popMark(); stack.push(items); break; } // LIST
      case 0x64: { const items = popMark(); const d = new PickleDict(); stack.push(d); setItems(d, items); break; } // DICT
      case 0x61: { const item = pop(); append(top(), [item]); break; } // APPEND
      case 0x65: { const items = popMark(); append(top(), items); break; } // APPENDS
      case 0x73: { const v = pop(); const k = pop(); setItems(top(), [k, v]); break; } // SETITEM
      case 0x75: { const items = popMark(); setItems(top(), items); break; } // SETITEMS
      case 0x30: pop(); break; // POP
      case 0x31: popMark(); break; // POP_MARK
      case 0x32: stack.push(top()); break; // DUP
      case 0x63: { const module = line(); global(module, line()); break; } // GLOBAL
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL names are not strings');
        global(module as string, name as string);
        break;
      }
      case 0x52: { // REDUCE
        const args = pop();
        const callable = pop();
        if (!(callable instanceof PickleCallable)) fail(`REDUCE calls ${describeKind(callable)}, which is not callable here`);
        if (!(args instanceof PickleTuple)) fail(`REDUCE passes ${describeKind(args)} as arguments, not a tuple`);
        stack.push((callable as PickleCallable).call((args as PickleTuple).items, fail));
        break;
      }
      case 0x62: { // BUILD: the OrderedDict's _metadata (or a parameter's state); never applied
        pop();
        const target = top();
        if (!(target instanceof PickleDict) && !(target instanceof TensorRef)) fail(`BUILD on ${describeKind(target)}`);
        break;
      }
      case 0x51: stack.push(persistentLoad(pop(), fail)); break; // BINPERSID
      case 0x71: put(u8()); break; // BINPUT
      case 0x72: put(u32()); break; // LONG_BINPUT
      case 0x94: put(memo.size); break; // MEMOIZE
      case 0x68: get(u8()); break; // BINGET
      case 0x6a: get(u32()); break; // LONG_BINGET
      default:
        fail(`opcode 0x${op.toString(16).padStart(2, '0')} is not one a saved state dict uses`);
    }
  }
}
