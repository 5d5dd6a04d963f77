import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { runs } from '../../helpers/property';
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../src/engine/errors';
import { bfloat16ToFloat, halfToFloat, readSafetensors, writeSafetensors } from '../../../src/engine/io/safetensors';

/** A safetensors file from a header object and raw data bytes, header unpadded unless `pad` is given. */
function rawFile(header: unknown, data: number[] | Uint8Array, headerText?: string, pad = 0): Uint8Array {
  const json = new TextEncoder().encode((headerText ?? JSON.stringify(header)) + ' '.repeat(pad));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function expectRejected(bytes: Uint8Array, message: RegExp): void {
  let err: unknown;
  try {
    readSafetensors(bytes, 'weights.safetensors');
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(EngineError);
  expect((err as EngineError).code).toBe('bad_safetensors');
  expect((err as EngineError).message).toMatch(/^weights\.safetensors: /);
  expect((err as EngineError).message).toMatch(message);
}

const f32 = (values: number[]): number[] => Array.from(new Uint8Array(new Float32Array(values).buffer));

describe('readSafetensors', () => {
  it('reads the tiny-bert fixture (42 float tensors) with their shapes', () => {
    const bytes = readFileSync(join(__dirname, '../../fixtures/tiny-bert/model/model.safetensors'));
    const tensors = readSafetensors(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    expect(tensors.size).toBe(5 + 2 * 16 + 2);
    expect(tensors.get('embeddings.word_embeddings.weight')?.shape).toEqual([9223, 96]);
    expect(tensors.get('embeddings.word_embeddings.weight')?.data.length).toBe(9223 * 96);
    expect(tensors.get('encoder.layer.1.output.dense.weight')?.shape).toEqual([96, 384]);
  });

  it('decodes F16 and BF16 against hand-computed values', () => {
    expect(halfToFloat(0x3c00)).toBe(1);
    expect(halfToFloat(0xc000)).toBe(-2);
    expect(halfToFloat(0x7bff)).toBe(65504);
    expect(halfToFloat(0x0001)).toBe(2 ** -24);
    expect(halfToFloat(0x7c00)).toBe(Infinity);
    expect(bfloat16ToFloat(0x3f80)).toBe(1);
    expect(bfloat16ToFloat(0xc040)).toBe(-3);
    const header = {
      h: { dtype: 'F16', shape: [4], data_offsets: [0, 8] },
      b: { dtype: 'BF16', shape: [2], data_offsets: [8, 12] },
    };
    // F16 1.0, -2.0, 0.5 (0x3800), 65504; BF16 1.0, -3.0 (0xC040); little-endian bytes.
    const data = [0x00, 0x3c, 0x00, 0xc0, 0x00, 0x38, 0xff, 0x7b, 0x80, 0x3f, 0x40, 0xc0];
    const t = readSafetensors(rawFile(header, data));
    expect(Array.from(t.get('h')!.data)).toEqual([1, -2, 0.5, 65504]);
    expect(t.get('h')!.dtype).toBe('F16');
    expect(Array.from(t.get('b')!.data)).toEqual([1, -3]);
  });

  it('copies F32 data whose offset is not 4-aligned', () => {
    const header = { a: { dtype: 'F16', shape: [1], data_offsets: [0, 2] }, b: { dtype: 'F32', shape: [2], data_offsets: [2, 10] } };
    const t = readSafetensors(rawFile(header, [0x00, 0x3c, ...f32([1.5, -7.25])]));
    expect(Array.from(t.get('b')!.data)).toEqual([1.5, -7.25]);
  });

  it('skips I64 buffers such as embeddings.position_ids and accepts __metadata__', () => {
    const header = {
      __metadata__: { format: 'pt' },
      'embeddings.position_ids': { dtype: 'I64', shape: [1, 2], data_offsets: [0, 16] },
      w: { dtype: 'F32', shape: [1], data_offsets: [16, 20] },
    };
    const t = readSafetensors(rawFile(header, [...new Array(16).fill(0), ...f32([3])]));
    expect([...t.keys()]).toEqual(['w']);
  });

  const reject: Array<[string, () => Uint8Array, RegExp]> = [
    ['a file shorter than 8 bytes', () => new Uint8Array(5), /too short/],
    ['a header length past the end', () => { const b = rawFile({}, []); b[0] = 200; return b; }, /runs past the end/],
    ['a header over 100 MB', () => { const b = new Uint8Array(16); b[4] = 1; return b; }, /100 MB/],
    ['a non-UTF-8 header', () => { const b = rawFile(null, [], '{"ab": 1}'); b[10] = 0xff; return b; }, /UTF-8/],
    ['invalid JSON', () => rawFile(null, [], '{"a": '), /not valid JSON/],
    ['a header that is not an object', () => rawFile([1, 2], []), /JSON object/],
    ['an unsupported dtype, named', () => rawFile({ q: { dtype: 'I8', shape: [1], data_offsets: [0, 1] } }, [1]), /'q' has dtype I8/],
    ['an unknown dtype', () => rawFile({ q: { dtype: 'F31', shape: [1], data_offsets: [0, 4] } }, f32([1])), /'q' has unknown dtype "F31"/],
    ['a negative dimension', () => rawFile({ q: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, f32([1])), /non-negative integers/],
    ['a fractional dimension', () => rawFile({ q: { dtype: 'F32', shape: [1.5], data_offsets: [0, 4] } }, f32([1])), /non-negative integers/],
    ['a huge shape', () => rawFile({ q: { dtype: 'F32', shape: [1e9, 1e9], data_offsets: [0, 4] } }, f32([1])), /more elements than the file holds/],
    ['a size mismatch', () => rawFile({ q: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, f32([1])), /needs 8 bytes but data_offsets \[0, 4\] span 4/],
    ['offsets past the end', () => rawFile({ q: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, f32([1])), /truncated/],
    ['begin after end', () => rawFile({ q: { dtype: 'F32', shape: [0], data_offsets: [4, 0] } }, f32([1])), /begin after end/],
    ['overlapping tensors', () => rawFile({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, f32([1, 2])), /'a' and 'b' overlap/],
    ['a gap', () => rawFile({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, f32([1, 2])), /gap .* before tensor 'a'/],
    ['trailing bytes', () => rawFile({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, f32([1, 2])), /cover only 4/],
    ['bad data_offsets', () => rawFile({ a: { dtype: 'F32', shape: [1], data_offsets: [0] } }, f32([1])), /data_offsets an array of 1 \(\[0\]\)/],
    ['non-string metadata', () => rawFile({ __metadata__: { n: 1 } }, []), /__metadata__ entry 'n'/],
  ];
  it.each(reject)('rejects %s with a clear message', (_, make, message) => expectRejected(make(), message));
});

describe('writeSafetensors', () => {
  it('round-trips, sorts keys, pads the header with spaces to 8 bytes and writes format pt', () => {
    const tensors = { zeta: { shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, -0]) }, alpha: { shape: [1], data: new Float32Array([NaN]) } };
    const bytes = writeSafetensors(tensors, { note: 'x' });
    const n = new DataView(bytes.buffer).getUint32(0, true);
    expect(n % 8).toBe(0);
    const headerText = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    expect(headerText.trimEnd().length).toBeLessThanOrEqual(n);
    expect(/^ *$/.test(headerText.slice(headerText.trimEnd().length))).toBe(true);
    const header = JSON.parse(headerText);
    expect(Object.keys(header)).toEqual(['__metadata__', 'alpha', 'zeta']);
    expect(header.__metadata__).toEqual({ format: 'pt', note: 'x' });
    expect(header.alpha).toEqual({ dtype: 'F32', shape: [1], data_offsets: [0, 4] });
    const back = readSafetensors(bytes);
    expect(Object.is(back.get('zeta')!.data[5], -0)).toBe(true);
    expect(Array.from(back.get('zeta')!.data)).toEqual([1, 2, 3, 4, 5, -0]);
    expect(Number.isNaN(back.get('alpha')!.data[0])).toBe(true);
  });

  it('refuses data that does not match the shape', () => {
    expect(() => writeSafetensors(new Map([['a', { shape: [3], data: new Float32Array(2) }]]))).toThrow(EngineError);
  });

  it('round-trips random tensors bit for bit (property)', () => {
    const tensor = fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 0, maxLength: 3 }).chain((shape) =>
      fc.float32Array({ minLength: shape.reduce((a, b) => a * b, 1), maxLength: shape.reduce((a, b) => a * b, 1) }).map((data) => ({ shape, data })),
    );
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }).filter((s) => s !== '__metadata__'), tensor, { maxKeys: 5 }), (record) => {
        const back = readSafetensors(writeSafetensors(record));
        expect(back.size).toBe(Object.keys(record).length);
        for (const [name, t] of Object.entries(record)) {
          expect(back.get(name)!.shape).toEqual(t.shape);
          expect(new Uint8Array(back.get(name)!.data.slice().buffer)).toEqual(new Uint8Array(t.data.slice().buffer));
        }
      }),
      runs(100),
    );
  });
});

