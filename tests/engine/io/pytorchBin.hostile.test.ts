/**
 * Hostile `pytorch_model.bin` files: pickles that call os.system or eval, storages that are missing, too short or
 * past the end of the file, truncations, random bytes, 100,000 nested MARKs, a zip directory that points past the
 * end, lying lengths and every single-byte corruption of a small file. Each is refused with a one-line EngineError
 * naming the file (never a TypeError/RangeError or a hang), and nothing in the pickle is ever run.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../src/engine/errors';
import { readPytorchBin } from '../../../src/engine/io/pytorchBin';
import { unpickle } from '../../../src/engine/io/torchPickle';
import { expectShortEngineError } from '../../helpers/hostile';
import { cat, f32, legacyFile, P, stateDictPickle, tensorPickle, torchZip, type FakeTensor } from '../../helpers/torchFiles';
import { mulberry32 } from '../../../src/engine/data/random';

const FILE = 'models/evil/pytorch_model.bin';
const FIXTURES = new URL('../../fixtures/tiny-bert-formats/', import.meta.url);
const ZIP_FIXTURE = new Uint8Array(readFileSync(new URL('pytorch-zip/pytorch_model.bin', FIXTURES)));
const LEGACY_FIXTURE = new Uint8Array(readFileSync(new URL('pytorch-legacy/pytorch_model.bin', FIXTURES)));

/** The refusal's message, checked to be a short one-line bad_safetensors EngineError naming the file. */
function refusal(bytes: Uint8Array, fileName = FILE): string {
  try {
    readPytorchBin(bytes, fileName);
  } catch (e) {
    const err = expectShortEngineError(e);
    expect(err.code).toBe('bad_safetensors');
    expect(err.message.startsWith(fileName)).toBe(true);
    return err.message;
  }
  throw new Error('expected readPytorchBin to refuse');
}

/** Parses or refuses with a short EngineError naming the file; anything else fails the test. */
function parsesOrRefuses(bytes: Uint8Array): void {
  try {
    readPytorchBin(bytes, FILE);
  } catch (e) {
    if (!(e instanceof EngineError)) throw e;
    expectShortEngineError(e);
    expect(e.message.startsWith(FILE)).toBe(true);
  }
}

const W: FakeTensor = { name: 'w', storage: 'FloatStorage', key: '0', numel: 4, size: [4] };
const zipOf = (pickle: Uint8Array, storages: Record<string, Uint8Array> = { 0: f32([1, 2, 3, 4]) }) => torchZip(pickle, storages);
const malicious = (module: string, name: string) =>
  cat(P.proto(), P.global(module, name), P.mark, P.str('touch /tmp/pwned'), P.tuple, P.reduce, P.stop);
const MALICE_TAIL = ', which a saved state dict never does; refusing to load it (it may be malicious). Convert the model to safetensors in Python you trust.';

/** The engine's seeded PRNG, so the random cases are the same every run. */
const prng = mulberry32;

