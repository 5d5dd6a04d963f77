/**
 * Builds `torch.save` files byte by byte for tests, without torch: pickle opcodes (protocol 2, as torch writes
 * them), a state-dict pickle of `_rebuild_tensor_v2` calls over persistent-id storages, the zip container (entries
 * stored, via fflate) and the legacy layout (magic, protocol, sys info, state dict, key list, raw storages).
 */
import { zipSync } from 'fflate';

export type Bytes = ArrayLike<number>;

export function cat(...parts: Bytes[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function le32(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
}

/** Pickle opcodes and small encoders. */
export const P = {
  proto: (v = 2): number[] => [0x80, v],
  stop: [0x2e],
  mark: [0x28],
  emptyTuple: [0x29],
  emptyDict: [0x7d],
  emptyList: [0x5d],
  none: [0x4e],
  newTrue: [0x88],
  newFalse: [0x89],
  reduce: [0x52],
  build: [0x62],
  tuple: [0x74],
  setitem: [0x73],
  setitems: [0x75],
  appends: [0x65],
  binpersid: [0x51],
  stackGlobal: [0x93],
  str: (s: string): Uint8Array => {
    const b = new TextEncoder().encode(s);
    return cat([0x58, ...le32(b.length)], b);
  },
  int: (n: number): number[] => [0x4a, ...le32(n)],
  global: (module: string, name: string): Uint8Array => cat([0x63], new TextEncoder().encode(`${module}\n${name}\n`)),
  ints: (values: number[]): Uint8Array => cat([0x28], ...values.map((v) => P.int(v)), [0x74]),
};

/** `collections.OrderedDict()`. */
const ORDERED_DICT = cat(P.global('collections', 'OrderedDict'), P.emptyTuple, P.reduce);

export interface FakeTensor {
  name: string;
  /** A torch storage class name, e.g. 'FloatStorage'. */
  storage: string;
  key: string;
  /** Elements of the storage. */
  numel: number;
  offset?: number;
  size: number[];
  /** Row-major when omitted. */
  stride?: number[];
  /** Wrapped in `_rebuild_parameter`. */
  parameter?: boolean;
}

export function rowMajor(size: number[]): number[] {
  const stride = size.map(() => 1);
  for (let d = size.length - 2; d >= 0; d--) stride[d] = stride[d + 1] * size[d + 1];
  return stride;
}

/** One tensor: `_rebuild_tensor_v2(persistent_load(pid), offset, size, stride, False, OrderedDict())`. */
export function tensorPickle(t: FakeTensor, legacy = false): Uint8Array {
  const pid = cat(P.mark, P.str('storage'), P.global('torch', t.storage), P.str(t.key), P.str('cpu'), P.int(t.numel), legacy ? P.none : [], P.tuple, P.binpersid);
  const tensor = cat(
    P.global('torch._utils', '_rebuild_tensor_v2'),
    P.mark, pid, P.int(t.offset ?? 0), P.ints(t.size), P.ints(t.stride ?? rowMajor(t.size)), P.newFalse, ORDERED_DICT, P.tuple,
    P.reduce,
  );
  if (!t.parameter) return tensor;
  return cat(P.global('torch._utils', '_rebuild_parameter'), P.mark, tensor, P.newFalse, ORDERED_DICT, P.tuple, P.reduce);
}

/** A whole state dict pickle as torch.save writes it: an OrderedDict of tensors, then BUILD of its `_metadata`. */
export function stateDictPickle(tensors: FakeTensor[], legacy = false): Uint8Array {
  const metadata = cat(P.emptyDict, P.str('_metadata'), ORDERED_DICT, P.mark, P.str(''), P.emptyDict, P.str('version'), P.int(1), P.setitem, P.setitems, P.setitem);
  return cat(P.proto(), ORDERED_DICT, P.mark, ...tensors.flatMap((t) => [P.str(t.name), tensorPickle(t, legacy)]), P.setitems, metadata, P.build, P.stop);
}

/** The zip container: `<top>/data.pkl`, `<top>/data/<key>`, `<top>/version`, plus `extra` entries (names as given). */
export function torchZip(pickle: Uint8Array, storages: Record<string, Uint8Array>, top = 'archive', extra: Record<string, Uint8Array> = {}, level: 0 | 6 = 0): Uint8Array {
  const entries: Record<string, [Uint8Array, { level: 0 | 6 }]> = { [`${top}/data.pkl`]: [pickle, { level }] };
  for (const [key, bytes] of Object.entries(storages)) entries[`${top}/data/${key}`] = [bytes, { level }];
  entries[`${top}/version`] = [new TextEncoder().encode('3\n'), { level }];
  for (const [name, bytes] of Object.entries(extra)) entries[name] = [bytes, { level }];
  return zipSync(entries);
}

/** The legacy layout; each storage is written as its element count (8 bytes LE) and `bytes`. */
export function legacyFile(pickle: Uint8Array, storages: Array<{ key: string; count: number; bytes: Uint8Array }>): Uint8Array {
  const magic = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e];
  const protocol = [0x80, 0x02, 0x4d, 0xe9, 0x03, 0x2e];
  const info = cat(P.proto(), P.emptyDict, P.mark, P.str('protocol_version'), P.int(1001), P.str('little_endian'), P.newTrue, P.setitems, P.stop);
  const keys = cat(P.proto(), P.emptyList, P.mark, ...storages.map((s) => P.str(s.key)), P.appends, P.stop);
  const data = storages.flatMap((s) => [[...le32(s.count), 0, 0, 0, 0], s.bytes]);
  return cat(magic, protocol, info, pickle, keys, ...data);
}

/** Little-endian float32 bytes. */
export function f32(values: number[]): Uint8Array {
  return new Uint8Array(new Float32Array(values).buffer);
}

/** Little-endian 16-bit words (float16 or bfloat16 bit patterns). */
export function u16(words: number[]): Uint8Array {
  return new Uint8Array(new Uint16Array(words).buffer);
}

/** Little-endian int64 values. */
export function i64(values: number[]): Uint8Array {
  return new Uint8Array(new BigInt64Array(values.map((v) => BigInt(v))).buffer);
}
