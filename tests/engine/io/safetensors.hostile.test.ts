/**
 * Hostile safetensors headers: dtypes named like inherited properties (`toString`, `__proto__`), 2 MB names, 1e400
 * and values nested 50,000 deep where a shape or offsets belong. Each is refused as bad_safetensors in one short line
 * (no `in` lookup that matches Object.prototype, no JSON.stringify of the value).
 */
import { describe, expect, it } from 'vitest';
import { parseSafetensorsHeader, readSafetensors } from '../../../src/engine/io/safetensors';
import { deepJsonText, expectShortEngineError, HUGE_STRING } from '../../helpers/hostile';

/** A safetensors file from raw header text and data bytes. */
function rawFile(headerText: string, dataBytes = 4): Uint8Array {
  const json = new TextEncoder().encode(headerText);
  const out = new Uint8Array(8 + json.length + dataBytes);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 8);
  return out;
}

function refusal(bytes: Uint8Array): string {
  try {
    readSafetensors(bytes, 'weights.safetensors');
  } catch (e) {
    const err = expectShortEngineError(e);
    expect(err.code).toBe('bad_safetensors');
    return err.message;
  }
  throw new Error('expected readSafetensors to refuse');
}

const DTYPES = 'BOOL, U8, I8, F8_E5M2, F8_E4M3, I16, U16, F16, BF16, I32, U32, F32, I64, U64, F64';

describe('readSafetensors on hostile headers', () => {
  it.each(['toString', '__proto__', 'constructor', 'hasOwnProperty'])('a dtype %j is unknown (it used to say "needs NaN bytes")', (dtype) => {
    expect(refusal(rawFile(JSON.stringify({ q: { dtype, shape: [1], data_offsets: [0, 4] } })))).toBe(
      `weights.safetensors: tensor 'q' has unknown dtype "${dtype}"; expected one of ${DTYPES}.`,
    );
  });

  it('a dtype that is an object, or nested 50,000 deep, is described without JSON.stringify', () => {
    expect(refusal(rawFile('{"q":{"dtype":{"toString":0},"shape":[1],"data_offsets":[0,4]}}'))).toBe(
      `weights.safetensors: tensor 'q' has unknown dtype an object with key "toString"; expected one of ${DTYPES}.`,
    );
    expect(refusal(rawFile(`{"q":{"dtype":${deepJsonText(50_000)},"shape":[1],"data_offsets":[0,4]}}`))).toMatch(/^weights\.safetensors: tensor 'q' has unknown dtype an array of 1/);
  });

  it('a shape or data_offsets nested 50,000 deep, or holding 1e400, is one short line', () => {
    expect(refusal(rawFile(`{"q":{"dtype":"F32","shape":${deepJsonText(50_000)},"data_offsets":[0,4]}}`))).toBe(
      "weights.safetensors: tensor 'q' has shape an array of 1 ([an object]): dimensions must be non-negative integers.",
    );
    expect(refusal(rawFile('{"q":{"dtype":"F32","shape":[1e400],"data_offsets":[0,4]}}'))).toBe(
      "weights.safetensors: tensor 'q' has shape an array of 1 ([a number too large to represent (it reads as Infinity)]): dimensions must be non-negative integers.",
    );
    expect(refusal(rawFile(`{"q":{"dtype":"F32","shape":[1],"data_offsets":${deepJsonText(50_000)}}}`))).toBe(
      "weights.safetensors: tensor 'q' has data_offsets an array of 1 ([an object]); expected [begin, end] with non-negative integers.",
    );
  });

  it('a 2 MB tensor name, dtype or metadata key is cut, with its length said', () => {
    const name = refusal(rawFile(JSON.stringify({ [HUGE_STRING]: { dtype: 'I8', shape: [1], data_offsets: [0, 1] } }), 1));
    expect(name).toMatch(/^weights\.safetensors: tensor "x+…" \(2,000,000 characters\) has dtype I8, which is not supported/);
    expect(refusal(rawFile(JSON.stringify({ q: { dtype: HUGE_STRING, shape: [1], data_offsets: [0, 4] } })))).toContain('(2,000,000 characters)');
    expect(refusal(rawFile(JSON.stringify({ __metadata__: { [HUGE_STRING]: 1 } }), 0))).toMatch(/^weights\.safetensors: __metadata__ entry "x+…" \(2,000,000 characters\) is not a string\.$/);
  });

  it('keeps a metadata key named __proto__ as data', () => {
    const bytes = rawFile('{"__metadata__":{"__proto__":"x"},"q":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}');
    expect(readSafetensors(bytes).get('q')?.shape).toEqual([1]);
    const metadata = parseSafetensorsHeader(bytes).metadata as Record<string, string>;
    expect(Object.keys(metadata)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(metadata)).toBe(Object.prototype);
  });
});