describe('readPytorchBin refuses code in the pickle before anything is called', () => {
  it.each([
    ['os', 'system'], ['posix', 'system'], ['nt', 'system'], ['builtins', 'eval'], ['builtins', 'exec'], ['__builtin__', 'exec'],
    ['__builtin__', 'eval'], ['subprocess', 'Popen'], ['builtins', 'getattr'], ['runpy', '_run_code'], ['collections', 'namedtuple'],
  ])('%s.%s in the zip layout', (module, name) => {
    expect(refusal(zipOf(malicious(module, name)))).toBe(`${FILE} calls ${module}.${name}${MALICE_TAIL}`);
  });

  it('os.system is refused at GLOBAL, even with no REDUCE after it, and even after valid tensors', () => {
    expect(refusal(zipOf(cat(P.proto(), P.global('os', 'system'), P.stop)))).toBe(`${FILE} calls os.system${MALICE_TAIL}`);
    const tail = cat(P.proto(), P.emptyDict, P.str('w'), tensorPickle(W), P.setitem, P.str('x'), P.global('builtins', 'eval'), P.setitem, P.stop);
    expect(refusal(zipOf(tail))).toBe(`${FILE} calls builtins.eval${MALICE_TAIL}`);
  });

  it('STACK_GLOBAL is checked the same way, and an odd name is quoted on one line', () => {
    const stackGlobal = (module: string, name: string) => cat(P.proto(4), P.str(module), P.str(name), P.stackGlobal, P.emptyTuple, P.reduce, P.stop);
    expect(refusal(zipOf(stackGlobal('builtins', 'eval')))).toBe(`${FILE} calls builtins.eval${MALICE_TAIL}`);
    expect(refusal(zipOf(stackGlobal('os\nrm -rf', 'x'.repeat(100_000))))).toContain('"os\\nrm -rf".');
  });

  it('in the legacy layout: the state dict, and the sys-info pickle before it', () => {
    expect(refusal(legacyFile(malicious('os', 'system'), []))).toBe(`${FILE} calls os.system${MALICE_TAIL}`);
    const legacy = legacyFile(stateDictPickle([W], true), []);
    const infoAt = 21; // after the magic (15 bytes) and protocol (6 bytes) pickles
    const evil = cat(legacy.subarray(0, infoAt), malicious('posix', 'system'), legacy.subarray(infoAt));
    expect(refusal(evil)).toBe(`${FILE} calls posix.system${MALICE_TAIL}`);
  });

  it('torch globals outside the state-dict set are refused too, in milder words', () => {
    expect(refusal(zipOf(malicious('torch', 'load')))).toBe(
      `${FILE} uses torch.load, which this reader does not support (only plain tensors in a state dict); refusing to load it. Convert the model to safetensors in Python you trust.`,
    );
    expect(refusal(zipOf(malicious('torch.hub', 'load')))).toContain('uses torch.hub.load, which this reader does not support');
  });

  it('opcodes that build objects without GLOBAL (INST, OBJ, NEWOBJ, EXT1) are refused', () => {
    const inst = cat(P.proto(), P.mark, P.str('id'), [0x69], new TextEncoder().encode('os\nsystem\n'), P.stop);
    expect(refusal(zipOf(inst))).toContain('opcode 0x69 is not one a saved state dict uses');
    for (const op of [0x6f, 0x81, 0x82, 0x92]) expect(refusal(zipOf(cat(P.proto(), P.mark, P.emptyTuple, [op], P.stop)))).toContain(`opcode 0x${op.toString(16)}`);
  });

  it('a storage class or a tensor cannot be called', () => {
    expect(refusal(zipOf(cat(P.proto(), P.global('torch', 'FloatStorage'), P.emptyTuple, P.reduce, P.stop)))).toContain('REDUCE calls the class torch.FloatStorage, which is not callable here');
    expect(refusal(zipOf(cat(P.proto(), P.global('collections', 'OrderedDict'), P.str('x'), P.reduce, P.stop)))).toContain('not a tuple');
  });
});