describe('readSafetensors on hostile input (property)', () => {
  const onlyEngineErrors = (bytes: Uint8Array): void => {
    try {
      readSafetensors(bytes);
    } catch (e) {
      if (!(e instanceof EngineError)) throw e;
    }
  };

  it('random bytes only ever throw EngineError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 256 }), onlyEngineErrors), runs(500));
  });

  it('random headers with lying shapes and offsets never throw anything else nor allocate from the header', () => {
    const dim = fc.oneof(fc.integer({ min: -2, max: 8 }), fc.constant(2 ** 40), fc.constant(1.5), fc.constant(Number.MAX_SAFE_INTEGER));
    const entry = fc.record({
      dtype: fc.constantFrom('F32', 'F16', 'BF16', 'I64', 'I32', 'U8', 'F64', 'BOGUS'),
      shape: fc.array(dim, { maxLength: 4 }),
      data_offsets: fc.array(fc.oneof(fc.integer({ min: -1, max: 64 }), fc.constant(2 ** 53)), { minLength: 0, maxLength: 3 }),
    });
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 4 }), entry, { maxKeys: 4 }), fc.uint8Array({ maxLength: 64 }), (header, data) => {
        onlyEngineErrors(rawFile(header, data));
      }),
      runs(1000),
    );
  });
});
