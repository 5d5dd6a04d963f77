import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { runs } from '../helpers/property';
import { checkJsonDepth, describeValue, hasOwn, MAX_JSON_DEPTH, nestingDepth, ownValue } from '../../src/engine/untrusted';
import { EngineError } from '../../src/engine/errors';

function nested(levels: number): unknown {
  let v: unknown = 0;
  for (let i = 0; i < levels; i++) v = i % 2 === 0 ? [v] : { a: v };
  return v;
}

describe('describeValue', () => {
  it('shows scalars as JSON would, strings quoted', () => {
    expect(describeValue('gelu')).toBe('"gelu"');
    expect(describeValue(12)).toBe('12');
    expect(describeValue(null)).toBe('null');
    expect(describeValue(true)).toBe('true');
    expect(describeValue(undefined)).toBe('nothing');
  });

  it('says a number out of range is one (JSON.parse reads 1e400 as Infinity; JSON.stringify would print null)', () => {
    expect(describeValue(JSON.parse('1e400'))).toBe('a number too large to represent (it reads as Infinity)');
    expect(describeValue(JSON.parse('-1e400'))).toBe('a number too large to represent (it reads as -Infinity)');
  });

  it('never calls a toString or valueOf the value carries', () => {
    expect(describeValue({ toString: 0 })).toBe('an object with key "toString"');
    expect(describeValue({ valueOf: 0, toString: {} })).toBe('an object with keys "valueOf", "toString"');
    expect(describeValue([{ toString: 0 }])).toBe('an array of 1 ([an object])');
  });

  it('cuts a long string and says how long it was', () => {
    const d = describeValue('x'.repeat(2_000_000));
    expect(d.length).toBeLessThanOrEqual(80);
    expect(d).toContain('2,000,000 characters');
  });

  it('describes a 100,000-level value without overflowing the stack', () => {
    expect(describeValue(nested(100_000))).toMatch(/^an (array|object)/);
  });

  it('is at most maxLength characters for any JSON value', () => {
    fc.assert(fc.property(fc.jsonValue(), fc.integer({ min: 20, max: 200 }), (v, max) => describeValue(v, max).length <= max), runs(300));
  });
});

describe('nestingDepth and checkJsonDepth', () => {
  it('counts levels by hand-checked examples', () => {
    expect(nestingDepth(1, 10)).toBe(0);
    expect(nestingDepth([], 10)).toBe(1);
    expect(nestingDepth({ a: [1, { b: [] }] }, 10)).toBe(4);
  });

  it('stops past the limit on a 100,000-level value', () => {
    expect(nestingDepth(nested(100_000), 50)).toBe(51);
  });

  it('accepts MAX_JSON_DEPTH levels and refuses one more, naming the file', () => {
    expect(() => checkJsonDepth(nested(MAX_JSON_DEPTH), 'config.json')).not.toThrow();
    expect(() => checkJsonDepth(nested(MAX_JSON_DEPTH + 1), 'config.json')).toThrow(EngineError);
    expect(() => checkJsonDepth(nested(MAX_JSON_DEPTH + 1), 'config.json')).toThrow(/^config\.json: nested more than 100 levels/);
  });
});

describe('hasOwn and ownValue', () => {
  it('ignore inherited names', () => {
    expect(hasOwn({}, 'toString')).toBe(false);
    expect(hasOwn({}, '__proto__')).toBe(false);
    expect(ownValue({ F32: 4 } as Record<string, number>, 'constructor')).toBeUndefined();
    expect(ownValue({ F32: 4 } as Record<string, number>, 'F32')).toBe(4);
  });
});