describe('readPytorchBin refuses broken or lying storages naming the tensor', () => {
  it('a storage key missing from the zip', () => {
    expect(refusal(zipOf(stateDictPickle([{ ...W, key: '7' }])))).toBe(
      `${FILE}: tensor 'w' uses storage '7', which the file does not hold; the file is truncated or corrupt (download it again).`,
    );
  });

  it('a tensor whose offset + numel exceeds its storage, or whose stride reaches past it', () => {
    expect(refusal(zipOf(stateDictPickle([{ ...W, offset: 1 }])))).toBe(
      `${FILE}: tensor 'w' (shape [4], stride [1], offset 1) reaches element 5 of storage '0', which holds 4; the file is corrupt.`,
    );
    expect(refusal(zipOf(stateDictPickle([{ ...W, size: [2, 2], stride: [3, 1] }])))).toContain("reaches element 5 of storage '0'");
  });

  it('a persistent id claiming more elements than the storage entry holds', () => {
    expect(refusal(zipOf(stateDictPickle([{ ...W, numel: 5 }])))).toContain("tensor 'w': storage '0' holds 16 bytes, fewer than the 5 F32 elements");
  });

  it('a shape of 2^40 elements is refused before anything is allocated', () => {
    expect(refusal(zipOf(stateDictPickle([{ ...W, size: [1 << 20, 1 << 20] }])))).toContain("tensor 'w' has shape [1048576, 1048576], more elements than the file holds bytes");
  });

  it('100,000 size-1 dimensions neither hang the strided gather nor make a long message', () => {
    // A 256x256 transpose with 100,000 dimensions of size 1 between: 65,536 elements, gathered in linear time.
    const ones = new Array<number>(100_000).fill(1);
    const t: FakeTensor = { name: 't', storage: 'FloatStorage', key: '0', numel: 65_536, size: [256, ...ones, 256], stride: [1, ...ones.map(() => 0), 256] };
    const storage = f32(Array.from({ length: 65_536 }, (_, i) => i));
    const started = Date.now();
    const data = readPytorchBin(zipOf(stateDictPickle([t]), { 0: storage }), FILE).get('t')?.data as Float32Array;
    expect(Date.now() - started).toBeLessThan(5_000);
    expect([data[0], data[1], data[256], data[65_535]]).toEqual([0, 256, 1, 65_535]);
    expect(refusal(zipOf(stateDictPickle([{ ...t, offset: 1 }]), { 0: storage }))).toContain('(shape [256, 1, 1, 1, 1, 1, 1, 1, … (100002 dimensions)]');
  });

  it('unsupported dtypes and one storage read as two types', () => {
    expect(refusal(zipOf(stateDictPickle([{ ...W, storage: 'DoubleStorage', numel: 2 }])))).toContain("tensor 'w' has dtype F64 (torch.DoubleStorage), which is not supported");
    expect(refusal(zipOf(stateDictPickle([{ ...W, storage: 'Float8_e4m3fnStorage' }])))).toContain("tensor 'w' is stored as torch.Float8_e4m3fnStorage, which is not supported");
    expect(refusal(zipOf(stateDictPickle([{ ...W, storage: `${'X'.repeat(50)}Storage` }])))).toMatch(/^\S+ uses torch\.XXXX/);
    const two = stateDictPickle([W, { ...W, name: 'v', storage: 'HalfStorage' }]);
    expect(refusal(zipOf(two))).toContain("tensor 'v' reads storage '0' as FloatStorage and as HalfStorage");
  });

  it('a dict that holds something other than tensors (a training checkpoint) or is not a dict', () => {
    const nested = cat(P.proto(), P.emptyDict, P.str('model'), P.emptyDict, P.setitem, P.stop);
    expect(refusal(zipOf(nested))).toContain("state dict entry 'model' is a dict of 0, not a tensor");
    expect(refusal(zipOf(cat(P.proto(), P.emptyList, P.stop)))).toContain('the pickle holds [], not a state dict');
  });

  it('big-endian files', () => {
    const big = torchZip(stateDictPickle([W]), { 0: f32([1, 2, 3, 4]) }, 'archive', { 'archive/byteorder': new TextEncoder().encode('big') });
    expect(refusal(big)).toContain('was saved on a big-endian machine');
    const legacy = legacyFile(stateDictPickle([W], true), [{ key: '0', count: 4, bytes: f32([1, 2, 3, 4]) }]);
    const at = legacy.indexOf(0x88, 21); // NEWTRUE of little_endian in the sys info
    const flipped = legacy.slice();
    flipped[at] = 0x89;
    expect(refusal(flipped)).toContain('was saved on a big-endian machine');
  });
});

