/**
 * readPytorchBin on tiny-bert's `pytorch_model.bin` in both torch.save layouts (zip and legacy) gives exactly the
 * tensors of its model.safetensors, and on hand-built files decodes F16/BF16, strided views, storage offsets, shared
 * storages, parameters, deflated entries and protocol-4 pickles the way torch.load would.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readPytorchBin } from '../../../src/engine/io/pytorchBin';
import { crc32 } from '../../../src/engine/io/crc32';
import { readSafetensors, type SafetensorsTensor } from '../../../src/engine/io/safetensors';
import { readZipDirectory, zipEntryData } from '../../../src/engine/io/zipStored';
import { cat, f32, i64, legacyFile, P, stateDictPickle, torchZip, u16, type FakeTensor } from '../../helpers/torchFiles';

const FIXTURES = new URL('../../fixtures/', import.meta.url);
const read = (path: string) => new Uint8Array(readFileSync(new URL(path, FIXTURES)));

function bits(t: SafetensorsTensor): Uint32Array {
  return new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.length);
}

function expectSameTensors(actual: Map<string, SafetensorsTensor>, expected: Map<string, SafetensorsTensor>): void {
  expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [name, want] of expected) {
    const got = actual.get(name) as SafetensorsTensor;
    expect(got.dtype, name).toBe(want.dtype);
    expect(got.shape, name).toEqual(want.shape);
    expect(got.data.length, name).toBe(want.data.length);
    // Bit for bit: compare the raw words, not the floats.
    expect(Buffer.from(bits(got).buffer, bits(got).byteOffset, got.data.byteLength).equals(Buffer.from(bits(want).buffer, bits(want).byteOffset, want.data.byteLength)), name).toBe(true);
  }
}

const values = (t: SafetensorsTensor | undefined) => [...(t as SafetensorsTensor).data];

describe('readPytorchBin on tiny-bert', () => {
  const safetensors = readSafetensors(read('tiny-bert/model/model.safetensors'));

  it('the zip layout (pytorch_model/data.pkl, zip64 directory) gives the safetensors tensors bit for bit', () => {
    const bytes = read('tiny-bert-formats/pytorch-zip/pytorch_model.bin');
    const tensors = readPytorchBin(bytes);
    expect(tensors.size).toBe(39);
    expectSameTensors(tensors, safetensors);
    // Stored entries are 64-byte aligned: float32 tensors are views of the input, not copies.
    expect(tensors.get('embeddings.word_embeddings.weight')?.data.buffer).toBe(bytes.buffer);
  });

  it('the legacy layout gives the same tensors bit for bit', () => {
    const tensors = readPytorchBin(read('tiny-bert-formats/pytorch-legacy/pytorch_model.bin'));
    expectSameTensors(tensors, safetensors);
  });

  it('accepts an ArrayBuffer and keeps the file order of the state dict', () => {
    const bytes = read('tiny-bert-formats/pytorch-legacy/pytorch_model.bin');
    const tensors = readPytorchBin(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), 'x.bin');
    expect([...tensors.keys()].slice(0, 2)).toEqual(['embeddings.word_embeddings.weight', 'embeddings.position_embeddings.weight']);
  });
});

describe('readPytorchBin on hand-built files', () => {
  const pick = (tensors: FakeTensor[], storages: Record<string, Uint8Array>, top = 'archive') =>
    readPytorchBin(torchZip(stateDictPickle(tensors), storages, top), 'hand.bin');

  it('decodes F16 and BF16 storages to float32', () => {
    const out = pick(
      [
        { name: 'h', storage: 'HalfStorage', key: '0', numel: 4, size: [4] },
        { name: 'b', storage: 'BFloat16Storage', key: '1', numel: 3, size: [3] },
      ],
      { 0: u16([0x3c00, 0xc000, 0x3555, 0x0001]), 1: u16([0x3f80, 0x4049, 0xbf00]) },
    );
    expect(out.get('h')?.dtype).toBe('F16');
    expect(values(out.get('h'))).toEqual([1, -2, Math.fround(0.333251953125), Math.fround(2 ** -24)]);
    expect(out.get('b')?.dtype).toBe('BF16');
    expect(values(out.get('b'))).toEqual([1, 3.140625, -0.5]);
  });

  it('applies the storage offset and gathers a transposed (non-contiguous) view row-major', () => {
    // Storage 0..11; 'm' is the 2x3 matrix at offset 6; 't' is its transpose (3x2, strides [1, 3]).
    const storage = f32(Array.from({ length: 12 }, (_, i) => i));
    const out = pick(
      [
        { name: 'm', storage: 'FloatStorage', key: '0', numel: 12, offset: 6, size: [2, 3] },
        { name: 't', storage: 'FloatStorage', key: '0', numel: 12, offset: 6, size: [3, 2], stride: [1, 3] },
        { name: 'col', storage: 'FloatStorage', key: '0', numel: 12, offset: 1, size: [4], stride: [3] },
        { name: 'scalar', storage: 'FloatStorage', key: '0', numel: 12, offset: 11, size: [] },
      ],
      { 0: storage },
    );
    expect(out.get('m')?.shape).toEqual([2, 3]);
    expect(values(out.get('m'))).toEqual([6, 7, 8, 9, 10, 11]);
    expect(out.get('t')?.shape).toEqual([3, 2]);
    expect(values(out.get('t'))).toEqual([6, 9, 7, 10, 8, 11]);
    expect(values(out.get('col'))).toEqual([1, 4, 7, 10]);
    expect(out.get('scalar')?.shape).toEqual([]);
    expect(values(out.get('scalar'))).toEqual([11]);
  });

  it('tensors sharing a storage (tied weights) each get their own copy', () => {
    const out = pick(
      [
        { name: 'a', storage: 'FloatStorage', key: '0', numel: 2, size: [2] },
        { name: 'b', storage: 'FloatStorage', key: '0', numel: 2, size: [2] },
      ],
      { 0: f32([1, 2]) },
    );
    const a = out.get('a') as SafetensorsTensor;
    const b = out.get('b') as SafetensorsTensor;
    expect(values(a)).toEqual([1, 2]);
    a.data[0] = 5;
    expect(values(b)).toEqual([1, 2]);
  });

  it('skips int64/int32 buffers like position_ids, as readSafetensors does, and unwraps parameters', () => {
    const out = pick(
      [
        { name: 'embeddings.position_ids', storage: 'LongStorage', key: '0', numel: 3, size: [1, 3] },
        { name: 'w', storage: 'FloatStorage', key: '1', numel: 1, size: [1], parameter: true },
        { name: 'empty', storage: 'FloatStorage', key: '2', numel: 0, size: [0, 4] },
      ],
      { 0: i64([0, 1, 2]), 1: f32([0.5]), 2: new Uint8Array(0) },
    );
    expect([...out.keys()]).toEqual(['w', 'empty']);
    expect(values(out.get('w'))).toEqual([0.5]);
    expect(out.get('empty')?.shape).toEqual([0, 4]);
  });

  it('reads any top folder name, deflated entries and a little-endian byteorder entry', () => {
    const tensors: FakeTensor[] = [{ name: 'w', storage: 'FloatStorage', key: '0', numel: 3, size: [3] }];
    const little = new TextEncoder().encode('little');
    for (const [top, level] of [['pytorch_model', 0], ['weird name', 6]] as const) {
      const bytes = torchZip(stateDictPickle(tensors), { 0: f32([1, 2, 3]) }, top, { [`${top}/byteorder`]: little }, level);
      expect(values(readPytorchBin(bytes).get('w'))).toEqual([1, 2, 3]);
    }
  });

  it('reads a legacy file built the way torch writes it', () => {
    const tensors: FakeTensor[] = [
      { name: 'w', storage: 'FloatStorage', key: '94', numel: 4, size: [2, 2] },
      { name: 'h', storage: 'HalfStorage', key: '12', numel: 1, size: [1] },
    ];
    const bytes = legacyFile(stateDictPickle(tensors, true), [
      { key: '12', count: 1, bytes: u16([0x3800]) },
      { key: '94', count: 4, bytes: f32([1, 2, 3, 4]) },
    ]);
    const out = readPytorchBin(bytes);
    expect(values(out.get('w'))).toEqual([1, 2, 3, 4]);
    expect(values(out.get('h'))).toEqual([0.5]);
  });

  it('accepts the protocol-4 opcodes a re-pickled file may use (FRAME, SHORT_BINUNICODE, MEMOIZE, STACK_GLOBAL)', () => {
    const short = (s: string) => cat([0x8c, s.length], new TextEncoder().encode(s));
    const pickle = cat(
      P.proto(4), [0x95, 0, 0, 0, 0, 0, 0, 0, 0],
      short('collections'), short('OrderedDict'), P.stackGlobal, [0x94], P.emptyTuple, P.reduce, [0x94],
      short('w'),
      short('torch._utils'), short('_rebuild_tensor_v2'), P.stackGlobal,
      P.mark,
      P.mark, short('storage'), short('torch'), short('FloatStorage'), P.stackGlobal, short('0'), short('cpu'), [0x4b, 2], P.tuple, P.binpersid,
      [0x4b, 0], [0x4b, 2, 0x85], [0x4b, 1, 0x85], P.newFalse, [0x68, 0], P.emptyTuple, P.reduce, P.tuple,
      P.reduce, P.setitem, P.stop,
    );
    expect(values(readPytorchBin(torchZip(pickle, { 0: f32([7, 8]) })).get('w'))).toEqual([7, 8]);
  });
});

describe('zipStored', () => {
  /** Little-endian fields of the given byte widths. */
  const fields = (...pairs: Array<[number, 2 | 4 | 8]>) => {
    const out = new Uint8Array(pairs.reduce((n, [, w]) => n + w, 0));
    const view = new DataView(out.buffer);
    let at = 0;
    for (const [v, w] of pairs) {
      if (w === 2) view.setUint16(at, v, true);
      else if (w === 4) view.setUint32(at, v, true);
      else view.setBigUint64(at, BigInt(v), true);
      at += w;
    }
    return out;
  };

  it('reads sizes and the local header offset from zip64 extra fields (after a padding field), as torch writes past 4 GB', () => {
    const name = new TextEncoder().encode('archive/data/0');
    const data = new TextEncoder().encode('hello, zip64');
    const crc = crc32(data);
    const padding = cat(fields([0x4642, 2], [3, 2]), [0x5a, 0x5a, 0x5a]); // torch's 'FB' padding field
    const localExtra = cat(fields([1, 2], [16, 2], [data.length, 8], [data.length, 8]));
    const local = cat(fields([0x04034b50, 4], [45, 2], [0, 2], [0, 2], [0, 2], [0, 2], [crc, 4], [0xffffffff, 4], [0xffffffff, 4], [name.length, 2], [localExtra.length, 2]), name, localExtra, data);
    const centralExtra = cat(padding, fields([1, 2], [24, 2], [data.length, 8], [data.length, 8], [0, 8]));
    const central = cat(
      fields([0x02014b50, 4], [45, 2], [45, 2], [0, 2], [0, 2], [0, 2], [0, 2], [crc, 4], [0xffffffff, 4], [0xffffffff, 4], [name.length, 2], [centralExtra.length, 2], [0, 2], [0, 2], [0, 2], [0, 4], [0xffffffff, 4]),
      name, centralExtra,
    );
    const record = fields([0x06064b50, 4], [44, 8], [45, 2], [45, 2], [0, 4], [0, 4], [1, 8], [1, 8], [central.length, 8], [local.length, 8]);
    const locator = fields([0x07064b50, 4], [0, 4], [local.length + central.length, 8], [1, 4]);
    const eocd = fields([0x06054b50, 4], [0, 2], [0, 2], [0xffff, 2], [0xffff, 2], [0xffffffff, 4], [0xffffffff, 4], [0, 2]);
    const zip = cat(local, central, record, locator, eocd);
    const entries = readZipDirectory(zip, 'z.bin');
    const entry = entries.get('archive/data/0');
    expect(entry).toMatchObject({ method: 0, size: data.length, compressedSize: data.length, localHeaderOffset: 0 });
    const bytes = zipEntryData(zip, entry as NonNullable<typeof entry>, 'z.bin');
    expect(new TextDecoder().decode(bytes)).toBe('hello, zip64');
    expect(bytes.buffer).toBe(zip.buffer); // a view, not a copy
    // Without the zip64 field the saturated sizes are refused, not read as 4 GB.
    const stripped = zip.slice();
    stripped[local.length + 46 + name.length + padding.length] = 9; // the field id 0x0001 becomes 0x0009
    expect(() => readZipDirectory(stripped, 'z.bin')).toThrow("z.bin: zip entry 'archive/data/0' needs a zip64 extra field for its sizes, and has none; the archive is corrupt.");
  });
});
