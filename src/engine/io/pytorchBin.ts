/**
 * Reads the tensors of a `pytorch_model.bin` (`torch.save(state_dict)`) without running any of its pickle.
 *
 * Two layouts exist:
 * - zip (torch ≥ 1.6): entries `<top>/data.pkl` (the pickled state dict), `<top>/data/<key>` (one per storage, raw
 *   little-endian elements), optionally `<top>/byteorder` (`little` or `big`) and `<top>/version`; `<top>` varies
 *   (`archive`, `pytorch_model`, …).
 * - legacy (`_use_new_zipfile_serialization=False`): five pickles one after another (the magic number
 *   0x1950a86a20f9469cfc6c, the protocol version 1001, a sys-info dict with `little_endian`, the state dict, the list
 *   of storage keys), then for each key in that list an 8-byte little-endian element count and the raw elements.
 *
 * In both, each tensor is `_rebuild_tensor_v2(storage, offset, size, stride, …)` over a persistent-id storage of a
 * `torch.*Storage` class (see torchPickle.ts). Tensors are returned like `readSafetensors` returns them: float32
 * row-major data (a view into the input when it is contiguous, aligned float32 used by no other tensor, else a
 * copy; strided views are gathered), with I64/I32 buffers such as `position_ids` skipped and other non-float dtypes
 * refused. Every storage range is checked before it is read; each problem is a one-line EngineError naming the
 * file and, where it applies, the tensor.
 */
import { EngineError } from '../errors';
import { describeValue } from '../untrusted';
import { halfToFloat, type SafetensorsFloatDtype, type SafetensorsTensor } from './safetensors';
import { PickleDict, StorageType, TensorRef, describeKind, unpickle, type PickleValue } from './torchPickle';
import { looksLikeZip, readZipDirectory, zipEntryData, zipName } from './zipStored';

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** The legacy format's first pickle: PROTO 2, LONG1 of 10 bytes, 0x1950a86a20f9469cfc6c little-endian. */
const LEGACY_PREFIX = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];
const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
const LEGACY_PROTOCOL = 1001;

/** Integer buffers that carry no weights: skipped, as readSafetensors skips them. */
const SKIPPED_DTYPES: ReadonlySet<string> = new Set(['I64', 'I32']);

const CONVERT_HINT = 'convert the model to safetensors (save_pretrained(dir, safe_serialization=True))';

function fail(fileName: string, what: string): never {
  throw new EngineError('bad_safetensors', `${fileName}: ${what}`);
}

/** A tensor name or storage key from the file for a message. */
function named(name: string): string {
  return zipName(name);
}

/** `[a, b, c]`, cut after 8 dimensions so a hostile 100,000-dimension shape stays a short message. */
function dims(values: number[]): string {
  return values.length <= 8 ? `[${values.join(', ')}]` : `[${values.slice(0, 8).join(', ')}, … (${values.length} dimensions)]`;
}

interface NamedTensor {
  name: string;
  ref: TensorRef;
}

/** The state dict's tensors, in file order. Anything but a dict of tensors is refused. */
function tensorsOf(fileName: string, root: PickleValue): NamedTensor[] {
  if (!(root instanceof PickleDict)) fail(fileName, `the pickle holds ${describeKind(root)}, not a state dict; save the model's state_dict(), or ${CONVERT_HINT}.`);
  const out: NamedTensor[] = [];
  for (const [key, value] of root.map) {
    if (typeof key !== 'string') fail(fileName, `the state dict has the key ${describeKind(key)}, not a tensor name.`);
    if (!(value instanceof TensorRef)) {
      fail(fileName, `state dict entry ${named(key)} is ${describeKind(value)}, not a tensor (a training checkpoint rather than pytorch_model.bin?); ${CONVERT_HINT}.`);
    }
    out.push({ name: key, ref: value });
  }
  return out;
}