describe('readPytorchBin on truncated, random and malformed bytes', () => {
  it('an empty file, and files too short to be anything', () => {
    expect(refusal(new Uint8Array(0))).toBe(`${FILE}: file is empty; download it again.`);
    expect(refusal(new Uint8Array([0x50, 0x4b, 0x03, 0x04]))).toContain('too short to be a zip archive');
    expect(refusal(new Uint8Array([0x80]))).toContain('is neither a zip-format nor a legacy torch.save file (it starts with bytes 80)');
  });

  it('the legacy fixture truncated in the middle of a storage, and at many other points', () => {
    expect(refusal(LEGACY_FIXTURE.subarray(0, 2_000_000))).toMatch(/storage '\d+' claims \d+ elements \(\d+ bytes\) from byte \d+, past the end of the \d+-byte file; the file is truncated/);
    for (let n = 1; n < LEGACY_FIXTURE.length; n += n < 8000 ? 97 : 150_001) refusal(LEGACY_FIXTURE.subarray(0, n));
  });

  it('the zip fixture truncated anywhere has no end of central directory', () => {
    for (let n = 1; n < ZIP_FIXTURE.length; n += 300_007) expect(refusal(ZIP_FIXTURE.subarray(0, n))).toMatch(/zip|too short/);
    expect(refusal(ZIP_FIXTURE.subarray(0, ZIP_FIXTURE.length - 1))).toContain('no zip end-of-central-directory record');
  });

  it('a zip whose central directory points past the end of the file', () => {
    const bytes = ZIP_FIXTURE.slice();
    const view = new DataView(bytes.buffer);
    const record = bytes.length - 22 - 20 - 56; // zip64 EOCD record, then its locator, then the EOCD
    expect(view.getUint32(record, true)).toBe(0x06064b50);
    view.setUint32(record + 48, bytes.length + 10, true);
    expect(refusal(bytes)).toMatch(/the zip central directory at byte \d+ runs past the end of the \d+-byte file/);
    view.setUint32(record + 52, 0xffffffff, true); // an offset past 2^53
    expect(refusal(bytes)).toContain('larger than any file');
  });

  it('a zip entry whose local header offset or size points past the end, or whose data fails its CRC', () => {
    const small = zipOf(stateDictPickle([W]));
    const view = new DataView(small.buffer, small.byteOffset, small.byteLength);
    const cd = view.getUint32(small.length - 22 + 16, true);
    expect(view.getUint32(cd, true)).toBe(0x02014b50);
    const offsetPast = small.slice();
    new DataView(offsetPast.buffer).setUint32(cd + 42, small.length - 10, true);
    expect(refusal(offsetPast)).toMatch(/local header of zip entry 'archive\/data.pkl' at byte \d+ runs past the end/);
    const sizePast = small.slice();
    new DataView(sizePast.buffer).setUint32(cd + 20, 0x7fffffff, true);
    new DataView(sizePast.buffer).setUint32(cd + 24, 0x7fffffff, true);
    expect(refusal(sizePast)).toContain("data of zip entry 'archive/data.pkl'");
    const encrypted = small.slice();
    encrypted[cd + 8] |= 1;
    expect(refusal(encrypted)).toContain('is encrypted');
    const flipped = ZIP_FIXTURE.slice();
    flipped[1_000_000] ^= 0x10;
    expect(refusal(flipped)).toContain("zip entry 'pytorch_model/data/0' fails its CRC-32 check");
  });

  it('100,000 nested MARKs, 4 GB string lengths, huge LONG4s and memo entries never put', () => {
    expect(refusal(zipOf(cat(P.proto(), new Uint8Array(100_000).fill(0x28), P.stop)))).toContain('MARKs nest more than 1000 deep');
    expect(refusal(zipOf(cat(P.proto(), [0x58, 0xff, 0xff, 0xff, 0xff], P.stop)))).toContain('needs 4294967295 bytes but the file ends');
    expect(refusal(zipOf(cat(P.proto(), [0x8d, 0, 0, 0, 0, 0, 0, 0, 0x10], P.stop)))).toContain('a length is larger than any file');
    expect(refusal(zipOf(cat(P.proto(), [0x8b, 0x00, 0x00, 0x10, 0x00], new Uint8Array(1 << 20), P.stop)))).toContain('an integer of 1048576 bytes');
    expect(refusal(zipOf(cat(P.proto(), [0x6a, 1, 2, 3, 4], P.stop)))).toContain('gets memo entry 67305985, which was never put');
    expect(refusal(zipOf(cat(P.proto(), P.reduce, P.stop)))).toContain('pops an empty stack');
    expect(refusal(zipOf(cat(P.proto(), P.emptyDict)))).toContain('the file ends');
  });

  it('random bytes, alone or after a zip or legacy prefix, are refused', () => {
    const random = prng(14);
    const legacyPrefix = LEGACY_FIXTURE.subarray(0, 14);
    for (let i = 0; i < 300; i++) {
      const body = Uint8Array.from({ length: Math.floor(random() * 3000) }, () => Math.floor(random() * 256));
      const prefix = [new Uint8Array(0), new Uint8Array([0x50, 0x4b, 0x03, 0x04]), legacyPrefix][i % 3];
      refusal(cat(prefix, body));
    }
  });

  it('every single-byte corruption of a small zip or legacy file parses or is refused in one line', () => {
    const tensors: FakeTensor[] = [W, { name: 'm', storage: 'HalfStorage', key: '1', numel: 6, offset: 1, size: [2, 2], stride: [1, 2], parameter: true }];
    const storages = { 0: f32([1, 2, 3, 4]), 1: new Uint8Array(12).fill(0x3c) };
    const files = [
      zipOf(stateDictPickle(tensors), storages),
      legacyFile(stateDictPickle(tensors, true), [{ key: '0', count: 4, bytes: storages[0] }, { key: '1', count: 6, bytes: storages[1] }]),
    ];
    const random = prng(99);
    for (const file of files) {
      expect(readPytorchBin(file, FILE).size).toBe(2);
      for (let at = 0; at < file.length; at++) {
        for (const value of [0x00, 0xff, Math.floor(random() * 256)]) {
          const bad = file.slice();
          bad[at] = value;
          parsesOrRefuses(bad);
        }
      }
    }
  });

  it('unpickle itself names the pickle and the byte', () => {
    expect(() => unpickle(new Uint8Array([0x80, 0x02, 0xff]), 0, 'f.bin', 'data.pkl')).toThrow(
      'f.bin: data.pkl at byte 2: opcode 0xff is not one a saved state dict uses; the file is corrupt or not a PyTorch state dict.',
    );
  });
});
