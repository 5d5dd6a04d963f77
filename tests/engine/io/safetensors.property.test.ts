/**
 * Hostile safetensors files built from valid ones: one header field mutated at a time (offsets moved so ranges
 * overlap, leave gaps or run past the file; dtypes swapped; shapes that disagree with the byte ranges; huge
 * shapes; non-UTF-8 bytes). Every failure is a bad_safetensors EngineError that names the file, and the tensor
 * when one is at fault; nothing is allocated beyond what the file holds. (Random bytes and random headers are
 * covered in safetensors.test.ts.)
 */
import fc from 'fast-check';
import { runs } from '../../helpers/property';
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../src/engine/errors';
import { parseSafetensorsHeader, readSafetensors, writeSafetensors } from '../../../src/engine/io/safetensors';
import { deepJsonText, expectShortEngineError, HUGE_STRING } from '../../helpers/hostile';

const FILE = 'dir/model.safetensors';

/** Splits a file into its header object and data bytes. */
function split(bytes: Uint8Array): { header: Record<string, Record<string, unknown>>; data: Uint8Array } {
  const n = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true);
  return { header: JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))), data: bytes.subarray(8 + n) };
}

function join(headerBytes: Uint8Array, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + headerBytes.length + data.length);
  new DataView(out.buffer).setUint32(0, headerBytes.length, true);
  out.set(headerBytes, 8);
  out.set(data, 8 + headerBytes.length);
  return out;
}

/** Reads the file; returns null on success, the EngineError otherwise (anything else fails the test). */
function failure(bytes: Uint8Array): EngineError | null {
  try {
    const tensors = readSafetensors(bytes, FILE);
    let elements = 0;
    for (const t of tensors.values()) elements += t.data.length;
    expect(elements * 2).toBeLessThanOrEqual(bytes.length); // at least 2 bytes of file per decoded value
    return null;
  } catch (e) {
    expectShortEngineError(e);
    expect((e as EngineError).code).toBe('bad_safetensors');
    expect((e as EngineError).message.startsWith(`${FILE}: `)).toBe(true);
    return e as EngineError;
  }
}

const tensor = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }).map((shape) => ({
  shape,
  data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i / 7),
}));
const validFile = fc
  .uniqueArray(fc.stringMatching(/^[a-z][a-z0-9._]{0,11}$/), { minLength: 1, maxLength: 4 })
  .chain((names) => fc.tuple(...names.map(() => tensor)).map((ts) => writeSafetensors(new Map(names.map((n, i) => [n, ts[i]])))));

type Mutation = (entry: Record<string, unknown>) => void;
const offsets = (e: Record<string, unknown>) => e.data_offsets as number[];
const mutation = fc.oneof(
  fc.tuple(fc.integer({ min: -12, max: 12 }).filter((d) => d !== 0), fc.boolean()).map(([d, both]): Mutation => (e) => {
    const [b, end] = offsets(e);
    e.data_offsets = both ? [b + d, end + d] : [b, end + d]; // overlap, gap, or past the end
  }),
  fc.constant<Mutation>((e) => void (e.data_offsets = [offsets(e)[0], 2 ** 40])),
  fc.constantFrom('F16', 'BF16', 'F64', 'I64', 'U8', 'BOOL', 'Q4', 'f32', '').map((dtype): Mutation => (e) => void (e.dtype = dtype)),
  fc.integer({ min: 0, max: 5 }).map((d): Mutation => (e) => void (e.shape = [...(e.shape as number[]), d])),
  fc.constantFrom(2 ** 31, 2 ** 53 - 1, 1e300, -1, 0.5).map((d): Mutation => (e) => void (e.shape = [d, d])),
  fc.constantFrom<unknown>(null, 'x', [1, 'a'], {}, [[2]]).map((shape): Mutation => (e) => void (e.shape = shape)),
  fc.constantFrom<unknown>(null, [1], [0, 1, 2], ['0', '4'], [4, 0]).map((o): Mutation => (e) => void (e.data_offsets = o)),
);