/** Storage type of every key, refusing a key that two tensors read as different types. */
function storageTypes(fileName: string, tensors: NamedTensor[]): Map<string, StorageType> {
  const types = new Map<string, StorageType>();
  for (const { name, ref } of tensors) {
    const seen = types.get(ref.storage.key);
    if (seen && seen.name !== ref.storage.type.name) {
      fail(fileName, `tensor ${named(name)} reads storage ${named(ref.storage.key)} as ${seen.name} and as ${ref.storage.type.name}; the file is corrupt.`);
    }
    types.set(ref.storage.key, ref.storage.type);
  }
  return types;
}

/** Product of `size`, refused once past `limit` (before anything is allocated). */
function elementCount(fileName: string, name: string, size: number[], limit: number): number {
  if (size.includes(0)) return 0;
  let n = 1;
  for (const d of size) {
    n *= d;
    if (n > limit) fail(fileName, `tensor ${named(name)} has shape ${dims(size)}, more elements than the file holds bytes; the file is corrupt.`);
  }
  return n;
}

/** Row-major strides match `stride` on every dimension that has more than one element. */
function isContiguous(size: number[], stride: number[]): boolean {
  let expected = 1;
  for (let d = size.length - 1; d >= 0; d--) {
    if (size[d] !== 1 && stride[d] !== expected) return false;
    expected *= size[d];
  }
  return true;
}

/**
 * Copies the elements of a strided view into row-major order, as raw bytes. Dimensions of size 1 are dropped first
 * (they move no index), so every step costs O(1) amortized however many `[…, 1, 1, …]` dimensions a file claims.
 */
function gather(src: Uint8Array, elementBytes: number, offset: number, allSizes: number[], allStrides: number[], count: number): Uint8Array {
  const kept = allSizes.map((_, d) => d).filter((d) => allSizes[d] !== 1);
  const size = kept.map((d) => allSizes[d]);
  const stride = kept.map((d) => allStrides[d]);
  const out = new Uint8Array(count * elementBytes);
  const index = new Array<number>(size.length).fill(0);
  let s = offset;
  for (let o = 0; o < count; o++) {
    out.set(src.subarray(s * elementBytes, (s + 1) * elementBytes), o * elementBytes);
    for (let d = size.length - 1; d >= 0; d--) {
      if (++index[d] < size[d]) {
        s += stride[d];
        break;
      }
      s -= (size[d] - 1) * stride[d];
      index[d] = 0;
    }
  }
  return out;
}

/** `count` little-endian elements of `dtype` from `bytes` as float32; a view when allowed and possible. */
function decode(bytes: Uint8Array, count: number, dtype: SafetensorsFloatDtype, mayAlias: boolean): Float32Array {
  if (dtype === 'F32') {
    if (LITTLE_ENDIAN && mayAlias && bytes.byteOffset % 4 === 0) return new Float32Array(bytes.buffer, bytes.byteOffset, count);
    const out = new Float32Array(count);
    if (LITTLE_ENDIAN) {
      new Uint8Array(out.buffer).set(bytes.subarray(0, count * 4));
    } else {
      const view = new DataView(bytes.buffer, bytes.byteOffset, count * 4);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
    }
    return out;
  }
  const out = new Float32Array(count);
  if (dtype === 'BF16') {
    const bits = new Uint32Array(out.buffer);
    for (let i = 0; i < count; i++) bits[i] = (bytes[2 * i] | (bytes[2 * i + 1] << 8)) << 16;
    return out;
  }
  for (let i = 0; i < count; i++) out[i] = halfToFloat(bytes[2 * i] | (bytes[2 * i + 1] << 8));
  return out;
}

/** Looks up the bytes of a storage key; null when the file does not hold it. */
type StorageSource = (key: string) => Uint8Array | null;

/** Decodes every float tensor, checking each view against its storage. */
function materialize(fileName: string, tensors: NamedTensor[], storage: StorageSource, limit: number): Map<string, SafetensorsTensor> {
  const uses = new Map<string, number>();
  for (const { ref } of tensors) uses.set(ref.storage.key, (uses.get(ref.storage.key) ?? 0) + 1);
  const out = new Map<string, SafetensorsTensor>();
  for (const { name, ref } of tensors) {
    const { type, key, view } = ref.storage;
    const dtype = type.dtype;
    if (dtype === null) fail(fileName, `tensor ${named(name)} is stored as torch.${type.name}, which is not supported; re-save the model in float32 or float16.`);
    if (SKIPPED_DTYPES.has(dtype)) continue;
    if (dtype !== 'F32' && dtype !== 'F16' && dtype !== 'BF16') {
      fail(fileName, `tensor ${named(name)} has dtype ${dtype} (torch.${type.name}), which is not supported (only F32, F16 and BF16 weights); re-save the model in float32 or float16.`);
    }
    const bytes = storage(key);
    if (bytes === null) fail(fileName, `tensor ${named(name)} uses storage ${named(key)}, which the file does not hold; the file is truncated or corrupt (download it again).`);
    const held = Math.floor(bytes.length / type.elementBytes);
    const base = view ? view.offset : 0;
    const available = view ? view.size : ref.storage.numel;
    if (ref.storage.numel > held || base + available > held) {
      fail(fileName, `tensor ${named(name)}: storage ${named(key)} holds ${bytes.length} bytes, fewer than the ${Math.max(ref.storage.numel, base + available)} ${dtype} elements the pickle says; the file is truncated or corrupt.`);
    }
    const count = elementCount(fileName, name, ref.size, limit);
    const shape = ref.size.slice();
    if (count === 0) {
      out.set(name, { dtype, shape, data: new Float32Array(0) });
      continue;
    }
    let last = ref.offset;
    for (let d = 0; d < ref.size.length; d++) last += (ref.size[d] - 1) * ref.stride[d];
    if (last >= available) {
      fail(fileName, `tensor ${named(name)} (shape ${dims(ref.size)}, stride ${dims(ref.stride)}, offset ${ref.offset}) reaches element ${last + 1} of storage ${named(key)}, which holds ${available}; the file is corrupt.`);
    }
    const root = bytes.subarray(base * type.elementBytes, (base + available) * type.elementBytes);
    const contiguous = isContiguous(ref.size, ref.stride);
    const raw = contiguous
      ? root.subarray(ref.offset * type.elementBytes, (ref.offset + count) * type.elementBytes)
      : gather(root, type.elementBytes, ref.offset, ref.size, ref.stride, count);
    const data = decode(raw, count, dtype, contiguous && (uses.get(key) ?? 0) === 1);
    out.set(name, { dtype, shape, data });
  }
  return out;
}

function readZipFormat(bytes: Uint8Array, fileName: string): Map<string, SafetensorsTensor> {
  const entries = readZipDirectory(bytes, fileName);
  const pickles = [...entries.keys()].filter((n) => /^[^/]+\/data\.pkl$/.test(n));
  if (pickles.length === 0) fail(fileName, `is a zip archive without a <folder>/data.pkl entry, so not a torch.save file; ${CONVERT_HINT}.`);
  if (pickles.length > 1) fail(fileName, `holds ${pickles.length} data.pkl entries (${pickles.slice(0, 2).map(zipName).join(', ')}); it is ambiguous, refusing it.`);
  const top = pickles[0].slice(0, -'data.pkl'.length);
  const order = entries.get(`${top}byteorder`);
  if (order) {
    const text = new TextDecoder('latin1').decode(zipEntryData(bytes, order, fileName).subarray(0, 16)).trim();
    if (text === 'big') fail(fileName, `was saved on a big-endian machine, which is not supported; load and re-save it on a little-endian one, or ${CONVERT_HINT}.`);
    if (text !== 'little') fail(fileName, `its byteorder entry says ${describeValue(text)}, not "little" or "big"; the file is corrupt.`);
  }
  const pickleEntry = entries.get(pickles[0]);
  if (!pickleEntry) fail(fileName, `lost its data.pkl entry.`);
  const root = unpickle(zipEntryData(bytes, pickleEntry, fileName), 0, fileName, zipName(pickles[0])).value;
  const tensors = tensorsOf(fileName, root);
  storageTypes(fileName, tensors);
  const cache = new Map<string, Uint8Array>();
  const storage: StorageSource = (key) => {
    const cached = cache.get(key);
    if (cached) return cached;
    const entry = entries.get(`${top}data/${key}`);
    if (!entry) return null;
    const data = zipEntryData(bytes, entry, fileName);
    cache.set(key, data);
    return data;
  };
  return materialize(fileName, tensors, storage, bytes.length);
}