describe('safetensors on mutated headers (property)', () => {
  it('a single mutated header field yields a bad_safetensors error naming the file and the tensor, or reads within the file', () => {
    fc.assert(
      fc.property(validFile, fc.nat(), mutation, (bytes, pick, mutate) => {
        const { header, data } = split(bytes);
        const names = Object.keys(header).filter((n) => n !== '__metadata__');
        const name = names[pick % names.length];
        mutate(header[name]);
        const err = failure(join(new TextEncoder().encode(JSON.stringify(header)), data));
        if (err !== null && !/data section|gap|trailing/.test(err.message)) expect(err.message).toContain(`'`);
        if (err !== null && /dtype|shape \[/.test(err.message)) expect(err.message).toContain(`'${name}'`);
      }),
      runs(600),
    );
  });

  it('a header field or tensor name set to a hostile value (toString keys, __proto__, 1e400, 2 MB, 50k deep) is one short line', () => {
    // Raw JSON texts: JSON.stringify could not write the deep one and would turn 1e400 into null.
    const hostile = ['{"toString":0}', '[{"valueOf":0}]', '"toString"', '"__proto__"', '"constructor"', '1e400', '[1e400]', '[0,1e400]', JSON.stringify(HUGE_STRING), deepJsonText(50_000)];
    const MARK = '"@hostile@"';
    fc.assert(
      fc.property(validFile, fc.nat(), fc.constantFrom('dtype', 'shape', 'data_offsets', 'name'), fc.constantFrom(...hostile), (bytes, pick, field, raw) => {
        const { header, data } = split(bytes);
        const names = Object.keys(header).filter((n) => n !== '__metadata__');
        const name = names[pick % names.length];
        let text: string;
        if (field === 'name') {
          text = JSON.stringify(header).replace(JSON.stringify(name), raw.startsWith('"') ? raw : JSON.stringify(raw.slice(0, 40)));
        } else {
          header[name][field] = '@hostile@';
          text = JSON.stringify(header).replace(MARK, raw);
        }
        failure(join(new TextEncoder().encode(text), data));
      }),
      runs(300),
    );
  });

  it('refuses every dtype except F32, F16 and BF16 weights, naming the tensor (I64/I32 buffers are skipped)', () => {
    for (const [dtype, size] of [['F64', 8], ['U8', 1], ['BOOL', 1], ['I16', 2], ['F8_E4M3', 1]] as const) {
      const file = join(new TextEncoder().encode(JSON.stringify({ 'layer.w': { dtype, shape: [2], data_offsets: [0, 2 * size] } })), new Uint8Array(2 * size));
      expect(failure(file)?.message).toBe(`${FILE}: tensor 'layer.w' has dtype ${dtype}, which is not supported (only F32, F16 and BF16 weights); re-save the model in float32 or float16.`);
    }
  });

  it('truncating a valid file anywhere yields an error that says so or names the file', () => {
    fc.assert(
      fc.property(validFile, fc.nat(), (bytes, cut) => {
        const err = failure(bytes.subarray(0, cut % bytes.length));
        expect(err).not.toBeNull();
      }),
      runs(300),
    );
  });

  it('a header with bytes that are not UTF-8 is refused as such', () => {
    fc.assert(
      fc.property(validFile, fc.nat(), fc.constantFrom([0xff], [0xc3], [0xe2, 0x28, 0xa1], [0xed, 0xa0, 0x80], [0xc0, 0xaf]), (bytes, at, bad) => {
        const n = new DataView(bytes.buffer).getUint32(0, true);
        const copy = bytes.slice();
        copy.set(bad, 8 + 1 + (at % (n - bad.length - 1)));
        expect(failure(copy)?.message).toBe(`${FILE}: header is not valid UTF-8; the file is corrupt or not safetensors.`);
      }),
      runs(200),
    );
  });

  it('huge shapes fail on the header alone, in constant time, before any allocation', () => {
    const header = { w: { dtype: 'F32', shape: [2 ** 26, 2 ** 26, 2 ** 26], data_offsets: [0, 8] } };
    const file = join(new TextEncoder().encode(JSON.stringify(header)), new Uint8Array(8));
    const before = process.memoryUsage().arrayBuffers;
    expect(() => parseSafetensorsHeader(file, FILE)).toThrow(/tensor 'w' has shape \[67108864, 67108864, 67108864\], more elements than the file holds bytes/);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1 << 20);
  });

  it('a header length beyond the file or over 100 MB is refused without reading it', () => {
    const file = new Uint8Array(16);
    new DataView(file.buffer).setUint32(0, 1000, true);
    expect(failure(file)?.message).toMatch(/header length 1000 runs past the end of the 16-byte file/);
    new DataView(file.buffer).setUint32(4, 1, true);
    expect(failure(file)?.message).toMatch(/exceeds the 100 MB limit/);
  });

  it('deeply nested header JSON is refused without a stack overflow', () => {
    const deep = `{"w":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    expect(failure(join(new TextEncoder().encode(deep), new Uint8Array(0)))?.message).toMatch(/header entry 'w' is not an object/);
  });
});