function readLegacyFormat(bytes: Uint8Array, fileName: string): Map<string, SafetensorsTensor> {
  const magic = unpickle(bytes, 0, fileName, 'the magic number');
  if (magic.value !== LEGACY_MAGIC) fail(fileName, `does not start with torch.save's magic number; it is not a PyTorch file.`);
  const protocol = unpickle(bytes, magic.end, fileName, 'the protocol version');
  if (protocol.value !== LEGACY_PROTOCOL) fail(fileName, `has legacy protocol version ${describeKind(protocol.value)}, not ${LEGACY_PROTOCOL}; it is not a file this reader knows.`);
  const info = unpickle(bytes, protocol.end, fileName, 'the system info');
  if (!(info.value instanceof PickleDict)) fail(fileName, `its system info is ${describeKind(info.value)}, not a dict; the file is corrupt.`);
  if (info.value.map.get('little_endian') === false) fail(fileName, `was saved on a big-endian machine, which is not supported; ${CONVERT_HINT}.`);
  const state = unpickle(bytes, info.end, fileName, 'the state dict');
  const keyList = unpickle(bytes, state.end, fileName, 'the storage key list');
  const tensors = tensorsOf(fileName, state.value);
  const types = storageTypes(fileName, tensors);
  if (!Array.isArray(keyList.value)) fail(fileName, `its storage key list is ${describeKind(keyList.value)}, not a list; the file is corrupt.`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const storages = new Map<string, Uint8Array>();
  let p = keyList.end;
  for (const key of keyList.value) {
    if (typeof key !== 'string') fail(fileName, `its storage key list holds ${describeKind(key)}, not a key; the file is corrupt.`);
    const type = types.get(key);
    if (!type) fail(fileName, `lists storage ${named(key)}, which no tensor uses; the file is corrupt.`);
    if (storages.has(key)) fail(fileName, `lists storage ${named(key)} twice; the file is corrupt.`);
    if (p + 8 > bytes.length) fail(fileName, `ends at byte ${bytes.length}, before storage ${named(key)}; the file is truncated (download it again).`);
    const high = view.getUint32(p + 4, true);
    const count = high * 2 ** 32 + view.getUint32(p, true);
    const length = count * type.elementBytes;
    if (high >= 2 ** 21 || p + 8 + length > bytes.length) {
      fail(fileName, `storage ${named(key)} claims ${count} elements (${length} bytes) from byte ${p + 8}, past the end of the ${bytes.length}-byte file; the file is truncated (download it again).`);
    }
    storages.set(key, bytes.subarray(p + 8, p + 8 + length));
    p += 8 + length;
  }
  return materialize(fileName, tensors, (key) => storages.get(key) ?? null, bytes.length);
}

/**
 * The tensors of a `torch.save(state_dict)` file (zip or legacy layout) as readSafetensors returns them: names as
 * in the file, float32 row-major data, integer buffers skipped. Never runs the pickle; refuses any global outside
 * the few a state dict uses.
 */
export function readPytorchBin(input: Uint8Array | ArrayBuffer, fileName = 'pytorch_model.bin'): Map<string, SafetensorsTensor> {
  const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  if (bytes.length === 0) fail(fileName, `file is empty; download it again.`);
  if (looksLikeZip(bytes)) return readZipFormat(bytes, fileName);
  if (LEGACY_PREFIX.every((b, i) => bytes[i] === b)) return readLegacyFormat(bytes, fileName);
  if (bytes.length > 262 && new TextDecoder('latin1').decode(bytes.subarray(257, 262)) === 'ustar') {
    fail(fileName, `is a tar archive (torch.save from before PyTorch 0.4), which is not supported; ${CONVERT_HINT}.`);
  }
  fail(fileName, `is neither a zip-format nor a legacy torch.save file (it starts with bytes ${[...bytes.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ')}); download it again or ${CONVERT_HINT}.`);
}
